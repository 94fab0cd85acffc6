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
--   planq_issue_row, _strategy_row, _initiative_row, _budget_row: the big
--       child tables' rows as the worker sends them, built from its parsed
--       plans (workers/plan_rows.c), so the database does not take the JSON
--       apart again (0.3 ms of backend CPU per plan); planq_plan_rows()
--       builds the same from the JSON for callers that send none.
--   planq_store_plans(docs[], plans[], rows…)  plan rows and child rows of
--       a batch: each table one INSERT … SELECT from its array, ids drawn
--       first, parents named by position; planq_store_plan (reparse) too.
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

-- The rows of the four big child tables, as arrays a batch call carries:
-- one element per row, parents named by their position in the batch (doc:
-- the document's position; issue, strategy, initiative: the row's position
-- in its own array).  The worker builds them from its parsed plans
-- (workers/plan_rows.c), so the database does not take the JSON apart;
-- planq_plan_rows() builds the same arrays from the plan JSON for callers
-- that send none.
CREATE TYPE planq_issue_row AS (doc integer, ordinal integer, number integer,
                                title text, summary text);
CREATE TYPE planq_strategy_row AS (issue integer, ordinal integer, code text,
                                   title text, body text);
-- seq: the initiative's place in its plan, in document order (by issue, a
-- strategy's initiatives before the issue's own); strategy NULL: the
-- issue's own
CREATE TYPE planq_initiative_row AS (doc integer, issue integer,
                                     strategy integer, seq integer,
                                     ordinal integer, code text, title text,
                                     body text);
CREATE TYPE planq_budget_row AS (initiative integer, ordinal integer,
                                 label text, amount_yen bigint);

-- The four row arrays of plans given as JSON, p_plans[i] at position i
-- (NULL: no plan there).
CREATE FUNCTION planq_plan_rows(p_plans jsonb[],
                                OUT issues planq_issue_row[],
                                OUT strategies planq_strategy_row[],
                                OUT initiatives planq_initiative_row[],
                                OUT budgets planq_budget_row[])
LANGUAGE plpgsql STABLE
-- the planner guesses 100 rows per jsonb_array_elements, so the nested
-- levels multiply to a cost that would JIT-compile every call (~0.7 s)
SET jit = off
AS $$
BEGIN
	WITH
	issue_src AS (
		SELECT u.doc::integer AS doc, e.n::integer AS ord, e.j,
		       row_number() OVER (ORDER BY u.doc, e.n)::integer AS k
		  FROM unnest(p_plans) WITH ORDINALITY AS u(p, doc)
		 CROSS JOIN LATERAL jsonb_array_elements(nullif(u.p->'issues', 'null'))
		       WITH ORDINALITY AS e(j, n)),
	strategy_src AS (
		SELECT i.doc, i.k AS issue, e.n::integer AS ord, e.j,
		       row_number() OVER (ORDER BY i.k, e.n)::integer AS k
		  FROM issue_src i
		 CROSS JOIN LATERAL jsonb_array_elements(nullif(i.j->'strategies', 'null'))
		       WITH ORDINALITY AS e(j, n)),
	initiative_src AS (
		SELECT x.*,
		       row_number() OVER (PARTITION BY x.doc
		                          ORDER BY x.issue, x.strategy NULLS LAST, x.ord)::integer AS seq,
		       row_number() OVER (ORDER BY x.doc, x.issue, x.strategy NULLS LAST,
		                                   x.ord)::integer AS k
		  FROM (SELECT s.doc, s.issue, s.k AS strategy, e.n::integer AS ord, e.j
		          FROM strategy_src s
		         CROSS JOIN LATERAL jsonb_array_elements(nullif(s.j->'initiatives', 'null'))
		               WITH ORDINALITY AS e(j, n)
		        UNION ALL
		        SELECT i.doc, i.k, NULL, e.n::integer, e.j
		          FROM issue_src i
		         CROSS JOIN LATERAL jsonb_array_elements(nullif(i.j->'initiatives', 'null'))
		               WITH ORDINALITY AS e(j, n)) AS x)
	SELECT (SELECT array_agg(ROW(i.doc, i.ord, (i.j->>'number')::integer,
	                             i.j->>'title', i.j->>'summary')::planq_issue_row
	                         ORDER BY i.k) FROM issue_src i),
	       (SELECT array_agg(ROW(s.issue, s.ord, s.j->>'code', s.j->>'title',
	                             s.j->>'body')::planq_strategy_row
	                         ORDER BY s.k) FROM strategy_src s),
	       (SELECT array_agg(ROW(t.doc, t.issue, t.strategy, t.seq, t.ord,
	                             t.j->>'code', t.j->>'title',
	                             t.j->>'body')::planq_initiative_row
	                         ORDER BY t.k) FROM initiative_src t),
	       (SELECT array_agg(ROW(t.k, e.n::integer, e.j->>'label',
	                             (e.j->>'amount_yen')::bigint)::planq_budget_row
	                         ORDER BY t.k, e.n)
	          FROM initiative_src t
	         CROSS JOIN LATERAL jsonb_array_elements(nullif(t.j->'budgets', 'null'))
	               WITH ORDINALITY AS e(j, n))
	  INTO issues, strategies, initiatives, budgets;
