-- 008_store_plan_one_statement: the per-document work of planq_ingest, cut
-- down to what COPY of the same rows would do (bench/RESULTS.md).
--
-- 1. planq_store_plan writes the plan row, then every child row in ONE
--    statement of data-modifying CTEs: the plan JSON is expanded once, rows
--    are joined to the ids their parents' INSERT … RETURNING hand back, and
--    no intermediate jsonb is built.  Foreign keys still hold: they are
--    checked at the end of the statement, when the parents exist.
--    One statement cannot say which part of the plan was refused, so on a
--    class 22/23 error the part-by-part version of 007 (kept under the name
--    planq_store_plan_by_part) redoes the work to raise the same error with
--    the part named.  Only refused plans pay for it.
-- 2. planq_offer_current(plan) replaces the full recount of planq_set_current
--    on ingest: under the same advisory lock it compares the new plan with
--    the key's current version only (one index probe), and touches rows only
--    when the new plan wins.  Reparse still recounts (it can remove the best).
-- 3. planq_ingest calls these two; its contract is unchanged.

ALTER FUNCTION planq_store_plan(bigint, jsonb, text)
	RENAME TO planq_store_plan_by_part;

CREATE FUNCTION planq_store_plan(p_document_id bigint, p_plan jsonb,
                                 p_parser_version text) RETURNS bigint
LANGUAGE plpgsql
-- the planner guesses 100 rows per jsonb_array_elements, so the nested
-- levels multiply to a cost that would JIT-compile every call (~0.7 s)
SET jit = off
AS $$
DECLARE
	v_plan	bigint;
	v_state	text;
BEGIN
	INSERT INTO plans (document_id, title, org_name, org_kind, fiscal_year,
	                   fiscal_year_label, stage, head_role, head_name,
	                   published_on, page_id, parsed, parser_version)
	VALUES (p_document_id, p_plan->>'title', p_plan->'org'->>'name',
	        p_plan->'org'->>'kind', (p_plan->>'fiscal_year')::integer,
	        p_plan->>'fiscal_year_label', p_plan->>'stage',
	        p_plan->'head'->>'role', p_plan->'head'->>'name',
	        (p_plan->>'published_on')::date, p_plan->>'page_id',
	        p_plan, p_parser_version)
	RETURNING id INTO v_plan;

	WITH
	texts AS (
		INSERT INTO plan_texts (plan_id, kind, ordinal, body)
		SELECT v_plan, k.kind, e.n, e.j #>> '{}'
		  FROM (VALUES ('goal', 'goals'), ('mission', 'missions'),
		               ('policy', 'policies')) AS k(kind, field)
		 CROSS JOIN LATERAL jsonb_array_elements(nullif(p_plan->k.field, 'null'))
		       WITH ORDINALITY AS e(j, n)),
	issue_src AS (
		SELECT e.n AS issue_ord, e.j
		  FROM jsonb_array_elements(nullif(p_plan->'issues', 'null'))
		       WITH ORDINALITY AS e(j, n)),
	issue_ins AS (
		INSERT INTO issues (plan_id, ordinal, number, title, summary)
		SELECT v_plan, s.issue_ord, (s.j->>'number')::integer, s.j->>'title',
		       s.j->>'summary'
		  FROM issue_src s ORDER BY s.issue_ord
		RETURNING id, ordinal),
	strategy_src AS (
		SELECT i.issue_ord, e.n AS strategy_ord, e.j
		  FROM issue_src i
		 CROSS JOIN LATERAL jsonb_array_elements(nullif(i.j->'strategies', 'null'))
		       WITH ORDINALITY AS e(j, n)),
	strategy_ins AS (
		INSERT INTO strategies (issue_id, ordinal, code, title, body)
		SELECT ii.id, s.strategy_ord, s.j->>'code', s.j->>'title', s.j->>'body'
		  FROM strategy_src s JOIN issue_ins ii ON ii.ordinal = s.issue_ord
		 ORDER BY s.issue_ord, s.strategy_ord
		RETURNING id, issue_id, ordinal),
	-- seq is the document order: by issue, a strategy's initiatives before
	-- the issue's own (strategy_ord NULL)
	initiative_src AS (
		SELECT row_number() OVER (ORDER BY x.issue_ord, x.strategy_ord NULLS LAST,
		                                   x.n) AS seq, x.*
		  FROM (SELECT s.issue_ord, s.strategy_ord, e.n, e.j
		          FROM strategy_src s
		         CROSS JOIN LATERAL jsonb_array_elements(nullif(s.j->'initiatives', 'null'))
		               WITH ORDINALITY AS e(j, n)
		        UNION ALL
		        SELECT i.issue_ord, NULL, e.n, e.j
		          FROM issue_src i
		         CROSS JOIN LATERAL jsonb_array_elements(nullif(i.j->'initiatives', 'null'))
		               WITH ORDINALITY AS e(j, n)) AS x),
	initiative_ins AS (
		INSERT INTO initiatives (plan_id, issue_id, strategy_id, seq, ordinal,
		                         code, title, body)
		SELECT v_plan, ii.id, si.id, s.seq, s.n, s.j->>'code', s.j->>'title',
		       s.j->>'body'
		  FROM initiative_src s
		  JOIN issue_ins ii ON ii.ordinal = s.issue_ord
		  LEFT JOIN strategy_ins si ON si.issue_id = ii.id
		                           AND si.ordinal = s.strategy_ord
		 ORDER BY s.seq
		RETURNING id, seq),
	budget_ins AS (
		INSERT INTO budgets (initiative_id, ordinal, label, amount_yen)
		SELECT ti.id, e.n, e.j->>'label', (e.j->>'amount_yen')::bigint
		  FROM initiative_src s JOIN initiative_ins ti ON ti.seq = s.seq
		 CROSS JOIN LATERAL jsonb_array_elements(nullif(s.j->'budgets', 'null'))
		       WITH ORDINALITY AS e(j, n)),
	reform_ins AS (
		INSERT INTO reforms (plan_id, ordinal, title, ref, body)
		SELECT v_plan, e.n, e.j->>'title', e.j->>'ref', e.j->>'body'
		  FROM jsonb_array_elements(nullif(p_plan->'reforms', 'null'))
		       WITH ORDINALITY AS e(j, n)),
	evaluation_ins AS (
		INSERT INTO evaluations (plan_id, achievements, challenges)
		SELECT v_plan, c->>'achievements', c->>'challenges'
		  FROM (SELECT p_plan->'evaluation' AS c) AS x
		 WHERE jsonb_typeof(c) = 'object'),
	council_ins AS (
		INSERT INTO council_reflections (plan_id, total_yen, fixed_yen,
		                                 priority_yen, base_yen, ratio_percent)
		SELECT v_plan, (c->>'total_yen')::bigint, (c->>'fixed_yen')::bigint,
		       (c->>'priority_yen')::bigint, (c->>'base_yen')::bigint,
		       (c->>'ratio_percent')::numeric
		  FROM (SELECT p_plan->'council_reflection' AS c) AS x
		 WHERE jsonb_typeof(c) = 'object')
	INSERT INTO contacts (plan_id, office, phone, fax, address)
	SELECT v_plan, c->>'office', c->>'phone', c->>'fax', c->>'address'
	  FROM (SELECT p_plan->'contact' AS c) AS x
	 WHERE jsonb_typeof(c) = 'object';

	RETURN v_plan;
