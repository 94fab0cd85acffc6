-- 013_stored_for_views.sql: what the reporting views used to compute per
-- row at every read, stored once when a plan is written (issue 18, item 6:
-- reports whose cost follows the rows they return; docs/REPORTING.md,
-- bench/RESULTS.md).
--
-- initiatives.norm_title: planq_norm_title(title), the key that matches an
-- initiative across years (initiative_history) and versions
-- (plan_changes).  Evaluating it at every read cost one NFKC normalisation
-- and one regexp_replace per row per read: 1.1 million of them for one
-- full read of plan_changes at 20,000 documents.
--
-- initiatives.main_budget_label, main_amount_yen: the label and amount of
-- the initiative's main budget (budgets.ordinal = 1; both NULL when it has
-- none), so the views that show an initiative with its main budget read
-- one table, not a join of every initiative with every first budget.  The
-- budgets rows stay what they are: every amount printed.
--
-- plans.issue_count, strategy_count, initiative_count, main_total_yen,
-- initiatives_without_amount: the plan's counts and the sum of its
-- initiatives' main budgets (a dash or no budget counts 0 in the sum and 1
-- in initiatives_without_amount), which plans_all_versions and
-- plan_budget_totals_all_versions computed per plan at every read.
--
-- A plan's rows are written once, by planq_store_plans
-- (sql/functions/planq_store_plans.sql, for the workers and `planq
-- reparse`), and never updated: a reparse deletes the plan and inserts it
-- again.  That function fills these columns from the row arrays it is
-- given; below, the rows already stored get them.  planq_norm_title is
-- repeatable, but its value is stored here: changing it takes a migration
-- that recomputes initiatives.norm_title (tests/integration/
-- test_sql_views_same.sh compares the stored values with the function).

ALTER TABLE initiatives ADD COLUMN norm_title text,
                        ADD COLUMN main_budget_label text,
                        ADD COLUMN main_amount_yen bigint;
COMMENT ON COLUMN initiatives.norm_title IS
	'planq_norm_title(title), stored at insert: the key matching initiatives across years and versions';
COMMENT ON COLUMN initiatives.main_budget_label IS
	'label of the main budget (budgets.ordinal = 1), NULL when none';
COMMENT ON COLUMN initiatives.main_amount_yen IS
	'amount of the main budget (budgets.ordinal = 1), NULL for a printed dash or no budget';

UPDATE initiatives t
   SET norm_title = planq_norm_title(t.title),
       main_budget_label = b.label,
       main_amount_yen = b.amount_yen
  FROM initiatives t2
  LEFT JOIN budgets b ON b.initiative_id = t2.id AND b.ordinal = 1
 WHERE t2.id = t.id;

ALTER TABLE plans ADD COLUMN issue_count integer,
                  ADD COLUMN strategy_count integer,
                  ADD COLUMN initiative_count integer,
                  ADD COLUMN main_total_yen bigint,
                  ADD COLUMN initiatives_without_amount integer;
COMMENT ON COLUMN plans.issue_count IS 'rows of issues of this plan';
COMMENT ON COLUMN plans.strategy_count IS 'rows of strategies under this plan''s issues';
COMMENT ON COLUMN plans.initiative_count IS 'rows of initiatives of this plan';
COMMENT ON COLUMN plans.main_total_yen IS
	'sum of the initiatives'' main budgets (budgets.ordinal = 1), dashes and none as 0';
COMMENT ON COLUMN plans.initiatives_without_amount IS
	'initiatives whose main budget is a dash or who have none';

-- as plans_all_versions counted them before
UPDATE plans p
   SET issue_count = (SELECT count(*) FROM issues i WHERE i.plan_id = p.id),
       strategy_count = (SELECT count(*) FROM strategies s
                           JOIN issues i ON i.id = s.issue_id WHERE i.plan_id = p.id),
       initiative_count = c.initiatives,
       main_total_yen = c.total_yen,
       initiatives_without_amount = c.without_amount
  FROM plans p2
 CROSS JOIN LATERAL (SELECT count(*) AS initiatives,
                            coalesce(sum(b.amount_yen), 0)::bigint AS total_yen,
                            count(*) FILTER (WHERE b.amount_yen IS NULL) AS without_amount
                       FROM initiatives t
                       LEFT JOIN budgets b ON b.initiative_id = t.id AND b.ordinal = 1
                      WHERE t.plan_id = p2.id) c
 WHERE p2.id = p.id;

-- every writer fills them: a plan stored without them is a bug to refuse
ALTER TABLE plans ALTER COLUMN issue_count SET NOT NULL,
                  ALTER COLUMN strategy_count SET NOT NULL,
                  ALTER COLUMN initiative_count SET NOT NULL,
                  ALTER COLUMN main_total_yen SET NOT NULL,
                  ALTER COLUMN initiatives_without_amount SET NOT NULL;
