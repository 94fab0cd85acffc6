-- views/initiative_history.sql: each initiative of a current plan beside
-- its predecessor in an earlier year (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- each initiative of a current plan beside its predecessor in an earlier
-- year of the same org: the nearest year with the same normalised title,
-- else the nearest year with the same code (matched_by says which)
CREATE OR REPLACE VIEW initiative_history AS
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
       prev.matched_by,
       x.plan_id,
       x.initiative_id,
       prev.initiative_id		AS prev_initiative_id,
       -- from plans, not x: `planq db migrate` may create this view again
       -- (with planq_norm_title) before plan_initiatives has the column
       (SELECT p.org_printed_name FROM plans p WHERE p.id = x.plan_id)
					AS org_printed_name
  FROM plan_initiatives x
  LEFT JOIN LATERAL (
	SELECT c.fiscal_year, c.initiative_code, c.initiative_title, c.amount_yen,
	       c.initiative_id,
	       CASE WHEN planq_norm_title(c.initiative_title) = planq_norm_title(x.initiative_title)
	            THEN 'title' ELSE 'code' END AS matched_by
	  FROM plan_initiatives c
	 WHERE c.org_name = x.org_name AND c.fiscal_year < x.fiscal_year
	   AND (planq_norm_title(c.initiative_title) = planq_norm_title(x.initiative_title)
	        OR c.initiative_code = x.initiative_code)
	 ORDER BY planq_norm_title(c.initiative_title) = planq_norm_title(x.initiative_title) DESC,
	          c.fiscal_year DESC, c.initiative_seq
	 LIMIT 1) prev ON true;

COMMENT ON VIEW initiative_history IS
	'initiatives of current plans with their predecessor in an earlier fiscal year of the same org (title match first, then code): amounts side by side, change_yen, change_percent';
