-- views/plan_version_pairs.sql: consecutive versions of each (org, year),
-- for plan_changes.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- consecutive versions of each (org, year), in the order that decides the
-- current one (draft → proposal → final, then published_on, then arrival)
CREATE OR REPLACE VIEW plan_version_pairs AS
SELECT v.org_name, v.fiscal_year,
       v.prev_id AS from_plan_id, v.prev_stage AS from_stage,
       v.id AS to_plan_id, v.stage AS to_stage
  FROM (SELECT p.id, p.org_name, p.fiscal_year, p.stage,
               lag(p.id) OVER w AS prev_id, lag(p.stage) OVER w AS prev_stage
          FROM plans p
         WHERE p.org_name IS NOT NULL AND p.fiscal_year IS NOT NULL
        WINDOW w AS (PARTITION BY p.org_name, p.fiscal_year
                     ORDER BY p.stage_rank, p.published_on NULLS FIRST, p.document_id)) v
 WHERE v.prev_id IS NOT NULL;
