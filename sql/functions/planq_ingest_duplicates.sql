-- functions/planq_ingest_duplicates.sql: the answers and ingest_events rows
-- for the documents of a batch that were already stored.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- The documents of a batch that were not inserted (positions not in
-- p_new_idx): each is a duplicate of stored bytes, recorded as an
-- ingest_events row with its own source URL.  Returns the batch's rows for
-- them.
CREATE OR REPLACE FUNCTION planq_ingest_duplicates(p_sha bytea[], p_envelope jsonb[],
                                        p_new_idx integer[])
RETURNS TABLE (idx integer, status text, document_id bigint, plan_id bigint,
               reason text)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY
	WITH dup AS (
		SELECT u.i::integer AS i, d.id, d.outcome, d.reason,
		       planq_envelope_url(u.env) AS url
		  FROM unnest(p_sha, p_envelope) WITH ORDINALITY AS u(sha, env, i)
		  JOIN documents d ON d.sha256 = u.sha
		 WHERE p_new_idx IS NULL OR u.i <> ALL (p_new_idx)),
	ev AS (
		INSERT INTO ingest_events (kind, document_id, source_url, reason)
		SELECT 'duplicate', d.id, d.url, d.reason FROM dup d ORDER BY d.i)
	SELECT d.i,
	       CASE WHEN d.outcome = 'stored' THEN 'duplicate' ELSE 'rejected' END,
	       d.id, p.id, CASE WHEN d.outcome = 'rejected' THEN d.reason END
	  FROM dup d LEFT JOIN plans p ON p.document_id = d.id;
END $$;

-- not for PUBLIC: only the other planq_* functions call it
REVOKE EXECUTE ON FUNCTION planq_ingest_duplicates(bytea[], jsonb[], integer[]) FROM PUBLIC;
