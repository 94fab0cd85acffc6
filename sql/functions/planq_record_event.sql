-- functions/planq_record_event.sql: one ingest_events row for something
-- documents cannot show (docs/SCHEMA.md).  Granted to planq_ingest by
-- sql/roles.sql.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- For the daemon: one event (retry, refused, …) about a document that did
-- not (yet) reach planq_ingest.  Returns the event id.
CREATE OR REPLACE FUNCTION planq_record_event(p_kind text, p_source_url text, p_reason text)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
BEGIN ATOMIC
	INSERT INTO ingest_events (kind, source_url, reason)
	VALUES (p_kind, p_source_url, p_reason)
	RETURNING id;
END;

-- not for PUBLIC: sql/roles.sql grants it to the planq_ingest role
REVOKE EXECUTE ON FUNCTION planq_record_event(text, text, text) FROM PUBLIC;
