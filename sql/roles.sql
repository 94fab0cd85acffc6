-- roles.sql: the two login roles planq uses, with the least they need.
-- Not a numbered migration: roles are cluster-wide, so this runs (again)
-- after every migrate via deploy/setup-database.sh or `planq db roles`.
--   planq_ingest: the workers and the daemon; may only call planq_ingest_rows(),
--                 planq_ingest(), planq_ingest_batch(), planq_record_event()
--                 and planq_analyze_stale() (SECURITY DEFINER functions) and
--                 read the schema version.  Owns nothing.
--   planq_report: analysts and `planq report`; SELECT on the views only
--                 (and search_plans(), which reads a view).
-- Passwords and pg_hba.conf are the deployment's business, not this file's.

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'planq_ingest') THEN
		CREATE ROLE planq_ingest LOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'planq_report') THEN
		CREATE ROLE planq_report LOGIN;
	END IF;
END $$;

-- start from nothing on our tables, views and functions
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM planq_ingest, planq_report;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM planq_ingest, planq_report;
-- nobody creates objects in public (the SECURITY DEFINER functions' search_path)
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO planq_ingest, planq_report;

-- by name: each has one signature
GRANT EXECUTE ON FUNCTION planq_ingest, planq_ingest_batch, planq_ingest_rows,
	planq_record_event, planq_analyze_stale, planq_store_plan_changes
TO planq_ingest;
-- the worker checks at startup that the schema is migrated
GRANT SELECT ON planq_migrations TO planq_ingest;
-- the reference list of organisations (011) is for reports to join
GRANT SELECT ON orgs TO planq_report;

-- every view in public, as the migrations define them today
DO $$
DECLARE
	v regclass;
BEGIN
	FOR v IN SELECT c.oid::regclass FROM pg_class c
	          JOIN pg_namespace n ON n.oid = c.relnamespace
	         WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm')
	LOOP
		EXECUTE format('GRANT SELECT ON %s TO planq_report', v);
	END LOOP;
END $$;
