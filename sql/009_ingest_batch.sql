-- 009_ingest_batch: the write path takes a whole batch of documents in one
-- call, so each statement runs once per batch instead of once per document.
-- A worker's batch (up to planqd's batch_max) used to be a pipeline of
-- planq_ingest calls: a dozen statements per document, each paying executor
-- start-up, which cost 1.3 × the backend CPU of COPY of the same rows
-- (bench/RESULTS.md, 2026-12-01).  Now:
--
--   planq_ingest_batch(arrays…)  one statement per step for the batch:
--       check the arguments, insert the new documents, their plans and all
--       their child rows, record the duplicates, offer the new plans as
--       current versions.  Returns one row per document (idx 1…n).
--   planq_ingest(one document)   the same function with arrays of one;
--       its contract (docs/SCHEMA.md) is unchanged.
--   planq_store_plans(docs[], plans[])  plan rows and child rows of many
--       plans in two statements; planq_store_plan (reparse) calls it too.
--   planq_offer_current_batch(plan ids)  takes the (org, year) keys' locks
--       in one global order, then keeps the better of current and new.
--
-- Order inside a batch, chosen so that concurrent batches cannot deadlock:
-- documents are inserted in sha256 order (the unique index's locks), the
-- advisory locks of the (org, year) keys are taken last, in hash order,
-- after every other row lock.  So ids within one batch follow sha256, not
-- arrival; the "newest arrival" tie-break between versions compares ids and
-- is therefore only meaningful between batches (documents of one batch
-- arrived within milliseconds of each other).
--
-- Errors: an argument error names the document (idx) at fault; a plan the
-- schema refuses raises its class 22/23 error.  A batch is all or nothing:
-- the worker then stores its documents one by one (planq_ingest), where the
-- refused plan's part is named (planq_store_plan_by_part) and the others
-- are stored.

-- documents.client_id: the insert below fills it; call the trigger only when
-- an insert leaves it NULL
DROP TRIGGER documents_client_id ON documents;
CREATE TRIGGER documents_client_id BEFORE INSERT ON documents
	FOR EACH ROW WHEN (NEW.client_id IS NULL)
	EXECUTE FUNCTION planq_documents_client_id();

-- Plan rows and every child row of n plans; returns the plan ids in the
-- order of the arguments.  Two statements whatever n is.  Does not touch
-- is_current.
CREATE FUNCTION planq_store_plans(p_document_ids bigint[], p_plans jsonb[],
                                  p_parser_version text) RETURNS bigint[]
LANGUAGE plpgsql
-- the planner guesses 100 rows per jsonb_array_elements, so the nested
-- levels multiply to a cost that would JIT-compile every call (~0.7 s)
SET jit = off
AS $$
DECLARE
	v_ids	bigint[];
	v_state	text;
	v_msg	text;
BEGIN
	WITH src AS (
		SELECT u.doc, u.p, u.n
		  FROM unnest(p_document_ids, p_plans) WITH ORDINALITY AS u(doc, p, n)),
	ins AS (
		INSERT INTO plans (document_id, title, org_name, org_kind, fiscal_year,
		                   fiscal_year_label, stage, head_role, head_name,
		                   published_on, page_id, parsed, parser_version)
		SELECT s.doc, s.p->>'title', s.p->'org'->>'name', s.p->'org'->>'kind',
		       (s.p->>'fiscal_year')::integer, s.p->>'fiscal_year_label',
		       s.p->>'stage', s.p->'head'->>'role', s.p->'head'->>'name',
		       (s.p->>'published_on')::date, s.p->>'page_id', s.p,
		       p_parser_version
		  FROM src s ORDER BY s.n
		RETURNING id, document_id)
	SELECT array_agg(ins.id ORDER BY s.n) INTO v_ids
	  FROM ins JOIN src s ON s.doc = ins.document_id;

	WITH
	src AS (
		SELECT u.plan_id, u.p FROM unnest(v_ids, p_plans) AS u(plan_id, p)),
	texts AS (
		INSERT INTO plan_texts (plan_id, kind, ordinal, body)
		SELECT s.plan_id, k.kind, e.n, e.j #>> '{}'
		  FROM src s
		 CROSS JOIN (VALUES ('goal', 'goals'), ('mission', 'missions'),
		                    ('policy', 'policies')) AS k(kind, field)
		 CROSS JOIN LATERAL jsonb_array_elements(nullif(s.p->k.field, 'null'))
		       WITH ORDINALITY AS e(j, n)),
	issue_src AS (
		SELECT s.plan_id, e.n AS issue_ord, e.j
		  FROM src s
		 CROSS JOIN LATERAL jsonb_array_elements(nullif(s.p->'issues', 'null'))
		       WITH ORDINALITY AS e(j, n)),
	issue_ins AS (
		INSERT INTO issues (plan_id, ordinal, number, title, summary)
		SELECT s.plan_id, s.issue_ord, (s.j->>'number')::integer, s.j->>'title',
		       s.j->>'summary'
		  FROM issue_src s ORDER BY s.plan_id, s.issue_ord
		RETURNING id, plan_id, ordinal),
	strategy_src AS (
		SELECT i.plan_id, i.issue_ord, e.n AS strategy_ord, e.j
		  FROM issue_src i
		 CROSS JOIN LATERAL jsonb_array_elements(nullif(i.j->'strategies', 'null'))
		       WITH ORDINALITY AS e(j, n)),
	strategy_ins AS (
		INSERT INTO strategies (issue_id, ordinal, code, title, body)
		SELECT ii.id, s.strategy_ord, s.j->>'code', s.j->>'title', s.j->>'body'
		  FROM strategy_src s
		  JOIN issue_ins ii ON ii.plan_id = s.plan_id AND ii.ordinal = s.issue_ord
		 ORDER BY s.plan_id, s.issue_ord, s.strategy_ord
		RETURNING id, issue_id, ordinal),
	-- seq is the document order within a plan: by issue, a strategy's
	-- initiatives before the issue's own (strategy_ord NULL)
	initiative_src AS (
		SELECT row_number() OVER (PARTITION BY x.plan_id
		                          ORDER BY x.issue_ord, x.strategy_ord NULLS LAST,
		                                   x.n) AS seq, x.*
		  FROM (SELECT s.plan_id, s.issue_ord, s.strategy_ord, e.n, e.j
		          FROM strategy_src s
		         CROSS JOIN LATERAL jsonb_array_elements(nullif(s.j->'initiatives', 'null'))
		               WITH ORDINALITY AS e(j, n)
		        UNION ALL
		        SELECT i.plan_id, i.issue_ord, NULL, e.n, e.j
		          FROM issue_src i
		         CROSS JOIN LATERAL jsonb_array_elements(nullif(i.j->'initiatives', 'null'))
		               WITH ORDINALITY AS e(j, n)) AS x),
	initiative_ins AS (
		INSERT INTO initiatives (plan_id, issue_id, strategy_id, seq, ordinal,
		                         code, title, body)
		SELECT s.plan_id, ii.id, si.id, s.seq, s.n, s.j->>'code', s.j->>'title',
		       s.j->>'body'
		  FROM initiative_src s
		  JOIN issue_ins ii ON ii.plan_id = s.plan_id AND ii.ordinal = s.issue_ord
		  LEFT JOIN strategy_ins si ON si.issue_id = ii.id
		                           AND si.ordinal = s.strategy_ord
		 ORDER BY s.plan_id, s.seq
		RETURNING id, plan_id, seq),
	budget_ins AS (
		INSERT INTO budgets (initiative_id, ordinal, label, amount_yen)
		SELECT ti.id, e.n, e.j->>'label', (e.j->>'amount_yen')::bigint
		  FROM initiative_src s
		  JOIN initiative_ins ti ON ti.plan_id = s.plan_id AND ti.seq = s.seq
		 CROSS JOIN LATERAL jsonb_array_elements(nullif(s.j->'budgets', 'null'))
		       WITH ORDINALITY AS e(j, n)),
	reform_ins AS (
		INSERT INTO reforms (plan_id, ordinal, title, ref, body)
		SELECT s.plan_id, e.n, e.j->>'title', e.j->>'ref', e.j->>'body'
		  FROM src s
		 CROSS JOIN LATERAL jsonb_array_elements(nullif(s.p->'reforms', 'null'))
		       WITH ORDINALITY AS e(j, n)),
	evaluation_ins AS (
		INSERT INTO evaluations (plan_id, achievements, challenges)
		SELECT s.plan_id, c->>'achievements', c->>'challenges'
		  FROM src s CROSS JOIN LATERAL (SELECT s.p->'evaluation' AS c) AS x
		 WHERE jsonb_typeof(c) = 'object'),
	council_ins AS (
		INSERT INTO council_reflections (plan_id, total_yen, fixed_yen,
		                                 priority_yen, base_yen, ratio_percent)
		SELECT s.plan_id, (c->>'total_yen')::bigint, (c->>'fixed_yen')::bigint,
		       (c->>'priority_yen')::bigint, (c->>'base_yen')::bigint,
		       (c->>'ratio_percent')::numeric
		  FROM src s CROSS JOIN LATERAL (SELECT s.p->'council_reflection' AS c) AS x
		 WHERE jsonb_typeof(c) = 'object')
	INSERT INTO contacts (plan_id, office, phone, fax, address)
	SELECT s.plan_id, c->>'office', c->>'phone', c->>'fax', c->>'address'
	  FROM src s CROSS JOIN LATERAL (SELECT s.p->'contact' AS c) AS x
	 WHERE jsonb_typeof(c) = 'object';

	RETURN v_ids;
EXCEPTION WHEN data_exception OR integrity_constraint_violation THEN
	GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT;
	IF cardinality(p_plans) = 1 THEN
		-- redo part by part: that version raises the same error, naming the part
		PERFORM planq_store_plan_by_part(p_document_ids[1], p_plans[1],
		                                 p_parser_version);
		RAISE EXCEPTION USING ERRCODE = v_state,
		      MESSAGE = 'plan refused: the set-based insert failed but the part-by-part one did not',
		      HINT = 'report this as a bug in sql/009_ingest_batch.sql';
	END IF;
	RAISE EXCEPTION USING ERRCODE = v_state,
	      MESSAGE = format('plan refused: one of the %s plans of the batch: %s',
	                       cardinality(p_plans), v_msg),
	      HINT = 'store the documents one at a time (planq_ingest) to find which';
END $$;

-- reparse's one plan, through the same statements
CREATE OR REPLACE FUNCTION planq_store_plan(p_document_id bigint, p_plan jsonb,
                                 p_parser_version text) RETURNS bigint
LANGUAGE sql
RETURN (planq_store_plans(ARRAY[p_document_id], ARRAY[p_plan], p_parser_version))[1];

-- Makes each new plan the current version of its (org, year) if it beats
-- the current one (final over proposal over draft, then the newest
-- published_on, then the highest document id), under planq_set_current's
-- advisory lock.  Relies on the invariant planq_set_current keeps: the
-- current row is the best of its key, so the best after more plans is the
-- better of the current row and the best new one.  The keys' locks are
-- taken in one order (their hashes) so that two batches cannot deadlock.
-- Planned per call, as planq_ingest_duplicates is (lookups by key).
CREATE FUNCTION planq_offer_current_batch(p_plan_ids bigint[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_lose	bigint[];
	v_win	bigint[];
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('planq.plan_key'), k.h)
	   FROM (SELECT DISTINCT hashtext(p.org_name || '/' || p.fiscal_year::text) AS h
	           FROM plans p
	          WHERE p.id = ANY (p_plan_ids)
	            AND p.org_name IS NOT NULL AND p.fiscal_year IS NOT NULL
	          ORDER BY 1) AS k;
	WITH best_new AS (
		SELECT DISTINCT ON (p.org_name, p.fiscal_year)
		       p.id, p.org_name, p.fiscal_year,
		       (p.stage_rank, coalesce(p.published_on, '-infinity'::date),
		        p.document_id) AS rank
		  FROM plans p
		 WHERE p.id = ANY (p_plan_ids)
		   AND p.org_name IS NOT NULL AND p.fiscal_year IS NOT NULL
		 ORDER BY p.org_name, p.fiscal_year, p.stage_rank DESC,
		          coalesce(p.published_on, '-infinity'::date) DESC,
		          p.document_id DESC)
	SELECT array_agg(cur.id) FILTER (WHERE cur.id IS NOT NULL), array_agg(b.id)
	  INTO v_lose, v_win
	  FROM best_new b
	  LEFT JOIN plans cur ON cur.org_name = b.org_name
	                     AND cur.fiscal_year = b.fiscal_year AND cur.is_current
	 WHERE cur.id IS NULL
	    OR (cur.stage_rank, coalesce(cur.published_on, '-infinity'::date),
	        cur.document_id) < b.rank;
	-- two statements: the unique index is checked row by row
	IF v_lose IS NOT NULL THEN
		UPDATE plans SET is_current = false WHERE id = ANY (v_lose);
	END IF;
	IF v_win IS NOT NULL THEN
		UPDATE plans SET is_current = true WHERE id = ANY (v_win);
	END IF;
END $$;

-- The documents of a batch that were not inserted (positions not in
-- p_new_idx): each is a duplicate of stored bytes, recorded as an
-- ingest_events row with its own source URL.  Returns the batch's rows for
-- them.  Looks rows up by key, so every call is planned for the tables'
-- size of the moment (force_custom_plan): a generic plan made while the
-- tables were small would go on scanning them whole as they grow.
CREATE FUNCTION planq_ingest_duplicates(p_sha bytea[], p_envelope jsonb[],
                                        p_new_idx integer[])
RETURNS TABLE (idx integer, status text, document_id bigint, plan_id bigint,
               reason text)
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
BEGIN
	RETURN QUERY
	WITH dup AS (
		SELECT u.i::integer AS i, d.id, d.outcome, d.reason,
		       planq_envelope_url(u.env) AS url
		  FROM unnest(p_sha, p_envelope) WITH ORDINALITY AS u(sha, env, i)
		  JOIN documents d ON d.sha256 = u.sha
		 WHERE p_new_idx IS NULL OR u.i <> ALL (p_new_idx)),
	ev AS (
		INSERT INTO ingest_events (kind, document_id, source_url, reason)
		SELECT 'duplicate', d.id, d.url, d.reason FROM dup d ORDER BY d.i)
	SELECT d.i,
	       CASE WHEN d.outcome = 'stored' THEN 'duplicate' ELSE 'rejected' END,
	       d.id, p.id, CASE WHEN d.outcome = 'rejected' THEN d.reason END
	  FROM dup d LEFT JOIN plans p ON p.document_id = d.id;
END $$;

-- The first argument error of a batch, as planq_ingest has always worded
-- it (with the document's position when there is more than one); NULL when
-- every document is well-formed.
CREATE FUNCTION planq_ingest_args_error(p_sha256 bytea[], p_raw bytea[],
                                        p_outcome text[], p_reason text[],
                                        p_plan jsonb[], p_parser_version text,
                                        OUT errcode text, OUT message text,
                                        OUT hint text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	n	integer := cardinality(p_raw);
	v	record;
BEGIN
	IF p_parser_version IS NULL OR p_parser_version = '' THEN
		errcode := 'null_value_not_allowed';
		message := 'planq_ingest: p_parser_version is missing';
		RETURN;
	END IF;
	IF n IS NULL OR n = 0
	   OR cardinality(p_sha256) IS DISTINCT FROM n
	   OR cardinality(p_outcome) IS DISTINCT FROM n
	   OR cardinality(p_reason) IS DISTINCT FROM n
	   OR cardinality(p_plan) IS DISTINCT FROM n THEN
		errcode := 'invalid_parameter_value';
		message := format('planq_ingest_batch: the arrays must all hold the same number (> 0) of documents; got sha256 %s, raw %s, outcome %s, reason %s, plan %s',
		                  cardinality(p_sha256), n, cardinality(p_outcome),
		                  cardinality(p_reason), cardinality(p_plan));
		RETURN;
	END IF;
	SELECT u.i,
	       CASE
	       WHEN u.raw IS NULL THEN 'null'
	       WHEN u.sha IS NOT NULL AND u.sha <> sha256(u.raw) THEN 'sha'
	       WHEN u.oc = 'stored' AND (jsonb_typeof(u.plan) IS DISTINCT FROM 'object'
	                                 OR u.plan->'is_plan' = 'false'::jsonb) THEN 'plan'
	       WHEN u.oc = 'rejected' AND (u.rs IS NULL OR u.rs = '') THEN 'reason'
	       WHEN u.oc IS NULL OR u.oc NOT IN ('stored', 'rejected') THEN 'outcome'
	       END AS what, u.sha, u.raw, u.oc
	  INTO v
	  FROM unnest(p_sha256, p_raw, p_outcome, p_reason, p_plan)
	       WITH ORDINALITY AS u(sha, raw, oc, rs, plan, i)
	 WHERE u.raw IS NULL
	    OR (u.sha IS NOT NULL AND u.sha <> sha256(u.raw))
	    OR (u.oc = 'stored' AND (jsonb_typeof(u.plan) IS DISTINCT FROM 'object'
	                             OR u.plan->'is_plan' = 'false'::jsonb))
	    OR (u.oc = 'rejected' AND (u.rs IS NULL OR u.rs = ''))
	    OR u.oc IS NULL OR u.oc NOT IN ('stored', 'rejected')
	 ORDER BY u.i LIMIT 1;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	CASE v.what
	WHEN 'null' THEN
		errcode := 'null_value_not_allowed';
		message := 'planq_ingest: p_raw (the document bytes) is NULL';
	WHEN 'sha' THEN
		errcode := 'data_exception';
		message := format('planq_ingest: p_sha256 %s is not the SHA-256 of the %s raw bytes',
		                  encode(v.sha, 'hex'), octet_length(v.raw));
		hint := 'pass the digest of exactly the bytes received, or NULL to have it computed';
	WHEN 'plan' THEN
		errcode := 'invalid_parameter_value';
		message := 'planq_ingest: outcome ''stored'' needs p_plan, a plan object with is_plan true';
	WHEN 'reason' THEN
		errcode := 'invalid_parameter_value';
		message := 'planq_ingest: outcome ''rejected'' needs a non-empty p_reason';
	ELSE
		errcode := 'invalid_parameter_value';
		message := format('planq_ingest: p_outcome is %L; expected ''stored'' or ''rejected''',
		                  v.oc);
	END CASE;
	IF n > 1 THEN
		message := format('%s (document %s of the batch of %s)', message, v.i, n);
	END IF;
END $$;

-- The worker's write: n documents in one call (see the top of this file and
-- docs/SCHEMA.md).  Each array holds one element per document; p_sha256[i]
-- may be NULL (computed).  One row per document: idx is its position.
CREATE FUNCTION planq_ingest_batch(p_sha256 bytea[], p_raw bytea[],
                                   p_envelope jsonb[], p_charset text[],
                                   p_outcome text[], p_reason text[],
                                   p_plan jsonb[], p_parser_version text)
RETURNS TABLE (idx integer, status text, document_id bigint, plan_id bigint,
               reason text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
SET jit = off AS $$
#variable_conflict use_column
DECLARE
	v_err		record;
	v_sha		bytea[];
	v_new_idx	integer[];	-- positions of the documents inserted here
	v_new_doc	bigint[];	-- and their ids
	v_plan_idx	integer[];	-- positions of the new plans
	v_plan_id	bigint[];
	v_dups		bigint;
BEGIN
	v_err := planq_ingest_args_error(p_sha256, p_raw, p_outcome, p_reason,
	                                 p_plan, p_parser_version);
	IF v_err.errcode IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = v_err.errcode,
		      MESSAGE = v_err.message, HINT = coalesce(v_err.hint, '');
	END IF;
	v_sha := ARRAY(SELECT coalesce(u.sha, sha256(u.raw))
	                 FROM unnest(p_sha256, p_raw) WITH ORDINALITY AS u(sha, raw, i)
	                ORDER BY u.i);

	-- exactly one of concurrent callers with the same bytes inserts; the
	-- others wait for it to commit, then find its row below.  sha256 order
	-- keeps concurrent batches from locking index entries crosswise.
	WITH src AS (
		SELECT u.sha, u.raw, u.env, u.cs, u.oc, u.rs, u.i
		  FROM unnest(v_sha, p_raw, p_envelope, p_charset, p_outcome, p_reason)
		       WITH ORDINALITY AS u(sha, raw, env, cs, oc, rs, i)),
	ins AS (
		INSERT INTO documents (sha256, raw, envelope, client_id, source_url,
		                       fetched_at, content_type, charset, outcome,
		                       reason, parser_version)
		SELECT s.sha, s.raw, s.env,
		       coalesce(s.env->>'client_id', s.env->>'client', s.env->>'id'),
		       planq_envelope_url(s.env),
		       planq_try_timestamptz(s.env->'fetched_at'),
		       s.env->>'content_type', s.cs, s.oc,
		       CASE WHEN s.oc = 'rejected' THEN s.rs END, p_parser_version
		  FROM src s ORDER BY s.sha, s.i
		ON CONFLICT (sha256) DO NOTHING
		RETURNING id, sha256)
	SELECT array_agg(f.i ORDER BY f.i), array_agg(ins.id ORDER BY f.i)
	  INTO v_new_idx, v_new_doc
	  FROM ins CROSS JOIN LATERAL (SELECT min(s.i)::integer AS i FROM src s
	                                WHERE s.sha = ins.sha256) AS f;

	SELECT array_agg(x.i ORDER BY x.i) INTO v_plan_idx
	  FROM unnest(v_new_idx) AS x(i) WHERE p_outcome[x.i] = 'stored';
	IF v_plan_idx IS NOT NULL THEN
		v_plan_id := planq_store_plans(
		    ARRAY(SELECT d.doc FROM unnest(v_new_idx, v_new_doc) AS d(i, doc)
		           WHERE d.i = ANY (v_plan_idx) ORDER BY d.i),
		    ARRAY(SELECT p_plan[x.i] FROM unnest(v_plan_idx) AS x(i) ORDER BY x.i),
		    p_parser_version);
	END IF;

	-- the rest are duplicates of stored bytes (of this batch or earlier)
	RETURN QUERY SELECT * FROM planq_ingest_duplicates(v_sha, p_envelope, v_new_idx);
	GET DIAGNOSTICS v_dups = ROW_COUNT;
	IF v_dups + coalesce(cardinality(v_new_idx), 0) <> cardinality(p_raw) THEN
		-- a stored duplicate was deleted between the two statements
		RAISE EXCEPTION USING ERRCODE = 'serialization_failure',
		      MESSAGE = 'planq_ingest: document vanished while storing a duplicate; retry';
	END IF;

	IF v_plan_id IS NOT NULL THEN
		PERFORM planq_offer_current_batch(v_plan_id);
	END IF;

	RETURN QUERY
	SELECT d.i, CASE WHEN p_outcome[d.i] = 'stored' THEN 'stored' ELSE 'rejected' END,
	       d.doc, pl.id,
	       CASE WHEN p_outcome[d.i] = 'rejected' THEN p_reason[d.i] END
	  FROM unnest(v_new_idx, v_new_doc) AS d(i, doc)
	  LEFT JOIN unnest(v_plan_idx, v_plan_id) AS pl(i, id) ON pl.i = d.i;
END $$;

-- one document: a batch of one (same rows, same errors as before)
CREATE OR REPLACE FUNCTION planq_ingest(p_sha256 bytea, p_raw bytea, p_envelope jsonb,
                             p_charset text, p_outcome text, p_reason text,
                             p_plan jsonb, p_parser_version text)
RETURNS TABLE (status text, document_id bigint, plan_id bigint, reason text)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
BEGIN ATOMIC
	SELECT b.status, b.document_id, b.plan_id, b.reason
	  FROM planq_ingest_batch(ARRAY[p_sha256], ARRAY[p_raw], ARRAY[p_envelope],
	                          ARRAY[p_charset], ARRAY[p_outcome], ARRAY[p_reason],
	                          ARRAY[p_plan], p_parser_version) AS b;
END;

DROP FUNCTION planq_offer_current(bigint);

REVOKE EXECUTE ON FUNCTION
	planq_store_plans(bigint[], jsonb[], text),
	planq_offer_current_batch(bigint[]),
	planq_ingest_duplicates(bytea[], jsonb[], integer[]),
	planq_ingest_args_error(bytea[], bytea[], text[], text[], jsonb[], text),
	planq_ingest_batch(bytea[], bytea[], jsonb[], text[], text[], text[], jsonb[], text)
FROM PUBLIC;
