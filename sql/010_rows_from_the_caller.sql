-- 010_rows_from_the_caller: the database no longer reads a plan's rows out
-- of its JSON.  Until 009 the mapping from a plan to its rows existed three
-- times: in the worker (workers/plan_rows.c, for its batches), in
-- planq_plan_rows() (for callers that sent no rows: the worker's
-- one-document path and `planq reparse`) and in planq_store_plan_by_part()
-- (to name the part of a refused plan).  Now workers/plan_rows.c is the only
-- one: every caller sends every row of a plan, the plan's own columns and
-- its small parts included, and the functions insert what they are given,
-- naming the part of the plan a refused row belongs to themselves
-- (sql/functions/planq_store_plans.sql).  plans.parsed still keeps the
-- whole parser output.
--
-- Values arrive as the text the plan JSON holds (what ->> gave before) and
-- are cast by the INSERTs, so a value the schema refuses raises the same
-- error as before, with the same part named.  Hence planq_issue_row.number
-- and planq_budget_row.amount_yen become text, and six row types join the
-- four of 009: the plan's columns, its goals/missions/policies, reforms,
-- evaluation, council reflection and contact.
--
-- The functions whose arguments change are dropped here; their files in
-- sql/functions/ create them again after this migration.  planq_plan_rows
-- and planq_store_plan_by_part are gone for good.  After migrating, run
-- `planq db roles` (deploy/setup-database.sh does): it grants the new
-- planq_ingest and planq_ingest_batch (their files grant them to an
-- existing planq_ingest role at once, so running workers are not locked
-- out until then).

DROP FUNCTION planq_ingest(bytea, bytea, jsonb, text, text, text, jsonb, text);
DROP FUNCTION planq_ingest_batch(bytea[], bytea[], jsonb[], text[], text[],
                                 text[], jsonb[], text, planq_issue_row[],
                                 planq_strategy_row[], planq_initiative_row[],
                                 planq_budget_row[]);
DROP FUNCTION planq_reparse(bigint, jsonb, text, text);
DROP FUNCTION planq_store_plan(bigint, jsonb, text);
DROP FUNCTION planq_store_plans(bigint[], jsonb[], text, planq_issue_row[],
                                planq_strategy_row[], planq_initiative_row[],
                                planq_budget_row[]);
DROP FUNCTION planq_plan_rows_error(integer, planq_issue_row[],
                                    planq_strategy_row[],
                                    planq_initiative_row[], planq_budget_row[]);
DROP FUNCTION planq_plan_rows(jsonb[]);
DROP FUNCTION planq_store_plan_by_part(bigint, jsonb, text);

-- the JSON's text; the INSERT casts it
ALTER TYPE planq_issue_row ALTER ATTRIBUTE number TYPE text;
ALTER TYPE planq_budget_row ALTER ATTRIBUTE amount_yen TYPE text;

-- one per plan: the plans row (doc: the document's position in the batch)
CREATE TYPE planq_plan_row AS (doc integer, title text, org_name text,
                               org_kind text, fiscal_year text,
                               fiscal_year_label text, stage text,
                               head_role text, head_name text,
                               published_on text, page_id text);
-- goals, missions, policies: kind goal/mission/policy, ordinal in its list
CREATE TYPE planq_text_row AS (doc integer, kind text, ordinal integer,
                               body text);
CREATE TYPE planq_reform_row AS (doc integer, ordinal integer, title text,
                                 ref text, body text);
-- at most one per plan each
CREATE TYPE planq_evaluation_row AS (doc integer, achievements text,
                                     challenges text);
CREATE TYPE planq_council_row AS (doc integer, total_yen text, fixed_yen text,
                                  priority_yen text, base_yen text,
                                  ratio_percent text);
CREATE TYPE planq_contact_row AS (doc integer, office text, phone text,
                                  fax text, address text);
