-- functions/planq_ingest_rows.sql: the worker's write (docs/SCHEMA.md): n
-- documents in one call, each statement once for the whole batch: check
-- the arguments, insert the new documents, their plans and all their rows
-- (planq_store_plans), record the duplicates, offer the new plans as
-- current versions (planq_offer_current_batch).  Granted to planq_ingest by
-- sql/roles.sql.  planq_ingest_batch is this function for callers that
-- send the plans' JSON instead of their facts; planq_ingest is that with
-- arrays of one.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.
--
-- Each array holds one element per document; p_sha256[i] may be NULL
-- (computed).  p_rows (planq_plan_rowset, migration 017: one array per
-- part, of the row types of migrations 009 and 010) holds every row of
-- the plans, built by the caller from its parse (rows/plan_rows.c), naming
-- their document by its position: a document stored as a plan needs its
-- plan row, its fact row (p_facts, planq_plan_fact_row of migration 015:
-- its digest, org.printed_name and warnings' codes, rows/plan_facts.c) and
-- the rows of its parts (NULL: none).  A document with outcome 'stored' needs a fact row: that is what
-- says it has a plan (the database never sees the plan JSON itself).
-- One row per document: idx is its position.
--
-- Order inside a batch, chosen so that concurrent batches cannot deadlock:
-- documents are inserted in sha256 order (the unique index's locks), the
-- advisory locks of the (org, year) keys are taken last, in hash order,
-- after every other row lock.  So ids within one batch follow sha256, not
-- arrival; the "newest arrival" tie-break between versions compares ids and
-- is therefore only meaningful between batches.
--
-- Errors: an argument error names the document (idx) at fault; a plan the
-- schema refuses raises its class 22/23 error.  A batch is all or nothing:
-- the worker then stores its documents one by one (planq_ingest), where the
-- refused plan's part is named and the others are stored.
--
-- Plans: every statement below is planned once per session and reused
-- (force_generic_plan): re-planning the dozen statements of a batch on
-- each call cost as much as storing a small document.  A generic plan is
-- made without knowing how big the tables are, and one made while they
-- were small would scan them whole ever after, so sequential scans are
-- off: every table is reached through a key here (an id, a sha256, an
-- (org, year)), so an index is always the right way in.
CREATE OR REPLACE FUNCTION planq_ingest_rows(p_sha256 bytea[], p_raw bytea[],
                                   p_envelope jsonb[], p_charset text[],
                                   p_outcome text[], p_reason text[],
                                   p_facts planq_plan_fact_row[],
                                   p_parser_version text,
                                   p_rows planq_plan_rowset DEFAULT NULL)
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
	             ARRAY(SELECT EXISTS (SELECT 1 FROM unnest(p_facts) AS f
	                                   WHERE f.doc = x.i)
	                     FROM generate_series(1, cardinality(p_raw)) AS x(i)
	                    ORDER BY x.i),
	             p_parser_version);
	IF v_err.errcode IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = v_err.errcode,
		      MESSAGE = v_err.message, HINT = coalesce(v_err.hint, '');
	END IF;
	-- (no "p_rows IS NULL" test first: that would flatten a copy of every
	-- row; with no rows at all the checks below are a few empty scans)
	v_rows_err := planq_plan_rows_error(cardinality(p_raw), p_rows);
	IF v_rows_err IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
		      MESSAGE = 'planq_ingest_batch: ' || v_rows_err,
		      HINT = 'the plan rows must name their document, issue, strategy and initiative by position in the batch';
	END IF;
	v_sha := ARRAY(SELECT coalesce(u.sha, sha256(u.raw))
	                 FROM unnest(p_sha256, p_raw) WITH ORDINALITY AS u(sha, raw, i)
	                ORDER BY u.i);

	-- exactly one of concurrent callers with the same bytes inserts; the
	-- others wait for it to commit, then find its row below.  sha256 order
	-- keeps concurrent batches from locking index entries crosswise.  The
	-- positions of the inserted rows come from v_sha, not from src: src
	-- read twice would be a materialised CTE, and each inserted row's
	-- look-up would copy every document's bytes again.
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
	  FROM ins CROSS JOIN LATERAL (SELECT min(s.i)::integer AS i
	                                 FROM unnest(v_sha) WITH ORDINALITY AS s(sha, i)
	                                WHERE s.sha = ins.sha256) AS f;

	v_doc_at := ARRAY(SELECT d.doc
	                    FROM generate_series(1, cardinality(p_raw)) AS x(i)
	                    LEFT JOIN unnest(v_new_idx, v_new_doc) AS d(i, doc)
	                           ON d.i = x.i AND p_outcome[x.i] = 'stored'
	                   ORDER BY x.i);
	IF array_remove(v_doc_at, NULL) <> '{}' THEN
		v_plan_at := planq_store_plans(v_doc_at, p_facts, p_parser_version,
		                               p_rows);
	END IF;

	-- the rest are duplicates of stored bytes (of this batch or earlier);
	-- a batch whose every document was inserted has none to look up
	v_dups := 0;
	IF coalesce(cardinality(v_new_idx), 0) < cardinality(p_raw) THEN
		RETURN QUERY SELECT * FROM planq_ingest_duplicates(v_sha, p_envelope, v_new_idx);
		GET DIAGNOSTICS v_dups = ROW_COUNT;
	END IF;
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

-- not for PUBLIC: for the planq_ingest role (sql/roles.sql; and at once)
SELECT planq_grant_to_ingest('planq_ingest_rows');
