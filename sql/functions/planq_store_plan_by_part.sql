-- functions/planq_store_plan_by_part.sql: one plan's rows, part by part, so
-- that a plan the schema refuses is refused with the part named.  Only
-- planq_store_plans calls it, after its set-based insert failed on a batch
-- of one: it raises the same error, saying which part of the plan the
-- schema refused ("plan refused: bad issues[]: …").  Migration 008 renamed
-- 007's planq_store_plan to this name.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

CREATE OR REPLACE FUNCTION planq_store_plan_by_part(p_document_id bigint, p_plan jsonb,
                                 p_parser_version text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_plan	bigint;
	v_part	text;
	v_state	text;
	v_msg	text;
	v_detail text;
	v_issue_ids	bigint[];
	v_strategy_ids	jsonb;
	v_inits		jsonb;
	v_initiative_ids bigint[];
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

	-- Every child row comes from the plan JSON and the ids just returned,
	-- never from reading the tables back: no plan depends on statistics.
	v_part := 'issues[]';
	WITH ins AS (
		INSERT INTO issues (plan_id, ordinal, number, title, summary)
		SELECT v_plan, e.n, (e.j->>'number')::integer, e.j->>'title', e.j->>'summary'
		  FROM jsonb_array_elements(nullif(p_plan->'issues', 'null'))
		       WITH ORDINALITY AS e(j, n)
		RETURNING id, ordinal)
	SELECT array_agg(id ORDER BY ordinal) INTO v_issue_ids FROM ins;

	v_part := 'issues[].strategies[]';
	WITH ins AS (
		INSERT INTO strategies (issue_id, ordinal, code, title, body)
		SELECT v_issue_ids[i.n], s.n, s.j->>'code', s.j->>'title', s.j->>'body'
		  FROM jsonb_array_elements(nullif(p_plan->'issues', 'null'))
		       WITH ORDINALITY AS i(j, n)
		 CROSS JOIN LATERAL jsonb_array_elements(nullif(i.j->'strategies', 'null'))
		       WITH ORDINALITY AS s(j, n)
		RETURNING id, issue_id, ordinal)
	SELECT jsonb_object_agg(issue_id::text || '/' || ordinal::text, id)
	  INTO v_strategy_ids FROM ins;

	-- strategies' initiatives, then the issue's own (strategy NULL); seq is
	-- the document order: by issue, strategies before the issue's own list
	v_part := 'issues[].strategies[].initiatives[] or issues[].initiatives[]';
	SELECT jsonb_agg(jsonb_build_object('i', x.issue_id, 's', x.strategy_id,
	                                    'n', x.n, 'j', x.j)
	                 ORDER BY x.issue_ord, x.strategy_ord NULLS LAST, x.n)
	  INTO v_inits
	  FROM (SELECT v_issue_ids[i.n] AS issue_id, i.n AS issue_ord,
	               (v_strategy_ids->>(v_issue_ids[i.n]::text || '/' || s.n::text))::bigint
	                   AS strategy_id,
	               s.n AS strategy_ord, t.n, t.j
	          FROM jsonb_array_elements(nullif(p_plan->'issues', 'null'))
	               WITH ORDINALITY AS i(j, n)
	         CROSS JOIN LATERAL jsonb_array_elements(nullif(i.j->'strategies', 'null'))
	               WITH ORDINALITY AS s(j, n)
	         CROSS JOIN LATERAL jsonb_array_elements(nullif(s.j->'initiatives', 'null'))
	               WITH ORDINALITY AS t(j, n)
	        UNION ALL
	        SELECT v_issue_ids[i.n], i.n, NULL, NULL, t.n, t.j
	          FROM jsonb_array_elements(nullif(p_plan->'issues', 'null'))
	               WITH ORDINALITY AS i(j, n)
	         CROSS JOIN LATERAL jsonb_array_elements(nullif(i.j->'initiatives', 'null'))
	               WITH ORDINALITY AS t(j, n)) AS x;
	WITH ins AS (
		INSERT INTO initiatives (plan_id, issue_id, strategy_id, seq, ordinal,
		                         code, title, body)
		SELECT v_plan, (e.j->>'i')::bigint, (e.j->>'s')::bigint, e.seq,
		       (e.j->>'n')::integer, e.j->'j'->>'code', e.j->'j'->>'title',
		       e.j->'j'->>'body'
		  FROM jsonb_array_elements(v_inits) WITH ORDINALITY AS e(j, seq)
		RETURNING id, seq)
	SELECT array_agg(id ORDER BY seq) INTO v_initiative_ids FROM ins;

	v_part := 'initiatives[].budgets[] (label, amount_yen)';
	INSERT INTO budgets (initiative_id, ordinal, label, amount_yen)
	SELECT v_initiative_ids[e.seq], b.n, b.j->>'label', (b.j->>'amount_yen')::bigint
	  FROM jsonb_array_elements(v_inits) WITH ORDINALITY AS e(j, seq)
	 CROSS JOIN LATERAL jsonb_array_elements(nullif(e.j->'j'->'budgets', 'null'))
	       WITH ORDINALITY AS b(j, n);

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

-- not for PUBLIC: only the other planq_* functions call it
REVOKE EXECUTE ON FUNCTION planq_store_plan_by_part(bigint, jsonb, text) FROM PUBLIC;
