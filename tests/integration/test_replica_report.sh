#!/usr/bin/env bash
# test_replica_report.sh: reports from a hot standby, and planq's tools on a
# DSN of several hosts.  A real primary and a real streaming standby
# (tests/lib/replica.sh):
#   - `planq db migrate` and `planq db roles` given the standby first
#     (host=B,A) apply on the primary; given the standby alone they refuse
#     with libpq's reason and change nothing;
#   - every `planq report` run on the standby as planq_report prints what
#     it prints on the primary (read-only session: no writes, no temporary
#     tables); planq_report can read the views there and write nothing;
#   - target_session_attrs=prefer-standby sends a report to the standby: with
#     the standby's replay paused, a plan stored on the primary is missing
#     from it until replay resumes (the lag docs/SCALING.md describes);
#   - `planq reparse` given host=B,A runs on the primary.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/plansql.sh"
. "$ROOT/tests/lib/replica.sh"
cd "$ROOT"

replica_start "$TMP/replica" async || { fail "primary and standby start"; finish; }
A=$REPLICA_PRIMARY B=$REPLICA_STANDBY
PA=$(cat "$A/port") PB=$(cat "$B/port")
standby_first="host=$B,$A port=$PB,$PA user=planq dbname=planq"

# ---- tools that write reach the primary --------------------------------------
"$PLANQ" db migrate --db "$REPLICA_STANDBY_DSN" >"$TMP/m0.out" 2>&1
assert_eq "migrate on the standby alone: exit 1" 1 "$?"
assert_match "migrate on the standby alone: libpq says why" 'session is read-only' "$(cat "$TMP/m0.out")"
"$PLANQ" db migrate --db "$standby_first" >"$TMP/m1.out" 2>&1
assert_eq "migrate given host=standby,primary: exit 0" 0 "$?"
assert_match "migrate given host=standby,primary: applied" '^applied B014_baseline' "$(cat "$TMP/m1.out")"
check "roles given host=standby,primary" sh -c "'$PLANQ' db roles --db '$standby_first' >/dev/null"
latest=$(sql "SELECT max(version) FROM planq_migrations")
check "the standby replays the schema" \
	wait_for "[ \"\$(\"$PLANQ\" db version --db '$REPLICA_STANDBY_DSN' 2>/dev/null)\" = '$latest' ]" 30

# ---- data, replayed on the standby --------------------------------------------
install_plan_rows	# test_planq_ingest: planq_ingest with the plan's rows
for json in samples/*.json; do
	ingest "${json%.json}.txt" "$json" stored '' '{"source_url":"https://www.city.osaka.lg.jp/plan"}' >/dev/null
done
# until the standby has replayed what the primary wrote
caught_up() {
	local lsn
	lsn=$(sql "SELECT pg_current_wal_lsn()")
	wait_for "[ \"\$(replica__psql '$B' \"SELECT pg_last_wal_replay_lsn() >= '$lsn'\")\" = t ]" 30
}
check "the standby catches up" caught_up

# ---- every report on the standby, as planq_report -------------------------------
on_standby="host=$B port=$PB user=planq_report dbname=planq"
on_primary="host=$A port=$PA user=planq_report dbname=planq"
reports=(plans budgets "history 北区" "changes 北区" "search 防災情報の発信" fragments ingest)
for r in "${reports[@]}"; do
	# shellcheck disable=SC2086
	want=$("$PLANQ" report --db "$on_primary" --csv $r 2>&1)
	# shellcheck disable=SC2086
	got=$("$PLANQ" report --db "$on_standby" --csv $r 2>&1)
	rc=$?
	assert_eq "report $r on the standby: exit 0" 0 "$rc"
	assert_eq "report $r: the standby prints what the primary prints" "$want" "$got"
done
assert_match "the plans report has the samples" '北区' "$("$PLANQ" report --db "$on_standby" plans)"

# as ROLE on the standby: the first row, or the error's first words
on_b() {
	psql -X -Atq -h "$B" -p "$PB" -U "$1" -d planq -v ON_ERROR_STOP=1 -c "$2" 2>&1 | head -n 1
}
assert_match "planq_report reads plans_current on the standby" '^[0-9]+$' \
	"$(on_b planq_report 'SELECT count(*) FROM plans_current')"
assert_match "planq_report calls search_plans on the standby" '^1$' \
	"$(on_b planq_report "SELECT count(*) FROM search_plans('防災情報の発信')")"
assert_match "planq_report cannot write on the standby" '^ERROR: ' \
	"$(on_b planq_report 'DELETE FROM budgets')"
assert_match "nor can the workers' role" '^ERROR: ' \
	"$(on_b planq_ingest "SELECT planq_record_event('retry', NULL, 'x')")"

# ---- prefer-standby: reports go to the standby, with its lag ------------------
prefer="host=$A,$B port=$PA,$PB user=planq_report dbname=planq target_session_attrs=prefer-standby"
replica__psql "$B" "SELECT pg_wal_replay_pause()" >/dev/null
variant=$TMP/lagku.json
jq '.org.name = "遅延区" | .title = "遅延区 運営方針"' samples/01_kita_r3_table.json >"$variant"
printf 'raw bytes of the lag variant\n' >"$TMP/lagku.txt"
ingest "$TMP/lagku.txt" "$variant" >/dev/null
assert_match "the primary has the new plan" '遅延区' "$("$PLANQ" report --db "$on_primary" plans)"
check "prefer-standby: the report comes from the standby, which has not replayed it" \
	sh -c "! '$PLANQ' report --db '$prefer' plans | grep -q 遅延区"
replica__psql "$B" "SELECT pg_wal_replay_resume()" >/dev/null
check "the standby catches up again" caught_up
assert_match "prefer-standby: once replayed, the plan is there" '遅延区' \
	"$("$PLANQ" report --db "$prefer" plans)"

# ---- reparse given the standby first runs on the primary ----------------------
out=$("$PLANQ" reparse --db "$standby_first" --all 2>&1)
assert_eq "reparse given host=standby,primary: exit 0" 0 "$?"
assert_match "reparse given host=standby,primary: reparsed on the primary" '^reparsed 6 documents' "$out"
out=$("$PLANQ" reparse --db "$REPLICA_STANDBY_DSN" --all 2>&1)
assert_eq "reparse on the standby alone: exit 1" 1 "$?"
assert_match "reparse on the standby alone: libpq says why" 'session is read-only' "$out"
finish
