-- functions/planq_store_plan.sql: one plan and its rows, for planq_reparse:
-- planq_store_plans with arrays of one, the same statements as a batch.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- the rows and the facts name doc 1 (rows/plan_rows.c builds them so for
-- one plan; planq_plan_facts for an array of one)
CREATE OR REPLACE FUNCTION planq_store_plan(p_document_id bigint,
                                 p_facts planq_plan_fact_row,
                                 p_parser_version text,
                                 p_issues planq_issue_row[] DEFAULT NULL,
                                 p_strategies planq_strategy_row[] DEFAULT NULL,
                                 p_initiatives planq_initiative_row[] DEFAULT NULL,
                                 p_budgets planq_budget_row[] DEFAULT NULL,
                                 p_plan_rows planq_plan_row[] DEFAULT NULL,
                                 p_texts planq_text_row[] DEFAULT NULL,
                                 p_reforms planq_reform_row[] DEFAULT NULL,
                                 p_evaluations planq_evaluation_row[] DEFAULT NULL,
                                 p_councils planq_council_row[] DEFAULT NULL,
                                 p_contacts planq_contact_row[] DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
RETURN (planq_store_plans(ARRAY[p_document_id], ARRAY[p_facts], p_parser_version,
                          p_issues, p_strategies, p_initiatives, p_budgets,
                          p_plan_rows, p_texts, p_reforms, p_evaluations,
                          p_councils, p_contacts))[1];

-- not for PUBLIC: only the other planq_* functions call it
REVOKE EXECUTE ON FUNCTION planq_store_plan(bigint, planq_plan_fact_row, text, planq_issue_row[],
                           planq_strategy_row[], planq_initiative_row[],
                           planq_budget_row[], planq_plan_row[], planq_text_row[],
                           planq_reform_row[], planq_evaluation_row[],
                           planq_council_row[], planq_contact_row[]) FROM PUBLIC;
