-- functions/planq_grant_to_ingest.sql: what the files of the functions the
-- workers call (planq_ingest_rows, planq_ingest_batch, planq_ingest,
-- planq_analyze_stale) do
-- after creating one: take it from PUBLIC, and grant it at once to the
-- planq_ingest role if that role exists, so that the workers can call it
-- as soon as a migration that gave it other arguments commits, before
-- `planq db roles` runs (sql/roles.sql grants the same).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- p_function: a function with one signature (regproc refuses a name that
-- has several)
CREATE OR REPLACE FUNCTION planq_grant_to_ingest(p_function regproc)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', p_function);
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'planq_ingest') THEN
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO planq_ingest', p_function);
	END IF;
END $$;

-- not for PUBLIC: only `planq db migrate` calls it, as the schema owner
REVOKE EXECUTE ON FUNCTION planq_grant_to_ingest FROM PUBLIC;
