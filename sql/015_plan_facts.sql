-- 015_plan_facts: the worker no longer sends the plan JSON to the
-- database, only what the database read from it: the plan's digest
-- (plans.parsed_sha256, computed by the worker: rows/plan_digest.c, equal
-- to planq_plan_digest() of the same JSON), org.printed_name and the
-- warnings' codes.  Issue 18, item 2 (bench/RESULTS.md, 2026-12-07): the
-- backend spent 1.4 M instructions per document receiving the JSON as
-- jsonb and 1.3 M rendering and hashing it, work COPY does not do.
--
-- planq_plan_fact_row carries them, one per plan, naming its document by
-- position like planq_plan_row.  The worker calls planq_ingest_rows
-- (sql/functions/planq_ingest_rows.sql), which takes an array of them where
-- planq_ingest_batch took the plans' JSON.  planq_ingest_batch and
-- planq_ingest keep their arguments: they read the facts out of the JSON
-- (planq_plan_facts) and call planq_ingest_rows, so a worker of the
-- previous version, still running while this migration commits, is
-- served by them as before (docs/OPERATIONS.md, "Upgrading").
--
-- The internal functions whose arguments change are dropped here; their
-- files in sql/functions/ create them again after this migration.
-- IF EXISTS: a new database reaches this migration before any repeatable
-- file was applied.
CREATE TYPE planq_plan_fact_row AS (doc integer, parsed_sha256 bytea,
                                    org_printed_name text,
                                    warning_codes text[]);

DROP FUNCTION IF EXISTS planq_store_plan(bigint, jsonb, text, planq_issue_row[],
                           planq_strategy_row[], planq_initiative_row[],
                           planq_budget_row[], planq_plan_row[], planq_text_row[],
                           planq_reform_row[], planq_evaluation_row[],
                           planq_council_row[], planq_contact_row[]);
DROP FUNCTION IF EXISTS planq_store_plans(bigint[], jsonb[], text, planq_issue_row[],
                           planq_strategy_row[], planq_initiative_row[],
                           planq_budget_row[], planq_plan_row[], planq_text_row[],
                           planq_reform_row[], planq_evaluation_row[],
                           planq_council_row[], planq_contact_row[]);
DROP FUNCTION IF EXISTS planq_ingest_args_error(bytea[], bytea[], text[], text[],
                                                jsonb[], text);
