-- functions/planq_store_plans.sql: the plans and every row of their parts,
-- for a batch (planq_ingest_rows) or one plan (planq_reparse), from the
-- rows the caller built (rows/plan_rows.c).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- Position i gets a plan when p_document_ids[i] is not NULL (the document
-- just inserted): its plans row from p_rows.plan_rows and p_facts (the
-- rows naming doc i, which must be there), and the rows of every other
-- array of p_rows (planq_plan_rowset, sql/017_plan_rowset.sql) that name
-- doc i; the rows of the other positions are skipped.  Returns
-- the plan ids by position (NULL: none).  Does not touch is_current.
--
-- Three columns of plans are not rows of the plan but facts about its
-- parse, given in p_facts (sql/015_plan_facts.sql: the caller read them
-- from the plan JSON, which the database no longer receives; or
-- planq_plan_facts did, for the callers that still send it):
-- parsed_sha256 (planq_plan_digest of the JSON, sql/014_plans_parsed_digest.sql),
-- org_printed_name (org.printed_name; the row's org_name when the parser
-- wrote none), warning_codes (the codes of its warnings, in order; NULL
-- when the parser wrote no warnings list; sql/011_orgs_and_warnings.sql).
--
-- What the reporting views would otherwise compute at every read is
-- stored with the rows (sql/013_stored_for_views.sql), from the arrays
-- given here: each plan's counts (issues, strategies, initiatives, the sum
-- of the main budgets and the initiatives without a main amount) and each
-- initiative's planq_norm_title(title) and main budget (its budgets row of
-- ordinal 1); and each initiative's issue number and title and strategy
-- code and title (sql/016_initiatives_issue_strategy.sql).
--
-- Values come as the plan JSON's text and are cast here, so a value the
-- schema refuses fails in the INSERT of its part: for a single plan the
-- error is raised again with the part named ("plan refused: bad issues[]:
-- …"), for a batch with the number of plans (the caller then stores them
-- one at a time to find the plan).  Child ids are drawn from their
-- sequences first (each session caches 64 of them, sql/021_write_path.sql),
-- so that every row is one INSERT … SELECT from its array that names its
-- parents by position, with no join.
CREATE OR REPLACE FUNCTION planq_store_plans(p_document_ids bigint[],
                                  p_facts planq_plan_fact_row[],
                                  p_parser_version text,
                                  p_rows planq_plan_rowset)
RETURNS bigint[]
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	v_plan	bigint[];	-- by position; 0 where none (no NULLs: subscripts
	v_issue	bigint[];	-- of arrays without NULLs cost O(1))
	v_strat	bigint[];
	v_init	bigint[];
	v_missing bigint;
	v_has_rows boolean;
	v_count	integer := cardinality(array_remove(p_document_ids, NULL));
	v_part	text;
	v_state	text;
	v_msg	text;
	v_detail text;
	-- the two arrays read by subscript, one element per initiative: in
	-- variables, which PL/pgSQL keeps expanded, a subscript costs O(1); in
	-- p_rows, a flat array, it walks the elements before it
	v_issues planq_issue_row[] := p_rows.issues;
	v_strats planq_strategy_row[] := p_rows.strategies;
