-- views/plan_initiatives_all_versions.sql: one row per initiative of
-- every stored plan version, with its main budget (docs/REPORTING.md).
-- "Main budget" = an initiative's first budget (budgets.ordinal = 1).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- one row per initiative, with its issue, strategy and main budget, all
-- stored with the initiative when it is written (main_budget_label and
-- main_amount_yen: sql/013_stored_for_views.sql; issue_number,
-- issue_title, strategy_code, strategy_title:
-- sql/016_initiatives_issue_strategy.sql), so the only join is with
-- plans, hashed whole in memory: no join with budgets, issues (345k rows
-- at 20,000 documents) or strategies (522k), whose hash spilled to disk
-- (bench/RESULTS.md, 2026-12-07)
CREATE OR REPLACE VIEW plan_initiatives_all_versions AS
SELECT p.id		AS plan_id,
       p.document_id,
       p.org_name,
       p.fiscal_year,
       p.stage,
       t.issue_number,
       t.issue_title,
       t.strategy_code,
       t.strategy_title,
       t.code		AS initiative_code,
       t.title		AS initiative_title,
       t.main_budget_label AS budget_label,
       t.main_amount_yen AS amount_yen,
       p.is_current,
       t.id		AS initiative_id,
       t.seq		AS initiative_seq,
       p.org_printed_name
  FROM plans p
  JOIN initiatives t ON t.plan_id = p.id;

COMMENT ON VIEW plan_initiatives_all_versions IS
	'one row per initiative of every stored plan version (fragments included); amount_yen is the main (first) budget, NULL for a printed dash or no budget';