EXCEPTION WHEN data_exception OR integrity_constraint_violation THEN
	-- redo part by part: that version raises the same error, naming the part
	GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE;
	PERFORM planq_store_plan_by_part(p_document_id, p_plan, p_parser_version);
	RAISE EXCEPTION USING ERRCODE = v_state,
	      MESSAGE = 'plan refused: the set-based insert failed but the part-by-part one did not',
	      HINT = 'report this as a bug in sql/008_store_plan_one_statement.sql';
END $$;

-- Makes p_plan_id the current version of its (org, year) if it beats the
-- current one (final over proposal over draft, then the newest published_on,
-- then the newest arrival), under planq_set_current's advisory lock.  Relies
-- on the invariant planq_set_current keeps: the current row is the best of
-- the key, so the best after one more plan is the better of the two.
CREATE FUNCTION planq_offer_current(p_plan_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_new	record;
	v_cur	record;
BEGIN
	SELECT p.org_name, p.fiscal_year, p.stage_rank,
	       coalesce(p.published_on, '-infinity'::date) AS published_on,
	       p.document_id
	  INTO v_new FROM plans p WHERE p.id = p_plan_id;
	IF v_new.org_name IS NULL OR v_new.fiscal_year IS NULL THEN
		RETURN;		-- a fragment: never current
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('planq.plan_key'),
	                              hashtext(v_new.org_name || '/' || v_new.fiscal_year::text));
	SELECT p.id, p.stage_rank,
	       coalesce(p.published_on, '-infinity'::date) AS published_on,
	       p.document_id
	  INTO v_cur FROM plans p
	 WHERE p.org_name = v_new.org_name AND p.fiscal_year = v_new.fiscal_year
	   AND p.is_current;
	IF FOUND THEN
		IF (v_cur.stage_rank, v_cur.published_on, v_cur.document_id)
		   >= (v_new.stage_rank, v_new.published_on, v_new.document_id) THEN
			RETURN;
		END IF;
		-- two statements: the unique index is checked row by row
		UPDATE plans SET is_current = false WHERE id = v_cur.id;
	END IF;
	UPDATE plans SET is_current = true WHERE id = p_plan_id;
