-- views/plan_changes.sql: what changed between consecutive versions of
-- a plan (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

CREATE OR REPLACE VIEW plan_changes AS
SELECT v.org_name, v.fiscal_year,
       v.from_plan_id, v.from_stage, v.to_plan_id, v.to_stage,
       d.change, d.initiative_code, d.initiative_title,
       d.old_code, d.old_title, d.old_amount_yen, d.new_amount_yen,
       d.new_amount_yen - d.old_amount_yen AS change_yen,
       d.matched_by
  FROM plan_version_pairs v
 CROSS JOIN LATERAL planq_plan_diff(v.from_plan_id, v.to_plan_id) d;

COMMENT ON VIEW plan_changes IS
	'between consecutive versions of one plan (org, year): initiatives added, removed, renamed (paired by code only) or whose main amount changed (change: added|removed|renamed|amount_changed)';
