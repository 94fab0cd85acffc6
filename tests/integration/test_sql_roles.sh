#!/usr/bin/env bash
# test_sql_roles.sh: sql/roles.sql as applied by `planq db roles`: the
# planq_ingest role can store documents and read the schema version and
# nothing else; planq_report can read the views and the reference table
# orgs, and nothing else.
. "$(dirname "$0")/../lib/sqltest.sh"	# a database, test_planq_ingest()
"$PLANQ" db roles >/dev/null || { echo "planq db roles failed"; exit 1; }

# as ROLE SQL: prints the first row, or "denied" for 42501, or the error
as() {
	local role=$1; shift
	psql -X -Atq -U "$role" -v ON_ERROR_STOP=1 -c "$1" 2>&1 |
		sed -e 's/^ERROR:  permission denied.*/denied/' | head -n 1
}

json=samples/01_kita_r3_table.json
raw=$(base64 -w0 samples/01_kita_r3_table.txt)

# ---- planq_ingest -----------------------------------------------------------------
out=$(psql -X -Atq -U planq_ingest -v raw="$raw" -v plan="$(cat "$json")" 2>&1 <<'SQL'
SELECT status FROM test_planq_ingest(NULL, decode(:'raw','base64'), '{}', 'UTF-8', 'stored', NULL, :'plan'::jsonb, 'v1');
SQL
)
assert_eq "planq_ingest role: can call planq_ingest" stored "$out"
assert_match "planq_ingest role: can read the schema version" '^[0-9]+$' "$(as planq_ingest 'SELECT max(version) FROM planq_migrations')"
assert_match "planq_ingest role: can record an event" '^[0-9]+$' "$(as planq_ingest "SELECT planq_record_event('retry', NULL, 'busy')")"
assert_match "planq_ingest role: can refresh the planner's statistics" '^[0-9]+$' \
	"$(as planq_ingest "SELECT count(*) FROM planq_analyze_stale()")"
assert_match "planq_ingest role: can store the plan changes" '^[0-9]+$' \
	"$(as planq_ingest "SELECT pairs_stored FROM planq_store_plan_changes()")"
assert_eq "planq_ingest role: cannot read documents" denied "$(as planq_ingest 'SELECT count(*) FROM documents')"
assert_eq "planq_ingest role: cannot write plans directly" denied "$(as planq_ingest 'DELETE FROM plans')"
assert_eq "planq_ingest role: cannot read the views" denied "$(as planq_ingest 'SELECT count(*) FROM plans_current')"
assert_eq "planq_ingest role: cannot call the internal planq_plan_rows_error" denied \
	"$(as planq_ingest "SELECT planq_plan_rows_error(1, NULL::planq_plan_rowset)")"
assert_eq "planq_ingest role: can call planq_ingest_batch" "1|duplicate" \
	"$(as planq_ingest "SELECT idx || '|' || status FROM planq_ingest_batch(ARRAY[NULL::bytea], ARRAY[decode('$raw','base64')], ARRAY['{}'::jsonb], ARRAY['UTF-8'], ARRAY['stored'], ARRAY[NULL::text], ARRAY['$(jq -c . "$json")'::jsonb], 'v1')")"
assert_eq "planq_ingest role: can call planq_ingest_rows (the worker's call)" "1|duplicate" \
	"$(as planq_ingest "SELECT idx || '|' || status FROM planq_ingest_rows(ARRAY[NULL::bytea], ARRAY[decode('$raw','base64')], ARRAY['{}'::jsonb], ARRAY['UTF-8'], ARRAY['stored'], ARRAY[NULL::text], ARRAY[ROW(1, NULL, NULL, NULL)::planq_plan_fact_row], 'v1')")"
assert_eq "planq_ingest role: cannot call the internal planq_store_plans" denied \
	"$(as planq_ingest "SELECT planq_store_plans(ARRAY[1::bigint], ARRAY[NULL::planq_plan_fact_row], 'x', NULL)")"
assert_eq "planq_ingest role: cannot call planq_reparse" denied \
	"$(as planq_ingest "SELECT * FROM planq_reparse(1, NULL, 'x')")"
