-- functions/planq_ingest_batch.sql: planq_ingest_rows for callers that send
-- the plans' JSON (p_plan) instead of their facts: the worker's write up to
-- migration 015 (docs/SCHEMA.md).  Granted to planq_ingest by
-- sql/roles.sql; planq_ingest is this function with arrays of one.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.
--
-- Kept so that a worker of the previous version, still running while
-- `planq db migrate` commits 015, goes on storing documents (and for
-- psql sessions and tests that hand the database plans of their own): it
-- checks the arguments as before (p_plan[i] must be a plan object with
-- is_plan true for outcome 'stored'), reads each plan's facts out of its
-- JSON (planq_plan_facts: the digest, org.printed_name, the warnings'
-- codes) and calls planq_ingest_rows, which stores the same rows the
-- worker's facts would.  The other arguments, the answer and the errors
-- are planq_ingest_rows's; the ten row arrays are its p_rows
-- (planq_plan_rowset, migration 017), field by field.
CREATE OR REPLACE FUNCTION planq_ingest_batch(p_sha256 bytea[], p_raw bytea[],
                                   p_envelope jsonb[], p_charset text[],
                                   p_outcome text[], p_reason text[],
                                   p_plan jsonb[], p_parser_version text,
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
RETURNS TABLE (idx integer, status text, document_id bigint, plan_id bigint,
               reason text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_generic_plan SET enable_seqscan = off
AS $$
#variable_conflict use_column
DECLARE
	v_err	record;
BEGIN
	-- p_plan's own error first, worded as it always was
	v_err := planq_ingest_args_error(p_sha256, p_raw, p_outcome, p_reason,
	             CASE WHEN p_plan IS NOT NULL THEN
	             ARRAY(SELECT coalesce(jsonb_typeof(u.p) = 'object'
	                                   AND u.p->'is_plan' IS DISTINCT FROM 'false'::jsonb,
	                                   false)
	                     FROM unnest(p_plan) WITH ORDINALITY AS u(p, n)
	                    ORDER BY u.n) END,
	             p_parser_version);
	IF v_err.errcode IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = v_err.errcode,
		      MESSAGE = v_err.message, HINT = coalesce(v_err.hint, '');
	END IF;
	RETURN QUERY
	SELECT * FROM planq_ingest_rows(p_sha256, p_raw, p_envelope, p_charset,
	                                p_outcome, p_reason, planq_plan_facts(p_plan),
	                                p_parser_version,
	                                ROW(p_issues, p_strategies, p_initiatives,
	                                    p_budgets, p_plan_rows, p_texts, p_reforms,
	                                    p_evaluations, p_councils,
	                                    p_contacts)::planq_plan_rowset);
END $$;

-- not for PUBLIC: for the planq_ingest role (sql/roles.sql; and at once)
SELECT planq_grant_to_ingest('planq_ingest_batch');
