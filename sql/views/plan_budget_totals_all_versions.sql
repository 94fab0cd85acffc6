-- views/plan_budget_totals_all_versions.sql: per stored plan version:
-- initiatives and the sum of their main budgets (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- one row per plan: how many initiatives and the sum of their main budgets.
-- is_current is in the GROUP BY although p.id decides it: PostgreSQL pushes
-- a WHERE on a grouping column into the query below it, so
-- plan_budget_totals (WHERE is_current) reads the current plans'
-- initiatives only, not every version's (docs/REPORTING.md).
CREATE OR REPLACE VIEW plan_budget_totals_all_versions AS
SELECT p.id		AS plan_id,
       p.document_id,
       p.org_name,
       p.fiscal_year,
       p.stage,
       count(t.id)	AS initiatives,
       coalesce(sum(b.amount_yen), 0)::bigint AS total_yen,
       count(t.id) FILTER (WHERE b.amount_yen IS NULL) AS initiatives_without_amount,
       p.is_current,
       p.org_printed_name
  FROM plans p
  LEFT JOIN initiatives t ON t.plan_id = p.id
  LEFT JOIN budgets b ON b.initiative_id = t.id AND b.ordinal = 1
 GROUP BY p.id, p.is_current;

COMMENT ON VIEW plan_budget_totals_all_versions IS
	'per stored plan version: initiatives, total of main budgets in yen (dashes count as 0 and in initiatives_without_amount)';