assert_eq "planq_ingest role: cannot create tables in public" denied \
	"$(as planq_ingest 'CREATE TABLE public.x (i int)')"
assert_eq "planq_ingest role: owns no schema, table or function" 0 \
	"$(q -c "SELECT (SELECT count(*) FROM pg_namespace WHERE nspowner = 'planq_ingest'::regrole)
	          + (SELECT count(*) FROM pg_class WHERE relowner = 'planq_ingest'::regrole)
	          + (SELECT count(*) FROM pg_proc WHERE proowner = 'planq_ingest'::regrole)")"
assert_eq "SECURITY DEFINER functions pin search_path" "planq_analyze_stale|t|{\"search_path=public, pg_temp\"}
planq_ingest|t|{\"search_path=public, pg_temp\"}
planq_ingest_batch|t|{\"search_path=public, pg_temp\",jit=off,plan_cache_mode=force_generic_plan,enable_seqscan=off}
planq_ingest_rows|t|{\"search_path=public, pg_temp\",jit=off,plan_cache_mode=force_generic_plan,enable_seqscan=off}
planq_record_event|t|{\"search_path=public, pg_temp\"}
planq_reparse|t|{\"search_path=public, pg_temp\"}
planq_store_plan_changes|t|{\"search_path=public, pg_temp\",lock_timeout=1s}" \
	"$(q -c "SELECT proname, prosecdef, proconfig FROM pg_proc WHERE prosecdef AND pronamespace = 'public'::regnamespace ORDER BY proname")"

# ---- planq_report -----------------------------------------------------------------
for view in plans_current plans_all_versions plan_fragments plan_initiatives \
	    plan_initiatives_all_versions plan_budget_totals plan_budget_totals_all_versions \
	    budget_by_org_year initiative_history plan_changes ingest_outcomes ingest_rejections \
	    parse_quality; do
	assert_match "planq_report role: reads $view" '^[0-9]+$' "$(as planq_report "SELECT count(*) FROM $view")"
done
assert_eq "planq_report role: reads the reference table orgs" 24 \
	"$(as planq_report "SELECT count(*) FROM orgs WHERE kind = 'ward'")"
assert_eq "planq_report role: cannot write it" denied "$(as planq_report "DELETE FROM orgs")"
assert_eq "planq_report role: search_plans works" 1 \
	"$(as planq_report "SELECT count(*) FROM search_plans('防災情報の発信')")"
for table in documents plans initiatives budgets ingest_events planq_migrations; do
	assert_eq "planq_report role: cannot read $table" denied "$(as planq_report "SELECT count(*) FROM $table")"
done
assert_eq "planq_report role: cannot write a table" denied "$(as planq_report "DELETE FROM budgets")"
assert_eq "planq_report role: cannot write through a view" denied \
	"$(as planq_report "UPDATE plan_budget_totals SET total_yen = 0" | sed 's/^ERROR:  cannot update view.*/denied/')"
assert_eq "planq_report role: cannot call planq_ingest" denied \
	"$(as planq_report "SELECT * FROM planq_ingest(NULL, 'x', NULL, NULL, 'rejected', 'r', NULL, 'v')")"
assert_eq "planq_report role: cannot record events" denied \
	"$(as planq_report "SELECT planq_record_event('retry', NULL, NULL)")"
assert_eq "planq_report role: cannot run ANALYZE through planq_analyze_stale" denied \
	"$(as planq_report "SELECT count(*) FROM planq_analyze_stale()")"
assert_eq "planq_report role: cannot store plan changes" denied \
	"$(as planq_report "SELECT count(*) FROM planq_store_plan_changes()")"
assert_eq "planq_report role: cannot read the stored plan changes but through the view" denied \
	"$(as planq_report "SELECT count(*) FROM plan_change_rows")"
assert_eq "planq_report role: read raw bytes nowhere" 0 \
	"$(q -c "SELECT count(*) FROM information_schema.role_column_grants WHERE grantee = 'planq_report' AND column_name = 'raw'")"

# re-running roles after a migration keeps the grants working
"$PLANQ" db roles >/dev/null
assert_match "after roles again: planq_report still reads plans_current" '^[0-9]+$' \
	"$(as planq_report 'SELECT count(*) FROM plans_current')"

finish
