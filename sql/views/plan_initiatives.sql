-- views/plan_initiatives.sql: plan_initiatives_all_versions of the current
-- versions only (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

CREATE OR REPLACE VIEW plan_initiatives AS
SELECT * FROM plan_initiatives_all_versions WHERE is_current;

COMMENT ON VIEW plan_initiatives IS
	'plan_initiatives_all_versions restricted to the current version of each (org_name, fiscal_year)';
