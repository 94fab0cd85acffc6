#!/usr/bin/env bash
# test_sql_migrate.sh: `planq db migrate|version|roles` against a real
# PostgreSQL: fresh apply (the baseline, every numbered migration after
# it, then every repeatable function and view), second run is a no-op, runs
# at once apply each file once, a changed checksum is refused, works from
# another directory.
# Changing a repeatable file: test_sql_repeatable.sh; a database migrated
# by an earlier planq: test_sql_forward.sh.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/plansql.sh"
cd "$ROOT"
pg_start "$TMP/pg" || { echo "cannot start PostgreSQL"; exit 1; }

# the baseline and the numbered migrations after it, in the order they
# apply; the highest number, and how many there are (a number may be
# skipped while another branch holds it)
versioned=$(sh mk/sql-files.sh sql | sed -n -E 's|^sql/(B?[0-9]{3}_[A-Za-z0-9_]+)\.sql$|\1|p')
migrations=$(printf '%s\n' "$versioned" | wc -l)
first=$(printf '%s\n' "$versioned" | head -n 1)
latest=$(printf '%s\n' "$versioned" | tail -n 1 | sed -E 's|^B?0*([0-9]+)_.*|\1|')
repeatables=$(ls sql/functions/*.sql sql/views/*.sql | wc -l)
# the distinct repeatable files a migrate output says it applied
applied_repeatables() { grep -E '^applied (functions|views)/' "$@" | sed 's/ (.*//' | sort -u | wc -l; }

assert_eq "version of an empty database is 0" 0 "$("$PLANQ" db version 2>/dev/null)"

out=$("$PLANQ" db migrate --db "$PLANQ_DB"); rc=$?
assert_eq "first migrate exits 0" 0 $rc
assert_eq "first migrate applies every migration" "$migrations" "$(printf '%s\n' "$out" | grep -c '^applied B\?[0-9]')"
assert_eq "first migrate applies the baseline first" "applied B014_baseline" "$(printf '%s\n' "$out" | head -n 1)"
assert_eq "first migrate applies every repeatable file" "$repeatables" \
	"$(printf '%s\n' "$out" | applied_repeatables)"
assert_eq "repeatables come after every migration" "applied $(printf '%s\n' "$versioned" | tail -n 1)" \
	"$(printf '%s\n' "$out" | grep -B1 -m1 '^applied functions/' | head -n 1)"

# a database setting (019: the baseline, made by pg_dump --schema-only,
# does not carry 012's); a new session gets it
assert_eq "migrate turns JIT off in planq's database" off "$(q -c 'SHOW jit')"

out=$("$PLANQ" db migrate --db "$PLANQ_DB"); rc=$?
assert_eq "second migrate exits 0" 0 $rc
assert_eq "second migrate is a no-op" "database is up to date (version $latest)" "$out"
assert_eq "version after migrate" "$latest" "$("$PLANQ" db version)"
assert_eq "one planq_migrations row per file" "$migrations" "$(q -c 'SELECT count(*) FROM planq_migrations')"
assert_eq "one planq_repeatables row per repeatable file" "$repeatables" \
	"$(q -c 'SELECT count(*) FROM planq_repeatables')"
assert_eq "planq_repeatables holds each file's SHA-256" \
	"$(sha256sum sql/views/plans_current.sql | cut -c1-64)" \
	"$(q -c "SELECT checksum FROM planq_repeatables WHERE name = 'views/plans_current'")"

# from another directory, DSN from the environment only: the SQL is embedded
out=$(cd / && "$PLANQ" db migrate); rc=$?
assert_eq "migrate from / with PLANQ_DB exits 0" 0 $rc
out=$(cd / && env -u PLANQ_DB "$PLANQ" db version); rc=$?
assert_eq "db version with only PGHOST etc." "$latest" "$out"

# concurrent migrates on a fresh database
q -c "CREATE DATABASE planq_race" >/dev/null
race="host=$PGHOST port=$PGPORT user=planq dbname=planq_race"
for i in 1 2 3; do
	"$PLANQ" db migrate --db "$race" >"$TMP/race$i.out" 2>&1 &
done
rcs=0
for job in $(jobs -p); do wait "$job" || rcs=$((rcs + 1)); done
assert_eq "three concurrent migrates all succeed" 0 $rcs
assert_eq "each migration applied once across them" "$migrations" \
	"$(cat "$TMP"/race*.out | grep -c '^applied B\?[0-9]')"
assert_eq "distinct migrations applied" "$migrations" \
	"$(cat "$TMP"/race*.out | grep '^applied B\?[0-9]' | sort -u | wc -l)"
assert_eq "the repeatable files applied by one of them only" 1 \
	"$(grep -l '^applied functions/' "$TMP"/race*.out | wc -l)"
assert_eq "... all of them" "$repeatables" "$(cat "$TMP"/race*.out | applied_repeatables)"
assert_eq "race database is at the latest version" "$latest" \
	"$(psql -X -Atq -d planq_race -c 'SELECT max(version) FROM planq_migrations')"

# a changed checksum is refused and nothing else happens: the baseline's
# (a numbered migration's is checked the same way)
assert_eq "the baseline is recorded as version 14, with its SHA-256" \
	"14|$(sha256sum sql/B014_baseline.sql | cut -c1-64)" \
	"$(q -c "SELECT version || '|' || checksum FROM planq_migrations WHERE name = 'B014_baseline'")"
q -c "UPDATE planq_migrations SET checksum = repeat('0', 64) WHERE version = 14"
out=$("$PLANQ" db migrate 2>&1); rc=$?
assert_eq "migrate refuses a changed migration (exit 1)" 1 $rc
assert_match "refusal names the migration and says what to do" \
	'migration B014_baseline .*must never change' "$out"
psql -X -Atq -d planq_race -c "SELECT checksum FROM planq_migrations WHERE version = 14" >"$TMP/sum"
q -c "UPDATE planq_migrations SET checksum = '$(cat "$TMP/sum")' WHERE version = 14"
out=$("$PLANQ" db migrate 2>&1); rc=$?
assert_eq "restored checksum: migrate ok again" 0 $rc

# a migration that fails is rolled back whole and named with its line
q -c "CREATE DATABASE planq_clash" >/dev/null
psql -X -q -d planq_clash -c "CREATE TABLE plans (x int)"
clash="host=$PGHOST port=$PGPORT user=planq dbname=planq_clash"
out=$("$PLANQ" db migrate --db "$clash" 2>&1); rc=$?
assert_eq "failing migration exits 1" 1 $rc
assert_match "failure names the file and the error" 'B014_baseline\.sql failed.*: relation "plans" already exists' "$out"
assert_match "failure says it was rolled back" 'rolled back; the database stays at version 0' "$out"
# (the run is one transaction: not even its planq_migrations table remains)
assert_eq "nothing of the failed migration remains" "|" \
	"$(psql -X -Atq -d planq_clash -c "SELECT coalesce(to_regclass('planq_migrations')::text, '') || '|' || coalesce(to_regclass('documents')::text, '')")"

# roles twice (idempotent)
"$PLANQ" db roles >/dev/null && "$PLANQ" db roles >/dev/null; rc=$?
assert_eq "db roles twice exits 0" 0 $rc
assert_eq "both roles exist" 2 \
	"$(q -c "SELECT count(*) FROM pg_roles WHERE rolname IN ('planq_ingest','planq_report')")"

# usage errors
"$PLANQ" db frobnicate >/dev/null 2>&1; rc=$?
assert_eq "unknown db subcommand exits 2" 2 $rc
"$PLANQ" db migrate --db "host=$TMP/nowhere" >/dev/null 2>"$TMP/err"; rc=$?
assert_eq "unreachable database exits 1" 1 $rc
assert_match "unreachable database: message says how to fix" 'cannot connect.*--db' "$(tr '\n' ' ' <"$TMP/err")"

finish
