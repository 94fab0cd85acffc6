#!/usr/bin/env bash
# test_analyze.sh: the workers' maintenance after a burst of ingest
# (workers/maintain.c): the planner's statistics refreshed by planq itself
# (sql/functions/planq_analyze_stale.sql; docs/OPERATIONS.md "Planner
# statistics"), and the rows of plan_changes stored
# (sql/functions/planq_store_plan_changes.sql; docs/REPORTING.md).  With
# autovacuum off, so that nothing else runs ANALYZE:
#   - planq_analyze_stale() analyses the tables whose rows changed past
#     the threshold and returns them, then nothing until they change again;
#     during a burst (its argument) only the tables that doubled;
#     while another session holds its lock it returns at once, analysing
#     nothing; the ingest role may call it, the report role may not
#   - 40 generated documents (bench/gen.py; seed 5 has versions of the
#     same plans) sent through planqd, whose workers connect as the ingest
#     role: once the workers are idle, every planq table changed past the
#     threshold has been analysed (last_analyze set, the planner's row count
#     within the threshold of the real one), and planqd's log says so;
#     every pair of plan versions has its plan_changes rows stored, the
#     view's rows are planq_plan_diff's for each pair, and the log says so
set -u
. "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
PG_EXTRA_OPTS="-c autovacuum=off" setup_db
"$PLANQ" db roles --db "$PLANQ_DB" >/dev/null || { echo "planq db roles failed"; exit 1; }

# the planq tables whose rows changed past the function's threshold
stale() {
	sql "SELECT coalesce(string_agg(s.relname, ' ' ORDER BY s.relname), 'none')
	       FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
	      WHERE s.schemaname = 'public'
	        AND s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)"
}
# what a call returns, as "table:rows …" (as role $1; $2 true: during a
# burst)
call() {
	psql -X -Atq -U "${1:-planq}" -v ON_ERROR_STOP=1 -c "SELECT coalesce(string_agg(
		table_name || ':' || rows_changed, ' ' ORDER BY table_name), 'none')
		FROM planq_analyze_stale(${2:-false})" 2>&1 | sed -e 's/^ERROR:  permission denied.*/denied/'
}

assert_eq "autovacuum is off in this cluster" off "$(sql 'SHOW autovacuum')"
# what the migrations wrote (the organisations of 011): analysed first
wait_for "[ \"\$(stale)\" != none ]" 30
assert_match "the migrations' rows: analysed" '^orgs:[0-9]+$' "$(call)"
assert_eq "then nothing is stale" none "$(stale)"

# ---- the function alone: 120 events (planq_record_event, as the ingest role)
sql "SELECT planq_record_event('retry', 'http://example.org/' || g, 'test')
       FROM generate_series(1, 120) g" >/dev/null
# a backend's counts reach pg_stat_user_tables when it ends at the latest
wait_for "[ \"\$(stale)\" = ingest_events ]" 30
assert_eq "120 events: ingest_events is stale" ingest_events "$(stale)"
assert_eq "the report role may not call it" denied "$(call planq_report)"

# while another session holds the function's lock, a call analyses nothing
psql -X -Atq -c "SELECT pg_advisory_lock(hashtext('planq_analyze_stale')), pg_sleep(60)" \
	>/dev/null 2>&1 &
holder=$!
wait_for "[ \"\$(sql \"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted\")\" = 1 ]" 30
assert_eq "another caller holds the lock: nothing analysed" none "$(call planq_ingest)"
assert_eq "ingest_events still stale" ingest_events "$(stale)"
kill "$holder" 2>/dev/null
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE query LIKE '%pg_advisory_lock(hashtext%' AND pid <> pg_backend_pid()" >/dev/null
wait "$holder" 2>/dev/null
wait_for "[ \"\$(sql \"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'\")\" = 0 ]" 30

assert_eq "the ingest role's call analyses the stale table" ingest_events:120 "$(call planq_ingest)"
assert_match "ingest_events: last_analyze set" '^t$' \
	"$(sql "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'ingest_events'")"
assert_eq "nothing stale after it" none "$(stale)"
assert_eq "a second call: nothing to do" none "$(call planq_ingest)"

# during a burst only a table that doubled since its last analyze: 100 more
# events are past 50 + 10 % of 120, not past 50 + 100 %
sql "SELECT planq_record_event('retry', 'http://example.org/b' || g, 'test')
       FROM generate_series(1, 100) g" >/dev/null
wait_for "[ \"\$(stale)\" = ingest_events ]" 30
assert_eq "during a burst: 100 rows on 120 are not enough" none \
	"$(call planq_ingest true)"
assert_eq "ingest_events still stale" ingest_events "$(stale)"
sql "SELECT planq_record_event('retry', 'http://example.org/c' || g, 'test')
       FROM generate_series(1, 80) g" >/dev/null
wait_for "[ \"\$(sql \"SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 'ingest_events'\")\" = 180 ]" 30
assert_eq "during a burst: 180 rows on 120 are (50 + 100 %)" ingest_events:180 \
	"$(call planq_ingest true)"
assert_eq "nothing stale after it" none "$(stale)"

# ---- a burst through planqd, its workers connected as the ingest role
assert_eq "no plan table analysed before the burst" 0 \
	"$(sql "SELECT count(*) FROM pg_stat_user_tables
	         WHERE relname IN ('documents', 'plans', 'initiatives') AND last_analyze IS NOT NULL")"
