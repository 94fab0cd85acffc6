-- functions/planq_try_timestamptz.sql: documents.fetched_at from the envelope,
-- for planq_ingest_batch.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- fetched_at from the envelope: an ISO timestamp string or epoch seconds;
-- NULL (never an error) when it does not parse -- the envelope keeps it
CREATE OR REPLACE FUNCTION planq_try_timestamptz(v jsonb) RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
	CASE jsonb_typeof(v)
	WHEN 'number' THEN
		RETURN to_timestamp((v #>> '{}')::double precision);
	WHEN 'string' THEN
		-- only something shaped like an ISO date reaches the cast
		IF (v #>> '{}') !~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|z|[+-]\d{2}(:?\d{2})?)?$' THEN
			RETURN NULL;
		END IF;
		RETURN (v #>> '{}')::timestamptz;
	ELSE
		RETURN NULL;
	END CASE;
EXCEPTION WHEN data_exception THEN
	RETURN NULL;
END $$;

-- not for PUBLIC: only the other planq_* functions call it
REVOKE EXECUTE ON FUNCTION planq_try_timestamptz(jsonb) FROM PUBLIC;