END $$;

-- Why the row arrays a caller sent cannot be the rows of n documents, NULL
-- when they can: every parent must exist, and an initiative's issue and
-- strategy must belong to its document and issue.  A worker that sent
-- them otherwise would file rows under the wrong plan.
CREATE FUNCTION planq_plan_rows_error(n integer,
                                      p_issues planq_issue_row[],
                                      p_strategies planq_strategy_row[],
                                      p_initiatives planq_initiative_row[],
                                      p_budgets planq_budget_row[])
RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	-- parents' positions as plain integer arrays (0 for NULL): a subscript
	-- of such an array is O(1), so each check is one pass
	v_issue_doc	integer[];
	v_strat_issue	integer[];
BEGIN
	v_issue_doc := ARRAY(SELECT coalesce(i.doc, 0)
	                       FROM unnest(p_issues) WITH ORDINALITY AS i(doc, o, nu, t, s, k)
	                      ORDER BY i.k);
	v_strat_issue := ARRAY(SELECT coalesce(s.issue, 0)
	                         FROM unnest(p_strategies) WITH ORDINALITY AS s(issue, o, c, t, b, k)
	                        ORDER BY s.k);
	IF EXISTS (SELECT 1 FROM unnest(v_issue_doc) AS d WHERE d NOT BETWEEN 1 AND n) THEN
		RETURN 'an issue names no document of the batch';
	END IF;
	IF EXISTS (SELECT 1 FROM unnest(v_strat_issue) AS i
	            WHERE i NOT BETWEEN 1 AND cardinality(v_issue_doc)) THEN
		RETURN 'a strategy names no issue of the batch';
	END IF;
	IF EXISTS (SELECT 1 FROM unnest(p_initiatives) AS t
	            WHERE t.issue IS NULL OR t.issue NOT BETWEEN 1 AND cardinality(v_issue_doc)
	               OR v_issue_doc[t.issue] IS DISTINCT FROM t.doc
	               OR (t.strategy IS NOT NULL
	                   AND (t.strategy NOT BETWEEN 1 AND cardinality(v_strat_issue)
	                        OR v_strat_issue[t.strategy] <> t.issue))) THEN
		RETURN 'an initiative names an issue or strategy not of its document';
	END IF;
	IF EXISTS (SELECT 1 FROM unnest(p_budgets) AS b
	            WHERE b.initiative IS NULL
	               OR b.initiative NOT BETWEEN 1 AND coalesce(cardinality(p_initiatives), 0)) THEN
		RETURN 'a budget names no initiative of the batch';
	END IF;
	RETURN NULL;
END $$;

