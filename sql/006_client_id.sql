-- 006_client_id: documents.client_id is the envelope's "id", the client's
-- own identifier of the message (docs/PROTOCOL.md).  planq_ingest() only
-- looked for "client_id"/"client" keys; fill it from "id" when those are
-- absent, on insert and for the rows already stored.
CREATE FUNCTION planq_documents_client_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.client_id IS NULL THEN
		NEW.client_id := NEW.envelope ->> 'id';
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER documents_client_id BEFORE INSERT ON documents
	FOR EACH ROW EXECUTE FUNCTION planq_documents_client_id();

UPDATE documents SET client_id = envelope ->> 'id'
 WHERE client_id IS NULL AND envelope ? 'id';
