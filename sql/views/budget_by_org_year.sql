-- views/budget_by_org_year.sql: budgets of the current plans by org and
-- year, split by label (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- org × year (current versions): total of main budgets, dashes, and every
-- printed amount split by label kind
CREATE OR REPLACE VIEW budget_by_org_year AS
SELECT p.org_name,
       p.fiscal_year,
       p.stage,
       m.initiatives,
       m.main_total_yen,
       m.main_unknown,
       m.without_budget,
       l.budget_yen,
       l.estimate_yen,
       l.ward_cm_yen,
       l.other_yen,
       l.unknown_amounts,
       l.by_label,
       p.id AS plan_id,
       p.org_printed_name
  FROM plans p
 CROSS JOIN LATERAL (
	SELECT count(*) AS initiatives,
	       coalesce(sum(b.amount_yen), 0)::bigint AS main_total_yen,
	       count(*) FILTER (WHERE b.initiative_id IS NOT NULL
	                          AND b.amount_yen IS NULL) AS main_unknown,
	       count(*) FILTER (WHERE b.initiative_id IS NULL) AS without_budget
	  FROM initiatives t
	  LEFT JOIN budgets b ON b.initiative_id = t.id AND b.ordinal = 1
	 WHERE t.plan_id = p.id) m
 CROSS JOIN LATERAL (
	SELECT coalesce(sum(x.amount) FILTER (WHERE x.label = '予算額'), 0)::bigint AS budget_yen,
	       coalesce(sum(x.amount) FILTER (WHERE x.label = '算定見込額'), 0)::bigint AS estimate_yen,
	       coalesce(sum(x.amount) FILTER (WHERE x.label LIKE '%区CM%'), 0)::bigint AS ward_cm_yen,
	       coalesce(sum(x.amount) FILTER (WHERE x.label IS NULL
	                                   OR (x.label NOT IN ('予算額', '算定見込額')
	                                       AND x.label NOT LIKE '%区CM%')), 0)::bigint AS other_yen,
	       coalesce(sum(x.dashes), 0)::bigint AS unknown_amounts,
	       coalesce(jsonb_object_agg(x.label, x.amount ORDER BY x.label)
	                FILTER (WHERE x.label IS NOT NULL), '{}') AS by_label
	  FROM (SELECT b.label, sum(b.amount_yen) AS amount,
	               count(*) FILTER (WHERE b.amount_yen IS NULL) AS dashes
	          FROM initiatives t JOIN budgets b ON b.initiative_id = t.id
	         WHERE t.plan_id = p.id
	         GROUP BY b.label) x) l
 WHERE p.is_current;

COMMENT ON VIEW budget_by_org_year IS
	'current plans by (org_name, fiscal_year): main_total_yen = sum of each initiative''s first budget, main_unknown = initiatives whose main amount is a dash, without_budget = initiatives with no amount printed; budget_yen (予算額), estimate_yen (算定見込額), ward_cm_yen (labels with 区CM), other_yen (other labels and none) sum every printed amount by label; by_label: label -> yen';
