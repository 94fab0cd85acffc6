-- functions/planq_ingest.sql: one document: planq_ingest_batch with
-- arrays of one (docs/SCHEMA.md).  Granted to planq_ingest by sql/roles.sql.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- one document: a batch of one (same rows, same errors as before)
CREATE OR REPLACE FUNCTION planq_ingest(p_sha256 bytea, p_raw bytea, p_envelope jsonb,
                             p_charset text, p_outcome text, p_reason text,
                             p_plan jsonb, p_parser_version text)
RETURNS TABLE (status text, document_id bigint, plan_id bigint, reason text)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
BEGIN ATOMIC
	SELECT b.status, b.document_id, b.plan_id, b.reason
	  FROM planq_ingest_batch(ARRAY[p_sha256], ARRAY[p_raw], ARRAY[p_envelope],
	                          ARRAY[p_charset], ARRAY[p_outcome], ARRAY[p_reason],
	                          ARRAY[p_plan], p_parser_version) AS b;
END;

-- not for PUBLIC: sql/roles.sql grants it to the planq_ingest role
REVOKE EXECUTE ON FUNCTION planq_ingest(bytea, bytea, jsonb, text, text, text, jsonb, text) FROM PUBLIC;
