-- functions/planq_plan_rows.sql: a batch's issue, strategy, initiative
-- and budget rows read out of the plan JSON, for callers of
-- planq_ingest_batch that send no row arrays.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- The four row arrays of plans given as JSON, p_plans[i] at position i
-- (NULL: no plan there).
CREATE OR REPLACE FUNCTION planq_plan_rows(p_plans jsonb[],
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

-- not for PUBLIC: only the other planq_* functions call it
REVOKE EXECUTE ON FUNCTION planq_plan_rows(jsonb[]) FROM PUBLIC;
