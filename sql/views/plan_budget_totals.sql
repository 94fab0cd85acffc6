-- views/plan_budget_totals.sql: plan_budget_totals_all_versions of the
-- current versions only (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

CREATE OR REPLACE VIEW plan_budget_totals AS
SELECT * FROM plan_budget_totals_all_versions WHERE is_current;

COMMENT ON VIEW plan_budget_totals IS
	'plan_budget_totals_all_versions restricted to current versions: one row per (org_name, fiscal_year)';
