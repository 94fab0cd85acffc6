-- views/plan_fragments.sql: stored plans without an org or a year
-- (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- plans that lack an org or a year: stored, never merged, never current
CREATE OR REPLACE VIEW plan_fragments AS
SELECT * FROM plans_all_versions WHERE is_fragment;

COMMENT ON VIEW plan_fragments IS
	'stored plans without org_name or fiscal_year: never current, never merged with other plans';
