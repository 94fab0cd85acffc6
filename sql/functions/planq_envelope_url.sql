-- functions/planq_envelope_url.sql: the source URL an envelope names, for
-- planq_ingest_batch and planq_ingest_duplicates.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- the URL an envelope names, under either spelling
CREATE OR REPLACE FUNCTION planq_envelope_url(e jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(e->>'source_url', e->>'url');
