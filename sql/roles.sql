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

GRANT EXECUTE ON FUNCTION
	planq_ingest(bytea, bytea, jsonb, text, text, text, jsonb, text,
	             planq_issue_row[], planq_strategy_row[], planq_initiative_row[],
	             planq_budget_row[], planq_plan_row[], planq_text_row[],
	             planq_reform_row[], planq_evaluation_row[], planq_council_row[],
	             planq_contact_row[]),
	planq_ingest_batch(bytea[], bytea[], jsonb[], text[], text[], text[], jsonb[],
	                   text, planq_issue_row[], planq_strategy_row[],
	                   planq_initiative_row[], planq_budget_row[],
	                   planq_plan_row[], planq_text_row[], planq_reform_row[],
	                   planq_evaluation_row[], planq_council_row[],
	                   planq_contact_row[]),
	planq_ingest_rows(bytea[], bytea[], jsonb[], text[], text[], text[],
	                  planq_plan_fact_row[], text, planq_issue_row[],
	                  planq_strategy_row[], planq_initiative_row[],
	                  planq_budget_row[], planq_plan_row[], planq_text_row[],
	                  planq_reform_row[], planq_evaluation_row[],
	                  planq_council_row[], planq_contact_row[]),
	planq_record_event(text, text, text),
	planq_analyze_stale(boolean)
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
