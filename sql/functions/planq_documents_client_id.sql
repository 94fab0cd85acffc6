-- functions/planq_documents_client_id.sql: the trigger that fills
-- documents.client_id from the envelope's "id" when an insert leaves it
-- NULL (docs/PROTOCOL.md: "id" is the client's own identifier of the
-- message); planq_ingest_batch fills it itself, so the trigger only runs
-- for other inserts.  The function and its trigger, together.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

CREATE OR REPLACE FUNCTION planq_documents_client_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.client_id IS NULL THEN
		NEW.client_id := NEW.envelope ->> 'id';
	END IF;
	RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER documents_client_id BEFORE INSERT ON documents
	FOR EACH ROW WHEN (NEW.client_id IS NULL)
	EXECUTE FUNCTION planq_documents_client_id();
