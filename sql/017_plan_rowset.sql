-- 017_plan_rowset.sql: the rows of a call's plans travel as one value,
-- planq_plan_rowset, instead of ten array arguments.
--
-- Every function between a caller and the INSERTs (planq_ingest_rows,
-- planq_reparse, planq_plan_rows_error, planq_store_plans) took the same
-- ten arrays (planq_issue_row[] … planq_contact_row[], types of migrations
-- 009 and 010) and handed them on; each declaration, each call and each
-- REVOKE restated the ten.  Now they take one planq_plan_rowset whose
-- fields are those arrays, named after their parts; the worker and
-- `planq reparse` still send the ten arrays as binary parameters and build
-- the rowset in their call (ROW($9, …, $18)::planq_plan_rowset), so what
-- crosses the wire is unchanged.  planq_ingest and planq_ingest_batch keep
-- their arguments (a worker of a version before 015 calls them while this
-- migration commits: docs/OPERATIONS.md, "Upgrading") and build the
-- rowset inside.  planq_store_plan (planq_store_plans for one plan, for
-- planq_reparse) is gone: planq_reparse calls planq_store_plans.
--
-- The functions whose arguments change are dropped here, by name (each has
-- one signature at 016); their files in sql/functions/ create them again
-- after this migration.  planq_ingest_rows and planq_reparse's old
-- arguments were never in a release.  IF EXISTS: a new database reaches
-- this migration before any repeatable file was applied.
CREATE TYPE planq_plan_rowset AS (issues planq_issue_row[],
                                  strategies planq_strategy_row[],
                                  initiatives planq_initiative_row[],
                                  budgets planq_budget_row[],
                                  plan_rows planq_plan_row[],
                                  texts planq_text_row[],
                                  reforms planq_reform_row[],
                                  evaluations planq_evaluation_row[],
                                  councils planq_council_row[],
                                  contacts planq_contact_row[]);

DROP FUNCTION IF EXISTS planq_store_plan, planq_store_plans,
                        planq_plan_rows_error, planq_ingest_rows,
                        planq_reparse;
