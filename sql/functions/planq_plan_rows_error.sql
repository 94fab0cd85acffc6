-- functions/planq_plan_rows_error.sql: checks the rows a caller of
-- planq_ingest_rows sent (rows/plan_rows.c builds them; planq_plan_rowset,
-- sql/017_plan_rowset.sql: one array per part).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- Why the row arrays of p_rows cannot be the rows of n documents, NULL
-- when they can: every parent must exist, an initiative's issue and
-- strategy must belong to its document and issue, and a plan has at most
-- one plan row, evaluation, council reflection and contact.  A worker that
-- sent them otherwise would file rows under the wrong plan.
CREATE OR REPLACE FUNCTION planq_plan_rows_error(n integer,
                                      p_rows planq_plan_rowset)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	-- parents' positions as plain integer arrays (0 for NULL): a subscript
	-- of such an array is O(1), so each check is one pass
	v_issue_doc	integer[];
	v_strat_issue	integer[];
BEGIN
	v_issue_doc := ARRAY(SELECT coalesce(i.doc, 0)
	                       FROM unnest(p_rows.issues) WITH ORDINALITY AS i(doc, o, nu, t, s, k)
	                      ORDER BY i.k);
	v_strat_issue := ARRAY(SELECT coalesce(s.issue, 0)
	                         FROM unnest(p_rows.strategies) WITH ORDINALITY AS s(issue, o, c, t, b, k)
	                        ORDER BY s.k);
	-- one statement, the checks its init plans, run in order until one is
	-- true: one executor start per call instead of six
	RETURN CASE
	WHEN EXISTS (SELECT 1 FROM unnest(v_issue_doc) AS d WHERE d NOT BETWEEN 1 AND n)
	THEN 'an issue names no document of the batch'
	WHEN EXISTS (SELECT 1 FROM unnest(v_strat_issue) AS i
	              WHERE i NOT BETWEEN 1 AND cardinality(v_issue_doc))
	THEN 'a strategy names no issue of the batch'
	WHEN EXISTS (SELECT 1 FROM unnest(p_rows.initiatives) AS t
	              WHERE t.issue IS NULL OR t.issue NOT BETWEEN 1 AND cardinality(v_issue_doc)
	                 OR v_issue_doc[t.issue] IS DISTINCT FROM t.doc
	                 OR (t.strategy IS NOT NULL
	                     AND (t.strategy NOT BETWEEN 1 AND cardinality(v_strat_issue)
	                          OR v_strat_issue[t.strategy] <> t.issue)))
	THEN 'an initiative names an issue or strategy not of its document'
	WHEN EXISTS (SELECT 1 FROM unnest(p_rows.budgets) AS b
	              WHERE b.initiative IS NULL
	                 OR b.initiative NOT BETWEEN 1 AND coalesce(cardinality(p_rows.initiatives), 0))
	THEN 'a budget names no initiative of the batch'
	WHEN EXISTS (SELECT 1 FROM (SELECT r.doc FROM unnest(p_rows.plan_rows) AS r
	                            UNION ALL SELECT t.doc FROM unnest(p_rows.texts) AS t
	                            UNION ALL SELECT r.doc FROM unnest(p_rows.reforms) AS r
	                            UNION ALL SELECT e.doc FROM unnest(p_rows.evaluations) AS e
	                            UNION ALL SELECT c.doc FROM unnest(p_rows.councils) AS c
	                            UNION ALL SELECT c.doc FROM unnest(p_rows.contacts) AS c) AS x
	              WHERE x.doc IS NULL OR x.doc NOT BETWEEN 1 AND n)
	THEN 'a plan, goal/mission/policy, reform, evaluation, council or contact row names no document of the batch'
	WHEN EXISTS (SELECT 1 FROM (SELECT 'plan', r.doc FROM unnest(p_rows.plan_rows) AS r
	                            UNION ALL SELECT 'evaluation', e.doc FROM unnest(p_rows.evaluations) AS e
	                            UNION ALL SELECT 'council', c.doc FROM unnest(p_rows.councils) AS c
	                            UNION ALL SELECT 'contact', c.doc FROM unnest(p_rows.contacts) AS c) AS x(kind, doc)
	              GROUP BY x.kind, x.doc HAVING count(*) > 1)
	THEN 'a document has two plan, evaluation, council or contact rows'
	END;
END $$;

-- not for PUBLIC: only the other planq_* functions call it
REVOKE EXECUTE ON FUNCTION planq_plan_rows_error FROM PUBLIC;