END $$;

CREATE OR REPLACE FUNCTION planq_ingest(p_sha256 bytea, p_raw bytea, p_envelope jsonb,
                             p_charset text, p_outcome text, p_reason text,
                             p_plan jsonb, p_parser_version text)
RETURNS TABLE (status text, document_id bigint, plan_id bigint, reason text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
	v_doc		bigint;
	v_plan		bigint;
	v_outcome	text;
	v_reason	text;
BEGIN
	IF p_raw IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
		      MESSAGE = 'planq_ingest: p_raw (the document bytes) is NULL';
	END IF;
	IF p_sha256 IS NULL THEN
		p_sha256 := sha256(p_raw);
	ELSIF p_sha256 <> sha256(p_raw) THEN
		RAISE EXCEPTION USING ERRCODE = 'data_exception',
		      MESSAGE = format('planq_ingest: p_sha256 %s is not the SHA-256 of the %s raw bytes',
		                       encode(p_sha256, 'hex'), octet_length(p_raw)),
		      HINT = 'pass the digest of exactly the bytes received, or NULL to have it computed';
	END IF;
	IF p_parser_version IS NULL OR p_parser_version = '' THEN
		RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
		      MESSAGE = 'planq_ingest: p_parser_version is missing';
	END IF;
	IF p_outcome = 'stored' THEN
		IF jsonb_typeof(p_plan) IS DISTINCT FROM 'object'
		   OR p_plan->'is_plan' = 'false'::jsonb THEN
			RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			      MESSAGE = 'planq_ingest: outcome ''stored'' needs p_plan, a plan object with is_plan true';
		END IF;
		p_reason := NULL;
	ELSIF p_outcome = 'rejected' THEN
		IF p_reason IS NULL OR p_reason = '' THEN
			RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			      MESSAGE = 'planq_ingest: outcome ''rejected'' needs a non-empty p_reason';
		END IF;
	ELSE
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
		      MESSAGE = format('planq_ingest: p_outcome is %L; expected ''stored'' or ''rejected''',
		                       p_outcome);
	END IF;

	-- exactly one of concurrent callers with the same bytes inserts; the
	-- others wait for it to commit, then find its row below
	INSERT INTO documents (sha256, raw, envelope, client_id, source_url,
	                       fetched_at, content_type, charset, outcome, reason,
	                       parser_version)
	VALUES (p_sha256, p_raw, p_envelope,
	        coalesce(p_envelope->>'client_id', p_envelope->>'client'),
	        planq_envelope_url(p_envelope),
	        planq_try_timestamptz(p_envelope->'fetched_at'),
	        p_envelope->>'content_type', p_charset, p_outcome, p_reason,
	        p_parser_version)
	ON CONFLICT (sha256) DO NOTHING
	RETURNING id INTO v_doc;

	IF v_doc IS NULL THEN
		SELECT d.id, d.outcome, d.reason INTO v_doc, v_outcome, v_reason
		  FROM documents d WHERE d.sha256 = p_sha256;
		IF NOT FOUND THEN	-- deleted between the two statements
			RAISE EXCEPTION USING ERRCODE = 'serialization_failure',
			      MESSAGE = 'planq_ingest: document vanished while storing a duplicate; retry';
		END IF;
		SELECT p.id INTO v_plan FROM plans p WHERE p.document_id = v_doc;
		INSERT INTO ingest_events (kind, document_id, source_url, reason)
		VALUES ('duplicate', v_doc, planq_envelope_url(p_envelope), v_reason);
		IF v_outcome = 'stored' THEN
			RETURN QUERY SELECT 'duplicate'::text, v_doc, v_plan, NULL::text;
		ELSE
			RETURN QUERY SELECT 'rejected'::text, v_doc, NULL::bigint, v_reason;
		END IF;
		RETURN;
	END IF;

	IF p_outcome = 'rejected' THEN
		RETURN QUERY SELECT 'rejected'::text, v_doc, NULL::bigint, p_reason;
		RETURN;
	END IF;
	v_plan := planq_store_plan(v_doc, p_plan, p_parser_version);
	PERFORM planq_offer_current(v_plan);
	RETURN QUERY SELECT 'stored'::text, v_doc, v_plan, NULL::text;
END $$;

REVOKE EXECUTE ON FUNCTION
	planq_store_plan(bigint, jsonb, text),
	planq_offer_current(bigint)
FROM PUBLIC;