planqd_start --workers=2 --db "$PLANQ_DB user=planq_ingest"
/usr/bin/python3 bench/gen.py --out "$TMP/corpus" --docs 40 --seed 5 >/dev/null
out=$("$PLANQ" send --to "$ENDPOINT" --concurrency 4 "$TMP"/corpus/*.txt 2>&1)
assert_match "the corpus stored" '^[1-9][0-9]+$' "$(grep -c '^stored document=' <<<"$out")"
assert_match "its initiatives are past the threshold" '^[1-9][0-9]{2,}$' \
	"$(sql 'SELECT count(*) FROM initiatives')"
# the workers go idle: a call within a second or two, another once every
# backend's counts are in (analyze.h), then nothing is stale
# initiatives: analysed, and the planner's row count within the threshold
# of the real one (the backends' counts reach pg_stat_user_tables up to 10 s
# after their commits: the workers' last call comes after that)
initiatives_known() {
	sql "SELECT s.last_analyze IS NOT NULL AND
	            c.reltuples >= (SELECT count(*) FROM initiatives) - 50 - 0.1 * c.reltuples
	       FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
	      WHERE s.relname = 'initiatives'"
}
wait_for "[ \"\$(initiatives_known)\" = t ] && [ \"\$(stale)\" = none ] && grep -q 'planner statistics refreshed' '$TMP/planqd.log'" 60
assert_eq "after the burst, nothing stale" none "$(stale)"
# (not "no row changed since": the last call may have come when fewer rows
# than the threshold were still to come, and then leaves them, as
# autovacuum would)
assert_eq "initiatives analysed by planq (autovacuum off, no ANALYZE by hand), the planner's count within the threshold of the real one" t \
	"$(initiatives_known)"
assert_match "planqd's log names the tables" 'planner statistics refreshed: ANALYZE of .*initiatives \([0-9]+\)' \
	"$(grep 'planner statistics refreshed' "$TMP/planqd.log")"
# the plan changes: stored once the workers are idle, pair by pair as
# planq_plan_diff (the function form of the same rules) gives them
# plan_changes against planq_plan_diff called for each pair: "rows of the
# view not in the calls|the other way"
changes_vs_diff() {
	sql "WITH f AS (SELECT v.org_name, v.fiscal_year, v.from_plan_id, v.from_stage, v.to_plan_id, v.to_stage,
	                       d.change, d.initiative_code, d.initiative_title, d.old_code, d.old_title,
	                       d.old_amount_yen, d.new_amount_yen, d.new_amount_yen - d.old_amount_yen, d.matched_by
	                  FROM plan_version_pairs v, planq_plan_diff(v.from_plan_id, v.to_plan_id) d)
	     SELECT (SELECT count(*) FROM (SELECT * FROM plan_changes EXCEPT ALL SELECT * FROM f) x)
	            || '|' || (SELECT count(*) FROM (SELECT * FROM f EXCEPT ALL SELECT * FROM plan_changes) x)"
}
pairs_left() {
	sql "SELECT count(*) FROM plan_version_pairs v
	      WHERE NOT EXISTS (SELECT 1 FROM plan_change_pairs s
	                         WHERE s.from_plan_id = v.from_plan_id AND s.to_plan_id = v.to_plan_id)"
}
assert_match "the corpus has versions of the same plans" '^[1-9][0-9]*$' \
	"$(sql 'SELECT count(*) FROM plan_version_pairs')"
wait_for "[ \"\$(pairs_left)\" = 0 ] && grep -q 'plan changes stored for' '$TMP/planqd.log'" 60
assert_eq "every pair of versions stored" 0 "$(pairs_left)"
assert_eq "the stored rows are the pairs' changes" \
	"$(sql 'SELECT count(*) FROM plan_version_pairs v, planq_plan_diff(v.from_plan_id, v.to_plan_id)')" \
	"$(sql 'SELECT count(*) FROM plan_change_rows')"
assert_eq "plan_changes = planq_plan_diff of each pair, row for row" "0|0" \
	"$(changes_vs_diff)"
assert_match "planqd's log counts the pairs" "plan changes stored for $(sql 'SELECT count(*) FROM plan_change_pairs') pairs" \
	"$(grep 'plan changes stored for' "$TMP/planqd.log" | tail -n 1)"
assert_eq "no warning from the workers' maintenance sessions" "" \
	"$(grep -e 'planner statistics: ' -e 'plan changes: ' -e 'maintenance session: ' "$TMP/planqd.log" | head -n 3)"
check "planqd stops cleanly" planqd_stop

# pairs left when planqd stopped (or made by `planq reparse`): a worker
# that starts looks for them once idle, with no document sent
sql "DELETE FROM plan_change_pairs" >/dev/null
assert_eq "the stored pairs deleted" "$(sql 'SELECT count(*) FROM plan_version_pairs')" "$(pairs_left)"
planqd_start --workers=1 --db "$PLANQ_DB user=planq_ingest"
wait_for "[ \"\$(pairs_left)\" = 0 ]" 60
assert_eq "a new worker stores the pairs left, with no document sent" 0 "$(pairs_left)"
assert_eq "plan_changes = planq_plan_diff of each pair, after" "0|0" \
	"$(changes_vs_diff)"
check "planqd stops cleanly again" planqd_stop
finish
