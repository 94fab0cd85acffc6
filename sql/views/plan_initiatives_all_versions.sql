-- views/plan_initiatives_all_versions.sql: one row per initiative of
-- every stored plan version, with its main budget (docs/REPORTING.md).
-- "Main budget" = an initiative's first budget (budgets.ordinal = 1).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- one row per initiative, with its issue, strategy and main budget (stored
-- with the initiative when it is written: initiatives.main_budget_label and
-- main_amount_yen, sql/013_stored_for_views.sql, so no join with budgets)
CREATE OR REPLACE VIEW plan_initiatives_all_versions AS
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
       t.main_budget_label AS budget_label,
       t.main_amount_yen AS amount_yen,
       p.is_current,
       t.id		AS initiative_id,
       t.seq		AS initiative_seq,
       p.org_printed_name
  FROM plans p
  JOIN initiatives t ON t.plan_id = p.id
  JOIN issues i ON i.id = t.issue_id
  LEFT JOIN strategies s ON s.id = t.strategy_id;

COMMENT ON VIEW plan_initiatives_all_versions IS
	'one row per initiative of every stored plan version (fragments included); amount_yen is the main (first) budget, NULL for a printed dash or no budget';