BEGIN
	SELECT u.n, EXISTS (SELECT 1 FROM unnest(p_rows.plan_rows) AS r WHERE r.doc = u.n)
	  INTO v_missing, v_has_rows
	  FROM unnest(p_document_ids) WITH ORDINALITY AS u(doc, n)
	 WHERE u.doc IS NOT NULL
	   AND (NOT EXISTS (SELECT 1 FROM unnest(p_rows.plan_rows) AS r WHERE r.doc = u.n)
	        OR NOT EXISTS (SELECT 1 FROM unnest(p_facts) AS f WHERE f.doc = u.n))
	 ORDER BY u.n LIMIT 1;
	IF v_missing IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
		      MESSAGE = format('planq_ingest: document %s of the batch is to be stored as a plan but %s has no row for it',
		                       v_missing,
		                       CASE WHEN v_has_rows THEN 'p_facts' ELSE 'p_rows.plan_rows' END),
		      HINT = 'send every row of the plan, as rows/plan_rows.c and rows/plan_facts.c build them';
	END IF;

	BEGIN
		-- (the main amounts are summed into plans: a bad one fails this
		-- INSERT first, and the handler below names it as a budget)
		v_part := 'top-level field (title, org, fiscal_year, stage, head, published_on, page_id)';
		WITH src AS (
			SELECT u.doc, u.n
			  FROM unnest(p_document_ids) WITH ORDINALITY AS u(doc, n)
			 WHERE u.doc IS NOT NULL),
		-- the counts by position (plans_all_versions' columns)
		ci AS (
			SELECT i.doc, count(*) AS n FROM unnest(p_rows.issues) AS i GROUP BY i.doc),
		cs AS (
			SELECT i.doc, count(*) AS n
			  FROM unnest(p_rows.strategies) AS s
			  JOIN unnest(p_rows.issues) WITH ORDINALITY AS i(doc, o, nu, t, su, k)
			    ON i.k = s.issue
			 GROUP BY i.doc),
		ct AS (
			SELECT t.doc, count(*) AS n,
			       coalesce(sum(b.amount_yen::bigint), 0)::bigint AS total_yen,
			       count(*) FILTER (WHERE b.amount_yen IS NULL) AS without_amount
			  FROM unnest(p_rows.initiatives) WITH ORDINALITY
			       AS t(doc, i, s, q, o, c, ti, bo, k)
			  JOIN src ON src.n = t.doc
			  LEFT JOIN unnest(p_rows.budgets) AS b ON b.initiative = t.k AND b.ordinal = 1
			 GROUP BY t.doc),
		ins AS (
			INSERT INTO plans (document_id, title, org_name, org_kind, fiscal_year,
			                   fiscal_year_label, stage, head_role, head_name,
			                   published_on, page_id, parsed_sha256, parser_version,
			                   org_printed_name, warning_codes, issue_count,
			                   strategy_count, initiative_count, main_total_yen,
			                   initiatives_without_amount)
			SELECT s.doc, r.title, r.org_name, r.org_kind, r.fiscal_year::integer,
			       r.fiscal_year_label, r.stage, r.head_role, r.head_name,
			       r.published_on::date, r.page_id, f.parsed_sha256,
			       p_parser_version, coalesce(f.org_printed_name, r.org_name),
			       f.warning_codes,
			       coalesce(ci.n, 0), coalesce(cs.n, 0), coalesce(ct.n, 0),
			       coalesce(ct.total_yen, 0), coalesce(ct.without_amount, 0)
			  FROM src s JOIN unnest(p_rows.plan_rows) AS r ON r.doc = s.n
			  JOIN unnest(p_facts) AS f ON f.doc = s.n
			  LEFT JOIN ci ON ci.doc = s.n
			  LEFT JOIN cs ON cs.doc = s.n
			  LEFT JOIN ct ON ct.doc = s.n
			 ORDER BY s.n
			RETURNING id, document_id)
		SELECT array_agg(coalesce(ins.id, 0) ORDER BY u.n) INTO v_plan
		  FROM unnest(p_document_ids) WITH ORDINALITY AS u(doc, n)
		  LEFT JOIN ins ON ins.document_id = u.doc;

		v_part := 'goals/missions/policies item';
		IF cardinality(p_rows.texts) > 0 THEN
			INSERT INTO plan_texts (plan_id, kind, ordinal, body)
			SELECT v_plan[t.doc], t.kind, t.ordinal, t.body
			  FROM unnest(p_rows.texts) AS t
			 WHERE v_plan[t.doc] <> 0;
		END IF;

		v_part := 'issues[]';
		v_issue := ARRAY(SELECT CASE WHEN v_plan[i.doc] <> 0
		                             THEN nextval('issues_id_seq') ELSE 0 END
		                   FROM unnest(p_rows.issues) WITH ORDINALITY AS i(doc, o, nu, t, s, k)
		                  ORDER BY i.k);
		INSERT INTO issues (id, plan_id, ordinal, number, title, summary)
		OVERRIDING SYSTEM VALUE
		SELECT v_issue[i.k], v_plan[i.doc], i.ordinal, i.number::integer, i.title,
		       i.summary
		  FROM unnest(p_rows.issues) WITH ORDINALITY AS i(doc, ordinal, number, title, summary, k)
		 WHERE v_issue[i.k] <> 0;

		v_part := 'issues[].strategies[]';
		v_strat := ARRAY(SELECT CASE WHEN v_issue[s.issue] <> 0
		                             THEN nextval('strategies_id_seq') ELSE 0 END
		                   FROM unnest(p_rows.strategies) WITH ORDINALITY AS s(issue, o, c, t, b, k)
		                  ORDER BY s.k);
		INSERT INTO strategies (id, issue_id, ordinal, code, title, body)
		OVERRIDING SYSTEM VALUE
		SELECT v_strat[s.k], v_issue[s.issue], s.ordinal, s.code, s.title, s.body
		  FROM unnest(p_rows.strategies) WITH ORDINALITY AS s(issue, ordinal, code, title, body, k)
		 WHERE v_strat[s.k] <> 0;

		v_part := 'issues[].strategies[].initiatives[] or issues[].initiatives[]';
		v_init := ARRAY(SELECT CASE WHEN v_plan[t.doc] <> 0
		                            THEN nextval('initiatives_id_seq') ELSE 0 END
		                  FROM unnest(p_rows.initiatives) WITH ORDINALITY
		                       AS t(doc, i, s, q, o, c, ti, b, k)
		                 ORDER BY t.k);
		INSERT INTO initiatives (id, plan_id, issue_id, strategy_id, seq, ordinal,
		                         code, title, body, norm_title, main_budget_label,
		                         main_amount_yen, issue_number, issue_title,
		                         strategy_code, strategy_title)
		OVERRIDING SYSTEM VALUE
		SELECT v_init[t.k], v_plan[t.doc], v_issue[t.issue],
		       CASE WHEN t.strategy IS NOT NULL THEN v_strat[t.strategy] END,
		       t.seq, t.ordinal, t.code, t.title, t.body, planq_norm_title(t.title),
		       b.label, b.amount_yen::bigint,
		       (v_issues[t.issue]).number::integer, (v_issues[t.issue]).title,
		       CASE WHEN t.strategy IS NOT NULL THEN (v_strats[t.strategy]).code END,
		       CASE WHEN t.strategy IS NOT NULL THEN (v_strats[t.strategy]).title END
		  FROM unnest(p_rows.initiatives) WITH ORDINALITY
		       AS t(doc, issue, strategy, seq, ordinal, code, title, body, k)
		  LEFT JOIN unnest(p_rows.budgets) AS b ON b.initiative = t.k AND b.ordinal = 1
		 WHERE v_init[t.k] <> 0;

		v_part := 'initiatives[].budgets[] (label, amount_yen)';
		INSERT INTO budgets (initiative_id, ordinal, label, amount_yen)
		SELECT v_init[b.initiative], b.ordinal, b.label, b.amount_yen::bigint
		  FROM unnest(p_rows.budgets) AS b
		 WHERE v_init[b.initiative] <> 0;

		v_part := 'reforms[]';
		IF cardinality(p_rows.reforms) > 0 THEN
			INSERT INTO reforms (plan_id, ordinal, title, ref, body)
			SELECT v_plan[r.doc], r.ordinal, r.title, r.ref, r.body
			  FROM unnest(p_rows.reforms) AS r
			 WHERE v_plan[r.doc] <> 0;
		END IF;

		v_part := 'evaluation';
		IF cardinality(p_rows.evaluations) > 0 THEN
			INSERT INTO evaluations (plan_id, achievements, challenges)
			SELECT v_plan[e.doc], e.achievements, e.challenges
			  FROM unnest(p_rows.evaluations) AS e
			 WHERE v_plan[e.doc] <> 0;
		END IF;

		v_part := 'council_reflection';
		IF cardinality(p_rows.councils) > 0 THEN
			INSERT INTO council_reflections (plan_id, total_yen, fixed_yen,
			                                 priority_yen, base_yen, ratio_percent)
			SELECT v_plan[c.doc], c.total_yen::bigint, c.fixed_yen::bigint,
			       c.priority_yen::bigint, c.base_yen::bigint, c.ratio_percent::numeric
			  FROM unnest(p_rows.councils) AS c
			 WHERE v_plan[c.doc] <> 0;
		END IF;

		v_part := 'contact';
		IF cardinality(p_rows.contacts) > 0 THEN
			INSERT INTO contacts (plan_id, office, phone, fax, address)
			SELECT v_plan[c.doc], c.office, c.phone, c.fax, c.address
			  FROM unnest(p_rows.contacts) AS c
			 WHERE v_plan[c.doc] <> 0;
		END IF;
	EXCEPTION WHEN data_exception OR integrity_constraint_violation THEN
		GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE,
		                        v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
		IF v_count > 1 THEN
			RAISE EXCEPTION USING ERRCODE = v_state,
			      MESSAGE = format('plan refused: one of the %s plans of the batch: %s',
			                       v_count, v_msg),
			      HINT = 'store the documents one at a time (planq_ingest) to find which';
		END IF;
		-- one plan: same SQLSTATE, but say which part of the plan was refused.
		-- The main amounts are summed into plans and copied into
		-- initiatives before the budgets' own INSERT: a bad one is named as
		-- a budget, with its own error.  Cast here, on the error path only,
		-- rather than before every single plan's INSERTs.
		IF v_part LIKE 'top-level field%' THEN
			BEGIN
				PERFORM max(b.amount_yen::bigint)
				   FROM unnest(p_rows.budgets) AS b
				   JOIN unnest(p_rows.initiatives) WITH ORDINALITY AS t(doc, i, s, q, o, c, ti, bo, k)
				     ON t.k = b.initiative
				   JOIN unnest(p_document_ids) WITH ORDINALITY AS u(doc, n)
				     ON u.n = t.doc AND u.doc IS NOT NULL
				  WHERE b.ordinal = 1;
			EXCEPTION WHEN data_exception THEN
				GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE,
				                        v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
				v_part := 'initiatives[].budgets[] (label, amount_yen)';
			END;
		END IF;
		v_msg := format('plan refused: bad %s: %s', v_part, v_msg);
		IF coalesce(v_detail, '') = '' THEN
			RAISE EXCEPTION USING ERRCODE = v_state, MESSAGE = v_msg,
			      HINT = 'the parser produced a value the schema does not accept; '
			             'store the document as rejected with this message as the reason';
		END IF;
		-- a failing row's DETAIL can hold a whole text: keep its start
		RAISE EXCEPTION USING ERRCODE = v_state, MESSAGE = v_msg,
		      DETAIL = left(v_detail, 300),
		      HINT = 'the parser produced a value the schema does not accept; '
		             'store the document as rejected with this message as the reason';
	END;

	-- an expression, not a query: no executor start for it
	RETURN array_replace(v_plan, 0::bigint, NULL);
END $$;

-- not for PUBLIC: only the other planq_* functions call it
REVOKE EXECUTE ON FUNCTION planq_store_plans FROM PUBLIC;
