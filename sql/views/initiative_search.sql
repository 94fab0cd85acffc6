-- views/initiative_search.sql: the searchable initiatives of current plans,
-- for search_plans.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- the searchable initiatives of current plans
CREATE OR REPLACE VIEW initiative_search AS
SELECT p.id AS plan_id, p.org_name, p.fiscal_year, p.stage,
       t.id AS initiative_id, t.code AS initiative_code, t.title AS initiative_title,
       planq_search_text(t.title, t.body) AS search_text,
       p.org_printed_name
  FROM plans p
  JOIN initiatives t ON t.plan_id = p.id
 WHERE p.is_current;

COMMENT ON VIEW initiative_search IS
	'initiatives of current plans with search_text (NFKC title + body) for search_plans()';