-- Plan rows and every child row of the plans of a batch.  Position i gets
-- a plan when p_document_ids[i] is not NULL (the document just inserted),
-- from p_plans[i] and the rows naming doc i; the rows of the other
-- positions are skipped.  Returns the plan ids by position (NULL: none).
-- Row arrays NULL: built from the JSON (planq_plan_rows).  Child ids are
-- drawn from their sequences first, so that every row is one INSERT …
-- SELECT from its array that names its parents by position, with no join.
-- Does not touch is_current.
CREATE FUNCTION planq_store_plans(p_document_ids bigint[], p_plans jsonb[],
                                  p_parser_version text,
                                  p_issues planq_issue_row[] DEFAULT NULL,
                                  p_strategies planq_strategy_row[] DEFAULT NULL,
                                  p_initiatives planq_initiative_row[] DEFAULT NULL,
                                  p_budgets planq_budget_row[] DEFAULT NULL)
RETURNS bigint[]
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	v_plan	bigint[];	-- by position; 0 where none (no NULLs: subscripts
	v_issue	bigint[];	-- of arrays without NULLs cost O(1))
	v_strat	bigint[];
	v_init	bigint[];
	v_rows	record;
	v_state	text;
	v_msg	text;
BEGIN
	IF p_issues IS NULL AND p_strategies IS NULL AND p_initiatives IS NULL
	   AND p_budgets IS NULL THEN
		v_rows := planq_plan_rows(p_plans);
		p_issues := v_rows.issues;
		p_strategies := v_rows.strategies;
		p_initiatives := v_rows.initiatives;
		p_budgets := v_rows.budgets;
	END IF;

	WITH src AS (
		SELECT u.doc, u.p, u.n
		  FROM unnest(p_document_ids, p_plans) WITH ORDINALITY AS u(doc, p, n)
		 WHERE u.doc IS NOT NULL),
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
	SELECT array_agg(coalesce(ins.id, 0) ORDER BY u.n) INTO v_plan
	  FROM unnest(p_document_ids) WITH ORDINALITY AS u(doc, n)
	  LEFT JOIN ins ON ins.document_id = u.doc;

	v_issue := ARRAY(SELECT CASE WHEN v_plan[i.doc] <> 0
	                             THEN nextval('issues_id_seq') ELSE 0 END
	                   FROM unnest(p_issues) WITH ORDINALITY AS i(doc, o, nu, t, s, k)
	                  ORDER BY i.k);
	INSERT INTO issues (id, plan_id, ordinal, number, title, summary)
	OVERRIDING SYSTEM VALUE
	SELECT v_issue[i.k], v_plan[i.doc], i.ordinal, i.number, i.title, i.summary
	  FROM unnest(p_issues) WITH ORDINALITY AS i(doc, ordinal, number, title, summary, k)
	 WHERE v_issue[i.k] <> 0;

	v_strat := ARRAY(SELECT CASE WHEN v_issue[s.issue] <> 0
	                             THEN nextval('strategies_id_seq') ELSE 0 END
	                   FROM unnest(p_strategies) WITH ORDINALITY AS s(issue, o, c, t, b, k)
	                  ORDER BY s.k);
	INSERT INTO strategies (id, issue_id, ordinal, code, title, body)
	OVERRIDING SYSTEM VALUE
	SELECT v_strat[s.k], v_issue[s.issue], s.ordinal, s.code, s.title, s.body
	  FROM unnest(p_strategies) WITH ORDINALITY AS s(issue, ordinal, code, title, body, k)
	 WHERE v_strat[s.k] <> 0;

	v_init := ARRAY(SELECT CASE WHEN v_plan[t.doc] <> 0
	                            THEN nextval('initiatives_id_seq') ELSE 0 END
	                  FROM unnest(p_initiatives) WITH ORDINALITY
	                       AS t(doc, i, s, q, o, c, ti, b, k)
	                 ORDER BY t.k);
	INSERT INTO initiatives (id, plan_id, issue_id, strategy_id, seq, ordinal,
	                         code, title, body)
	OVERRIDING SYSTEM VALUE
	SELECT v_init[t.k], v_plan[t.doc], v_issue[t.issue],
	       CASE WHEN t.strategy IS NOT NULL THEN v_strat[t.strategy] END,
	       t.seq, t.ordinal, t.code, t.title, t.body
	  FROM unnest(p_initiatives) WITH ORDINALITY
	       AS t(doc, issue, strategy, seq, ordinal, code, title, body, k)
	 WHERE v_init[t.k] <> 0;

	INSERT INTO budgets (initiative_id, ordinal, label, amount_yen)
	SELECT v_init[b.initiative], b.ordinal, b.label, b.amount_yen
	  FROM unnest(p_budgets) AS b
	 WHERE v_init[b.initiative] <> 0;

	-- the small parts (a handful of rows per plan) straight from the JSON
	WITH
	src AS (
		SELECT u.plan_id, u.p FROM unnest(v_plan, p_plans) AS u(plan_id, p)
		 WHERE u.plan_id <> 0),
	texts AS (
		INSERT INTO plan_texts (plan_id, kind, ordinal, body)
		SELECT s.plan_id, k.kind, e.n, e.j #>> '{}'
		  FROM src s
		 CROSS JOIN (VALUES ('goal', 'goals'), ('mission', 'missions'),
		                    ('policy', 'policies')) AS k(kind, field)
		 CROSS JOIN LATERAL jsonb_array_elements(nullif(s.p->k.field, 'null'))
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

	RETURN ARRAY(SELECT nullif(u.id, 0) FROM unnest(v_plan) WITH ORDINALITY AS u(id, n)
	              ORDER BY u.n);
EXCEPTION WHEN data_exception OR integrity_constraint_violation THEN
	GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT;
	IF cardinality(p_plans) = 1 AND p_document_ids[1] IS NOT NULL THEN
		-- redo part by part: that version raises the same error, naming the part
		PERFORM planq_store_plan_by_part(p_document_ids[1], p_plans[1],
		                                 p_parser_version);
		RAISE EXCEPTION USING ERRCODE = v_state,
		      MESSAGE = 'plan refused: the set-based insert failed but the part-by-part one did not',
		      HINT = 'report this as a bug in sql/009_ingest_batch.sql';
	END IF;
	RAISE EXCEPTION USING ERRCODE = v_state,
	      MESSAGE = format('plan refused: one of the %s plans of the batch: %s',
	                       cardinality(array_remove(p_document_ids, NULL)), v_msg),
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
CREATE FUNCTION planq_offer_current_batch(p_plan_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
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
-- them.
CREATE FUNCTION planq_ingest_duplicates(p_sha bytea[], p_envelope jsonb[],
                                        p_new_idx integer[])
RETURNS TABLE (idx integer, status text, document_id bigint, plan_id bigint,
               reason text)
LANGUAGE plpgsql AS $$
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
-- may be NULL (computed).  The row arrays (planq_issue_row …) are the
-- child rows of the plans by position, or NULL to have them taken from
-- p_plan.  One row per document: idx is its position.
--
-- Plans: every statement below is planned once per session and reused
-- (force_generic_plan): re-planning the dozen statements of a batch on
-- each call cost as much as storing a small document.  A generic plan is
-- made without knowing how big the tables are, and one made while they
-- were small would scan them whole ever after, so sequential scans are
-- off: every table is reached through a key here (an id, a sha256, an
-- (org, year)), so an index is always the right way in.
CREATE FUNCTION planq_ingest_batch(p_sha256 bytea[], p_raw bytea[],
                                   p_envelope jsonb[], p_charset text[],
                                   p_outcome text[], p_reason text[],
                                   p_plan jsonb[], p_parser_version text,
                                   p_issues planq_issue_row[] DEFAULT NULL,
                                   p_strategies planq_strategy_row[] DEFAULT NULL,
                                   p_initiatives planq_initiative_row[] DEFAULT NULL,
                                   p_budgets planq_budget_row[] DEFAULT NULL)
RETURNS TABLE (idx integer, status text, document_id bigint, plan_id bigint,
               reason text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_generic_plan SET enable_seqscan = off
AS $$
#variable_conflict use_column
DECLARE
	v_err		record;
	v_rows_err	text;
	v_sha		bytea[];
	v_new_idx	integer[];	-- positions of the documents inserted here
	v_new_doc	bigint[];	-- and their ids
	v_doc_at	bigint[];	-- by position: the new document to get a plan
	v_plan_at	bigint[];	-- by position: its plan
	v_dups		bigint;
BEGIN
	v_err := planq_ingest_args_error(p_sha256, p_raw, p_outcome, p_reason,
	                                 p_plan, p_parser_version);
	IF v_err.errcode IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = v_err.errcode,
		      MESSAGE = v_err.message, HINT = coalesce(v_err.hint, '');
	END IF;
	IF p_issues IS NOT NULL OR p_strategies IS NOT NULL
	   OR p_initiatives IS NOT NULL OR p_budgets IS NOT NULL THEN
		v_rows_err := planq_plan_rows_error(cardinality(p_raw), p_issues,
		                                    p_strategies, p_initiatives, p_budgets);
		IF v_rows_err IS NOT NULL THEN
			RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			      MESSAGE = 'planq_ingest_batch: ' || v_rows_err,
			      HINT = 'the plan rows must name their document, issue, strategy and initiative by position in the batch';
		END IF;
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

	v_doc_at := ARRAY(SELECT d.doc
	                    FROM generate_series(1, cardinality(p_raw)) AS x(i)
	                    LEFT JOIN unnest(v_new_idx, v_new_doc) AS d(i, doc)
	                           ON d.i = x.i AND p_outcome[x.i] = 'stored'
	                   ORDER BY x.i);
	IF array_remove(v_doc_at, NULL) <> '{}' THEN
		v_plan_at := planq_store_plans(v_doc_at, p_plan, p_parser_version,
		                               p_issues, p_strategies, p_initiatives,
		                               p_budgets);
	END IF;

	-- the rest are duplicates of stored bytes (of this batch or earlier)
	RETURN QUERY SELECT * FROM planq_ingest_duplicates(v_sha, p_envelope, v_new_idx);
	GET DIAGNOSTICS v_dups = ROW_COUNT;
	IF v_dups + coalesce(cardinality(v_new_idx), 0) <> cardinality(p_raw) THEN
		-- a stored duplicate was deleted between the two statements
		RAISE EXCEPTION USING ERRCODE = 'serialization_failure',
		      MESSAGE = 'planq_ingest: document vanished while storing a duplicate; retry';
	END IF;

	IF v_plan_at IS NOT NULL THEN
		PERFORM planq_offer_current_batch(array_remove(v_plan_at, NULL));
	END IF;

	RETURN QUERY
	SELECT d.i, CASE WHEN p_outcome[d.i] = 'stored' THEN 'stored' ELSE 'rejected' END,
	       d.doc, v_plan_at[d.i],
	       CASE WHEN p_outcome[d.i] = 'rejected' THEN p_reason[d.i] END
	  FROM unnest(v_new_idx, v_new_doc) AS d(i, doc);
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
	planq_plan_rows(jsonb[]),
	planq_plan_rows_error(integer, planq_issue_row[], planq_strategy_row[],
	                      planq_initiative_row[], planq_budget_row[]),
	planq_store_plans(bigint[], jsonb[], text, planq_issue_row[],
	                  planq_strategy_row[], planq_initiative_row[],
	                  planq_budget_row[]),
	planq_offer_current_batch(bigint[]),
	planq_ingest_duplicates(bytea[], jsonb[], integer[]),
	planq_ingest_args_error(bytea[], bytea[], text[], text[], jsonb[], text),
	planq_ingest_batch(bytea[], bytea[], jsonb[], text[], text[], text[], jsonb[],
	                   text, planq_issue_row[], planq_strategy_row[],
	                   planq_initiative_row[], planq_budget_row[])
FROM PUBLIC;

-- the workers' role may call the new function at once (sql/roles.sql grants
-- it too, when `planq db roles` runs)
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'planq_ingest') THEN
		GRANT EXECUTE ON FUNCTION planq_ingest_batch(bytea[], bytea[], jsonb[],
		      text[], text[], text[], jsonb[], text, planq_issue_row[],
		      planq_strategy_row[], planq_initiative_row[], planq_budget_row[])
		   TO planq_ingest;
	END IF;
END $$;
