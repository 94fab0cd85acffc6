-- 003_views.sql: the first reporting views.  Each comes in two forms:
-- NAME_all_versions (every stored plan, fragments included, with is_current)
-- and NAME (current versions only: one plan per org and fiscal year, so sums
-- never double count a plan stored as draft, proposal and final).
-- "Main budget" = an initiative's first budget (budgets.ordinal = 1).

-- one row per initiative, with its issue, strategy and main budget
CREATE VIEW plan_initiatives_all_versions AS
SELECT p.id		AS plan_id,
       p.document_id,
       p.org_name,
       p.fiscal_year,
       p.stage,
       i.number		AS issue_number,
       i.title		AS issue_title,
       s.code		AS strategy_code,
       s.title		AS strategy_title,
       t.code		AS initiative_code,
       t.title		AS initiative_title,
       b.label		AS budget_label,
       b.amount_yen,
       p.is_current,
       t.id		AS initiative_id,
       t.seq		AS initiative_seq
  FROM plans p
  JOIN initiatives t ON t.plan_id = p.id
  JOIN issues i ON i.id = t.issue_id
  LEFT JOIN strategies s ON s.id = t.strategy_id
  LEFT JOIN budgets b ON b.initiative_id = t.id AND b.ordinal = 1;

COMMENT ON VIEW plan_initiatives_all_versions IS
	'one row per initiative of every stored plan version (fragments included); amount_yen is the main (first) budget, NULL for a printed dash or no budget';

CREATE VIEW plan_initiatives AS
SELECT * FROM plan_initiatives_all_versions WHERE is_current;

COMMENT ON VIEW plan_initiatives IS
	'plan_initiatives_all_versions restricted to the current version of each (org_name, fiscal_year)';

-- one row per plan: how many initiatives and the sum of their main budgets
CREATE VIEW plan_budget_totals_all_versions AS
SELECT p.id		AS plan_id,
       p.document_id,
       p.org_name,
       p.fiscal_year,
       p.stage,
       count(t.id)	AS initiatives,
       coalesce(sum(b.amount_yen), 0)::bigint AS total_yen,
       count(t.id) FILTER (WHERE b.amount_yen IS NULL) AS initiatives_without_amount,
       p.is_current
  FROM plans p
  LEFT JOIN initiatives t ON t.plan_id = p.id
  LEFT JOIN budgets b ON b.initiative_id = t.id AND b.ordinal = 1
 GROUP BY p.id;

COMMENT ON VIEW plan_budget_totals_all_versions IS
	'per stored plan version: initiatives, total of main budgets in yen (dashes count as 0 and in initiatives_without_amount)';

CREATE VIEW plan_budget_totals AS
SELECT * FROM plan_budget_totals_all_versions WHERE is_current;

COMMENT ON VIEW plan_budget_totals IS
	'plan_budget_totals_all_versions restricted to current versions: one row per (org_name, fiscal_year)';
