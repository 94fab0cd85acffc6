-- functions/planq_store_plans.sql: the plan rows and every child row of
-- the plans of a batch (planq_ingest_batch; planq_store_plan for reparse).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- Plan rows and every child row of the plans of a batch.  Position i gets
-- a plan when p_document_ids[i] is not NULL (the document just inserted),
-- from p_plans[i] and the rows naming doc i; the rows of the other
-- positions are skipped.  Returns the plan ids by position (NULL: none).
-- Row arrays NULL: built from the JSON (planq_plan_rows).  Child ids are
-- drawn from their sequences first, so that every row is one INSERT …
-- SELECT from its array that names its parents by position, with no join.
-- Does not touch is_current.
CREATE OR REPLACE FUNCTION planq_store_plans(p_document_ids bigint[], p_plans jsonb[],
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

-- not for PUBLIC: only the other planq_* functions call it
REVOKE EXECUTE ON FUNCTION planq_store_plans(bigint[], jsonb[], text, planq_issue_row[],
                           planq_strategy_row[], planq_initiative_row[],
                           planq_budget_row[]) FROM PUBLIC;
