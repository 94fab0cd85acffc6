-- 002_ingest.sql: the write path.  planq_ingest() is the worker's only write:
-- it stores one document (and, when parsed, its plan with every child row)
-- in one call, one round trip, one transaction, and keeps the "current
-- version" bookkeeping.  planq_reparse() replaces a document's rows after a
-- parser change; planq_record_event() lets the daemon log what documents
-- alone cannot show (retries, refusals).  Helpers are not callable by PUBLIC.
--
-- Errors: bad arguments raise class 22 (22004 null, 22023 invalid value,
-- 22000 sha256 mismatch); a plan the schema refuses raises the original
-- class 22/23 error with a message naming the part of the plan at fault.
-- The worker stores such a document as rejected with that message.

-- fetched_at from the envelope: an ISO timestamp string or epoch seconds;
-- NULL (never an error) when it does not parse -- the envelope keeps it
CREATE FUNCTION planq_try_timestamptz(v jsonb) RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
	CASE jsonb_typeof(v)
	WHEN 'number' THEN
		RETURN to_timestamp((v #>> '{}')::double precision);
	WHEN 'string' THEN
		-- only something shaped like an ISO date reaches the cast
		IF (v #>> '{}') !~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|z|[+-]\d{2}(:?\d{2})?)?$' THEN
			RETURN NULL;
		END IF;
		RETURN (v #>> '{}')::timestamptz;
	ELSE
		RETURN NULL;
	END CASE;
EXCEPTION WHEN data_exception THEN
	RETURN NULL;
END $$;

-- Marks the current version of (org, year): final over proposal over draft,
-- then the newest published_on, then the newest arrival.  Serialised per key
-- by a transaction-level advisory lock, so two workers storing versions of
-- the same plan at once both end with exactly one current row.  Needs READ
-- COMMITTED (each statement must see what the lock holder committed).
-- Fragments (no org or no year) have no key and are never current.
CREATE FUNCTION planq_set_current(p_org text, p_year integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_best bigint;
BEGIN
	IF p_org IS NULL OR p_year IS NULL THEN
		RETURN NULL;
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('planq.plan_key'),
	                              hashtext(p_org || '/' || p_year::text));
	SELECT p.id INTO v_best
	  FROM plans p
	 WHERE p.org_name = p_org AND p.fiscal_year = p_year
	 ORDER BY p.stage_rank DESC, p.published_on DESC NULLS LAST,
	          p.document_id DESC
	 LIMIT 1;
	-- two statements: the unique index is checked row by row
	UPDATE plans SET is_current = false
	 WHERE org_name = p_org AND fiscal_year = p_year AND is_current
	   AND id IS DISTINCT FROM v_best;
	UPDATE plans SET is_current = true
	 WHERE id = v_best AND NOT is_current;
	RETURN v_best;
END $$;

-- Inserts one plan and all its child rows, set-based: each level is one
-- INSERT … SELECT over the parent rows just inserted, expanding the parent's
-- JSON by index.  Returns the plan id.  Does not touch is_current.
CREATE FUNCTION planq_store_plan(p_document_id bigint, p_plan jsonb,
                                 p_parser_version text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_plan	bigint;
	v_part	text;
	v_state	text;
	v_msg	text;
	v_detail text;
BEGIN
	v_part := 'top-level field (title, org, fiscal_year, stage, head, published_on, page_id)';
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

	v_part := 'goals/missions/policies item';
	INSERT INTO plan_texts (plan_id, kind, ordinal, body)
	SELECT v_plan, k.kind, e.n, e.j #>> '{}'
	  FROM (VALUES ('goal', 'goals'), ('mission', 'missions'),
	               ('policy', 'policies')) AS k(kind, field)
	 CROSS JOIN LATERAL jsonb_array_elements(nullif(p_plan->k.field, 'null'))
	       WITH ORDINALITY AS e(j, n);

	v_part := 'issues[]';
	INSERT INTO issues (plan_id, ordinal, number, title, summary)
	SELECT v_plan, e.n, (e.j->>'number')::integer, e.j->>'title', e.j->>'summary'
	  FROM jsonb_array_elements(nullif(p_plan->'issues', 'null'))
	       WITH ORDINALITY AS e(j, n);

	v_part := 'issues[].strategies[]';
	INSERT INTO strategies (issue_id, ordinal, code, title, body)
	SELECT i.id, s.n, s.j->>'code', s.j->>'title', s.j->>'body'
	  FROM issues i
	 CROSS JOIN LATERAL jsonb_array_elements(
	       nullif(p_plan->'issues'->(i.ordinal - 1)->'strategies', 'null'))
	       WITH ORDINALITY AS s(j, n)
	 WHERE i.plan_id = v_plan;

	-- strategies' initiatives, then the issue's own (strategy NULL); seq is
	-- the document order: by issue, strategies before the issue's own list
	v_part := 'issues[].strategies[].initiatives[] or issues[].initiatives[]';
	INSERT INTO initiatives (plan_id, issue_id, strategy_id, seq, ordinal,
	                         code, title, body)
	SELECT v_plan, x.issue_id, x.strategy_id,
	       row_number() OVER (ORDER BY x.issue_ord, x.strategy_ord NULLS LAST, x.n),
	       x.n, x.j->>'code', x.j->>'title', x.j->>'body'
	  FROM (SELECT i.id AS issue_id, i.ordinal AS issue_ord,
	               s.id AS strategy_id, s.ordinal AS strategy_ord, t.n, t.j
	          FROM issues i
	          JOIN strategies s ON s.issue_id = i.id
	         CROSS JOIN LATERAL jsonb_array_elements(nullif(
	               p_plan->'issues'->(i.ordinal - 1)->'strategies'->(s.ordinal - 1)->'initiatives',
	               'null')) WITH ORDINALITY AS t(j, n)
	         WHERE i.plan_id = v_plan
	        UNION ALL
	        SELECT i.id, i.ordinal, NULL, NULL, t.n, t.j
	          FROM issues i
	         CROSS JOIN LATERAL jsonb_array_elements(nullif(
	               p_plan->'issues'->(i.ordinal - 1)->'initiatives', 'null'))
	               WITH ORDINALITY AS t(j, n)
	         WHERE i.plan_id = v_plan) AS x;

	v_part := 'initiatives[].budgets[] (label, amount_yen)';
	INSERT INTO budgets (initiative_id, ordinal, label, amount_yen)
	SELECT t.id, b.n, b.j->>'label', (b.j->>'amount_yen')::bigint
	  FROM initiatives t
	  JOIN issues i ON i.id = t.issue_id
	  LEFT JOIN strategies s ON s.id = t.strategy_id
	 CROSS JOIN LATERAL jsonb_array_elements(nullif(
	       CASE WHEN t.strategy_id IS NULL
	            THEN p_plan->'issues'->(i.ordinal - 1)->'initiatives'->(t.ordinal - 1)
	            ELSE p_plan->'issues'->(i.ordinal - 1)->'strategies'->(s.ordinal - 1)
	                       ->'initiatives'->(t.ordinal - 1)
	       END->'budgets', 'null')) WITH ORDINALITY AS b(j, n)
	 WHERE t.plan_id = v_plan;

	v_part := 'reforms[]';
	INSERT INTO reforms (plan_id, ordinal, title, ref, body)
	SELECT v_plan, e.n, e.j->>'title', e.j->>'ref', e.j->>'body'
	  FROM jsonb_array_elements(nullif(p_plan->'reforms', 'null'))
	       WITH ORDINALITY AS e(j, n);

	v_part := 'evaluation';
	INSERT INTO evaluations (plan_id, achievements, challenges)
	SELECT v_plan, p_plan->'evaluation'->>'achievements',
	       p_plan->'evaluation'->>'challenges'
	 WHERE jsonb_typeof(p_plan->'evaluation') = 'object';

	v_part := 'council_reflection';
	INSERT INTO council_reflections (plan_id, total_yen, fixed_yen, priority_yen,
	                                 base_yen, ratio_percent)
	SELECT v_plan, (c->>'total_yen')::bigint, (c->>'fixed_yen')::bigint,
	       (c->>'priority_yen')::bigint, (c->>'base_yen')::bigint,
	       (c->>'ratio_percent')::numeric
	  FROM (SELECT p_plan->'council_reflection' AS c) AS x
	 WHERE jsonb_typeof(c) = 'object';

	v_part := 'contact';
	INSERT INTO contacts (plan_id, office, phone, fax, address)
	SELECT v_plan, c->>'office', c->>'phone', c->>'fax', c->>'address'
	  FROM (SELECT p_plan->'contact' AS c) AS x
	 WHERE jsonb_typeof(c) = 'object';

	RETURN v_plan;
EXCEPTION WHEN data_exception OR integrity_constraint_violation THEN
	-- same SQLSTATE, but say which part of the plan was refused
	GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE,
	                        v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
	v_msg := format('plan refused: bad %s: %s', v_part, v_msg);
	IF coalesce(v_detail, '') = '' THEN
		RAISE EXCEPTION USING ERRCODE = v_state, MESSAGE = v_msg,
		      HINT = 'the parser produced a value the schema does not accept; '
		             'store the document as rejected with this message as the reason';
	END IF;
	-- a failing row's DETAIL can hold the whole plan: keep its start
	RAISE EXCEPTION USING ERRCODE = v_state, MESSAGE = v_msg,
	      DETAIL = left(v_detail, 300),
	      HINT = 'the parser produced a value the schema does not accept; '
	             'store the document as rejected with this message as the reason';
END $$;

-- the URL an envelope names, under either spelling
CREATE FUNCTION planq_envelope_url(e jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(e->>'source_url', e->>'url');

-- The worker's only write.  See docs/SCHEMA.md for the contract.
CREATE FUNCTION planq_ingest(p_sha256 bytea, p_raw bytea, p_envelope jsonb,
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
	PERFORM planq_set_current(p.org_name, p.fiscal_year)
	   FROM plans p WHERE p.id = v_plan;
	RETURN QUERY SELECT 'stored'::text, v_doc, v_plan, NULL::text;
END $$;

-- Replaces a stored document's parse with the current parser's output, in
-- the caller's transaction.  p_plan: the plan, or {"is_plan":false,
-- "reason":…} (or NULL: undecodable) to mark the document rejected.
-- Returns 'changed' (rows replaced) or 'unchanged' (same output: only the
-- parser version is updated), and the document's plan id afterwards.
-- p_charset: what the bytes were decoded from this time (NULL: keep).
CREATE FUNCTION planq_reparse(p_document_id bigint, p_plan jsonb,
                              p_parser_version text, p_charset text DEFAULT NULL)
RETURNS TABLE (status text, plan_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
	v_old		plans%ROWTYPE;
	v_is_plan	boolean;
	v_reason	text;
	v_plan		bigint;
BEGIN
	PERFORM 1 FROM documents d WHERE d.id = p_document_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'no_data_found',
		      MESSAGE = format('planq_reparse: no document with id %s', p_document_id);
	END IF;
	SELECT * INTO v_old FROM plans p WHERE p.document_id = p_document_id;
	v_is_plan := jsonb_typeof(p_plan) = 'object'
	             AND p_plan->'is_plan' IS DISTINCT FROM 'false'::jsonb;
	v_reason := CASE WHEN v_is_plan THEN NULL
	                 ELSE coalesce(nullif(p_plan->>'reason', ''), 'not decodable as text') END;

	IF (v_is_plan AND v_old.parsed IS NOT DISTINCT FROM p_plan)
	   OR (NOT v_is_plan AND v_old.id IS NULL
	       AND EXISTS (SELECT 1 FROM documents d WHERE d.id = p_document_id
	                   AND d.reason IS NOT DISTINCT FROM v_reason)) THEN
		UPDATE documents SET parser_version = p_parser_version,
		       charset = coalesce(p_charset, charset)
		 WHERE id = p_document_id;
		UPDATE plans SET parser_version = p_parser_version
		 WHERE id = v_old.id;
		RETURN QUERY SELECT 'unchanged'::text, v_old.id;
		RETURN;
	END IF;

	DELETE FROM plans WHERE id = v_old.id;	-- cascades to every child row
	UPDATE documents
	   SET outcome = CASE WHEN v_is_plan THEN 'stored' ELSE 'rejected' END,
	       reason = v_reason, parser_version = p_parser_version,
	       charset = coalesce(p_charset, charset)
	 WHERE id = p_document_id;
	IF v_is_plan THEN
		v_plan := planq_store_plan(p_document_id, p_plan, p_parser_version);
		PERFORM planq_set_current(p.org_name, p.fiscal_year)
		   FROM plans p WHERE p.id = v_plan;
	END IF;
	-- the old key may have lost its current version
	PERFORM planq_set_current(v_old.org_name, v_old.fiscal_year);
	RETURN QUERY SELECT 'changed'::text, v_plan;
END $$;

-- For the daemon: one event (retry, refused, …) about a document that did
-- not (yet) reach planq_ingest.  Returns the event id.
CREATE FUNCTION planq_record_event(p_kind text, p_source_url text, p_reason text)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
BEGIN ATOMIC
	INSERT INTO ingest_events (kind, source_url, reason)
	VALUES (p_kind, p_source_url, p_reason)
	RETURNING id;
END;

-- nobody but the roles granted in sql/roles.sql calls these
REVOKE EXECUTE ON FUNCTION
	planq_try_timestamptz(jsonb),
	planq_set_current(text, integer),
	planq_store_plan(bigint, jsonb, text),
	planq_ingest(bytea, bytea, jsonb, text, text, text, jsonb, text),
	planq_reparse(bigint, jsonb, text, text),
	planq_record_event(text, text, text)
FROM PUBLIC;
