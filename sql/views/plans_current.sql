-- views/plans_current.sql: the current version of each (org, year)
-- (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- one row per org and fiscal year: the current version
CREATE OR REPLACE VIEW plans_current AS
SELECT * FROM plans_all_versions WHERE is_current;

COMMENT ON VIEW plans_current IS
	'one row per (org_name, fiscal_year): the current version (final > proposal > draft, newest published_on, newest arrival)';
