-- functions/planq_plan_facts.sql: the facts of plans given as JSON, for the
-- callers that still send the plan JSON (planq_ingest_batch, planq_ingest,
-- planq_reparse): what the worker computes itself and sends as
-- planq_plan_fact_row (sql/015_plan_facts.sql, rows/plan_facts.c).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- One fact row per position i whose p_plans[i] is a plan (an object whose
-- is_plan is not false), naming doc i: planq_plan_digest of the JSON,
-- org.printed_name (NULL when absent: planq_store_plans then stores the
-- row's org_name), the warnings' codes in order (NULL when the plan has no
-- warnings list).
CREATE OR REPLACE FUNCTION planq_plan_facts(p_plans jsonb[])
RETURNS planq_plan_fact_row[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY(
	SELECT ROW(u.n::integer, planq_plan_digest(u.p),
	           u.p->'org'->>'printed_name',
	           CASE WHEN jsonb_typeof(u.p->'warnings') = 'array' THEN
	           ARRAY(SELECT w.e->>'code'
	                   FROM jsonb_array_elements(u.p->'warnings')
	                        WITH ORDINALITY AS w(e, k)
	                  ORDER BY w.k) END)::planq_plan_fact_row
	  FROM unnest(p_plans) WITH ORDINALITY AS u(p, n)
	 WHERE jsonb_typeof(u.p) = 'object'
	   AND u.p->'is_plan' IS DISTINCT FROM 'false'::jsonb
	 ORDER BY u.n);

-- not for PUBLIC: only the other planq_* functions call it
REVOKE EXECUTE ON FUNCTION planq_plan_facts(jsonb[]) FROM PUBLIC;
