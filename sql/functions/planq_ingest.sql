-- functions/planq_ingest.sql: one document: planq_ingest_batch with
-- arrays of one (docs/SCHEMA.md); its rows name doc 1.  Granted to
-- planq_ingest by sql/roles.sql.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- one document: a batch of one (same rows, same errors)
CREATE OR REPLACE FUNCTION planq_ingest(p_sha256 bytea, p_raw bytea, p_envelope jsonb,
                             p_charset text, p_outcome text, p_reason text,
                             p_plan jsonb, p_parser_version text,
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
RETURNS TABLE (status text, document_id bigint, plan_id bigint, reason text)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
BEGIN ATOMIC
	SELECT b.status, b.document_id, b.plan_id, b.reason
	  FROM planq_ingest_batch(ARRAY[p_sha256], ARRAY[p_raw], ARRAY[p_envelope],
	                          ARRAY[p_charset], ARRAY[p_outcome], ARRAY[p_reason],
	                          ARRAY[p_plan], p_parser_version, p_issues,
	                          p_strategies, p_initiatives, p_budgets, p_plan_rows,
	                          p_texts, p_reforms, p_evaluations, p_councils,
	                          p_contacts) AS b;
END;

-- not for PUBLIC: for the planq_ingest role (sql/roles.sql; and at once)
SELECT planq_grant_to_ingest('planq_ingest');
