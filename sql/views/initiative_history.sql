-- views/initiative_history.sql: each initiative of a current plan beside
-- its predecessor in an earlier year (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- each initiative of a current plan beside its predecessor in an earlier
-- year of the same org: the nearest year with the same normalised title,
-- else the nearest year with the same code (matched_by says which); within
-- that year the first in document order.
--
-- Set-based, so the cost grows with the rows returned (docs/REPORTING.md):
-- x reads the current plans' initiatives (an index scan per current plan)
-- with their normalised title and main budget as stored when they were
-- written (initiatives.norm_title, main_budget_label, main_amount_yen:
-- sql/013_stored_for_views.sql), one table row each and no function call;
-- the columns are plan_initiatives' (which reads the same rows), and the
-- predecessor is found with window functions, not a search per row.  Per
-- (org, key, year) group the first initiative is the group's
-- representative; lag() over the groups of one (org, key) in year order
-- gives the previous year's representative, and max() spreads it over the
-- whole group (w1..w3), once for the title and once for the code.
--
-- The order the old per-row search used (tests/integration/
-- test_sql_views_same.sh keeps it and compares): title match first, except
-- that a code match whose title normalises to NULL ranked before every
-- title match (ORDER BY (a = b) DESC puts NULL first); `untitled` keeps
-- that rule, on the few rows it concerns.
CREATE OR REPLACE VIEW initiative_history AS
WITH x AS (
	SELECT p.id AS plan_id, p.org_name, p.fiscal_year, p.org_printed_name,
	       t.id AS initiative_id, t.seq AS initiative_seq, t.code AS initiative_code,
	       t.title AS initiative_title, t.main_budget_label AS budget_label,
	       t.main_amount_yen AS amount_yen, t.norm_title AS nt
	  FROM plans p
	 -- per current plan, its initiatives by index (initiatives (plan_id,
	 -- seq)): OFFSET 0 keeps the planner from joining all of initiatives
	 -- instead, which reads every version's rows (607k for 18k here)
	 -- (the columns are named: a * would be frozen when the view is made, so
 -- a database that got a new initiatives column later would differ from
 -- one made after it)
 CROSS JOIN LATERAL (SELECT t.id, t.seq, t.code, t.title, t.main_budget_label,
                            t.main_amount_yen, t.norm_title
                       FROM initiatives t WHERE t.plan_id = p.id OFFSET 0) t
	 WHERE p.is_current),
w1 AS (
	SELECT x.*,
	       first_value(initiative_id) OVER ty AS t_first, row_number() OVER ty AS t_rn,
	       first_value(initiative_id) OVER cy AS c_first, row_number() OVER cy AS c_rn
	  FROM x
	WINDOW ty AS (PARTITION BY org_name, nt, fiscal_year ORDER BY initiative_seq),
	       cy AS (PARTITION BY org_name, initiative_code, fiscal_year ORDER BY initiative_seq)),
w2 AS (
	SELECT w1.*,
	       CASE WHEN t_rn = 1 THEN lag(t_first) OVER t END AS t_lag,
	       CASE WHEN c_rn = 1 THEN lag(c_first) OVER c END AS c_lag
	  FROM w1
	WINDOW t AS (PARTITION BY org_name, nt ORDER BY fiscal_year, initiative_seq),
	       c AS (PARTITION BY org_name, initiative_code ORDER BY fiscal_year, initiative_seq)),
w3 AS (
	SELECT w2.*,
	       CASE WHEN nt IS NOT NULL
	            THEN max(t_lag) OVER (PARTITION BY org_name, nt, fiscal_year) END AS t_prev,
	       CASE WHEN initiative_code IS NOT NULL
	            THEN max(c_lag) OVER (PARTITION BY org_name, initiative_code, fiscal_year) END AS c_prev
	  FROM w2),
untitled AS (
	SELECT DISTINCT ON (x.initiative_id) x.initiative_id AS xid, c.initiative_id AS prev_id
	  FROM x JOIN x c ON c.org_name = x.org_name AND c.initiative_code = x.initiative_code
	                 AND c.fiscal_year < x.fiscal_year
	 WHERE c.nt IS NULL AND x.nt IS NOT NULL
	 ORDER BY x.initiative_id, c.fiscal_year DESC, c.initiative_seq),
pick AS (
	SELECT w3.*,
	       coalesce(u.prev_id, w3.t_prev, w3.c_prev) AS prev_id,
	       CASE WHEN u.prev_id IS NULL AND w3.t_prev IS NOT NULL THEN 'title'
	            WHEN coalesce(u.prev_id, w3.c_prev) IS NOT NULL THEN 'code' END AS matched_by
	  FROM w3 LEFT JOIN untitled u ON u.xid = w3.initiative_id)
SELECT x.org_name,
       x.fiscal_year,
       x.initiative_code,
       x.initiative_title,
       x.budget_label,
       x.amount_yen,
       prev.fiscal_year			AS prev_fiscal_year,
       prev.initiative_code		AS prev_code,
       prev.initiative_title		AS prev_title,
       prev.amount_yen			AS prev_amount_yen,
       x.amount_yen - prev.amount_yen	AS change_yen,
       round(100.0 * (x.amount_yen - prev.amount_yen) / nullif(prev.amount_yen, 0), 1)
					AS change_percent,
       x.matched_by,
       x.plan_id,
       x.initiative_id,
       prev.initiative_id		AS prev_initiative_id,
       x.org_printed_name
  FROM pick x
  LEFT JOIN x prev ON prev.initiative_id = x.prev_id;

COMMENT ON VIEW initiative_history IS
	'initiatives of current plans with their predecessor in an earlier fiscal year of the same org (title match first, then code): amounts side by side, change_yen, change_percent';
