#!/usr/bin/env bash
# test_sql_upgrade.sh: an upgrade to 015 (sql/015_plan_facts.sql) while
# workers run (docs/OPERATIONS.md): a worker of the previous version goes
# on calling planq_ingest_batch with the plan JSON, and is served after the
# migration commits, storing what the new worker would (the facts it read
# out of the JSON: the digest, org.printed_name, the warnings' codes); and
# a new worker started against a schema without planq_ingest_rows (one
# before 015) refuses to work, saying which function is missing and to
# migrate, instead of answering documents.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/plansql.sh"
cd "$ROOT"

setup_db
install_plan_rows
sample=samples/$(ls samples | grep -v '\.json$' | head -n 1)
json=${sample%.*}.json
"$PLANQ" parse "$sample" >"$TMP/plan.json"
jq -e '.is_plan != false and (.warnings | type) == "array"' "$TMP/plan.json" >/dev/null
check "the sample parses to a plan with a warnings list" test $? -eq 0

# ---- the previous worker's call, with the JSON ----------------------------
out=$(ingest "$sample" "$TMP/plan.json")
assert_match "planq_ingest_batch (the JSON) still stores a plan" '^stored\|[0-9]+\|[0-9]+\|$' "$out"
plan=$(cut -d'|' -f3 <<<"$out")
q -v plan="$(cat "$TMP/plan.json")" >/dev/null <<'SQL'
CREATE TABLE t_json AS SELECT :'plan'::jsonb AS j;
SQL
assert_eq "... with the JSON's digest" t \
	"$(sql "SELECT p.parsed_sha256 = planq_plan_digest(t.j) FROM plans p, t_json t WHERE p.id = $plan")"
assert_eq "... its org.printed_name" t \
	"$(sql "SELECT p.org_printed_name = coalesce(t.j->'org'->>'printed_name', p.org_name)
	        FROM plans p, t_json t WHERE p.id = $plan")"
assert_eq "... and its warnings' codes" t \
	"$(sql "SELECT p.warning_codes = ARRAY(SELECT w->>'code' FROM jsonb_array_elements(t.j->'warnings') w)
	        FROM plans p, t_json t WHERE p.id = $plan")"

# ---- the new worker stores the same facts ---------------------------------
planqd_start --workers=1
"$PLANQ" send --to "$ENDPOINT" "$sample" >"$TMP/send.out" 2>&1
assert_match "the new worker answers the same bytes duplicate" '^duplicate ' "$(cat "$TMP/send.out")"
cp "$sample" "$TMP/again.${sample##*.}"; printf ' ' >>"$TMP/again.${sample##*.}"
"$PLANQ" parse "$TMP/again.${sample##*.}" >"$TMP/again.json"
"$PLANQ" send --to "$ENDPOINT" "$TMP/again.${sample##*.}" >"$TMP/send2.out" 2>&1
assert_match "the new worker stores a plan" '^stored ' "$(cat "$TMP/send2.out")"
q -v plan="$(cat "$TMP/again.json")" >/dev/null <<'SQL'
CREATE TABLE t_again AS SELECT :'plan'::jsonb AS j;
SQL
assert_eq "... whose facts are those planq_plan_facts reads from its JSON" t \
	"$(sql "SELECT f.parsed_sha256 = p.parsed_sha256
	               AND coalesce(f.org_printed_name, p.org_name) = p.org_printed_name
	               AND f.warning_codes IS NOT DISTINCT FROM p.warning_codes
	          FROM t_again t, planq_plan_facts(ARRAY[t.j]) AS a, unnest(a) AS f,
	               plans p WHERE p.id = (SELECT max(id) FROM plans)")"
check "planqd stops cleanly" planqd_stop

# ---- a new worker, a schema before 015 ------------------------------------
sql "DROP FUNCTION planq_ingest_rows CASCADE" >/dev/null
: >"$TMP/planqd.log"
"$PLANQ_BIN/planqd" --listen "tcp://127.0.0.1:$(random_port)" --db "$PLANQ_DB" \
	--runtime-dir "$TMP/run" --workers 1 >>"$TMP/planqd.log" 2>&1 &
PLANQD_PID=$!
# (gone, or a zombie until waited for)
wait_for "! ps -o stat= -p $PLANQD_PID | grep -q '^[^Z]'" 30
check "planqd with a worker that cannot work stops" \
	sh -c "! ps -o stat= -p $PLANQD_PID | grep -q '^[^Z]'"
kill -TERM "$PLANQD_PID" 2>/dev/null; wait "$PLANQD_PID" 2>/dev/null; PLANQD_PID=
assert_match "the worker names the missing function and says to migrate" \
	'planq_ingest_rows.*does not exist.*run: planq db migrate' "$(cat "$TMP/planqd.log")"
finish
