-- views/plan_budget_totals_all_versions.sql: per stored plan version:
-- initiatives and the sum of their main budgets (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- one row per plan: how many initiatives and the sum of their main budgets,
-- as stored with the plan when it is written (plans.initiative_count …,
-- sql/013_stored_for_views.sql): one row read per plan, and a WHERE
-- is_current above (plan_budget_totals) reads the current plans only.
CREATE OR REPLACE VIEW plan_budget_totals_all_versions AS
SELECT p.id		AS plan_id,
       p.document_id,
       p.org_name,
       p.fiscal_year,
       p.stage,
       p.initiative_count::bigint AS initiatives,
       p.main_total_yen	AS total_yen,
       p.initiatives_without_amount::bigint AS initiatives_without_amount,
       p.is_current,
       p.org_printed_name
  FROM plans p;

COMMENT ON VIEW plan_budget_totals_all_versions IS
	'per stored plan version: initiatives, total of main budgets in yen (dashes count as 0 and in initiatives_without_amount)';
