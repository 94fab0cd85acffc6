-- functions/planq_store_plan.sql: one plan's rows, for planq_reparse.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- reparse's one plan, through the same statements
CREATE OR REPLACE FUNCTION planq_store_plan(p_document_id bigint, p_plan jsonb,
                                 p_parser_version text) RETURNS bigint
LANGUAGE sql
RETURN (planq_store_plans(ARRAY[p_document_id], ARRAY[p_plan], p_parser_version))[1];

-- not for PUBLIC: only the other planq_* functions call it
REVOKE EXECUTE ON FUNCTION planq_store_plan(bigint, jsonb, text) FROM PUBLIC;
