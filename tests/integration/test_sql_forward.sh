#!/usr/bin/env bash
# test_sql_forward.sh: a database an earlier planq migrated moves forward.
# tests/fixtures/db014/db014.sql.gz is a database at version 14 made with
# the numbered migrations 001-014 (before sql/B014_baseline.sql replaced
# them), its roles granted and rows in every table (tests/fixtures/db014/
# make.sh made it, once).  It is restored and everything is written down:
# every table's rows, every view's answer, search_plans' and
# planq_plan_diff's answers.  Then `planq db migrate`: it applies the
# numbered migrations after 014 and the repeatable files changed since,
# and nothing else; every row is kept and every view answers the same (in
# the columns it had), but for the columns dropped on purpose
# (DROPPED_SINCE_014); a second run is a no-op that writes nothing; the
# schema (`pg_dump --schema-only`, privileges included) is the one of a
# database migrated from empty through the baseline; and the migrated
# database stores new documents, both through planq_ingest and through
# planqd's workers.  A database the old files left before 014 is refused,
# untouched, with what to do.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/plansql.sh"
cd "$ROOT"
FIXTURE=tests/fixtures/db014/db014.sql.gz
# the database planqd and the helpers use: migrated from empty, roles
# granted (the roles must exist before the fixture, which grants to them)
setup_db
"$PLANQ" db roles >/dev/null || { echo "planq db roles failed"; exit 1; }
FRESH_DB=$PLANQ_DB

# columns that a migration after 014 drops on purpose (table.column), with
# a check below of where their values went
DROPPED_SINCE_014=""

# restore DBNAME: a new database holding the fixture
restore() {
	q -c "CREATE DATABASE $1" >/dev/null &&
	gzip -dc "$FIXTURE" | psql -X -q -v ON_ERROR_STOP=1 -d "$1" >/dev/null 2>"$TMP/restore.err" ||
		{ cat "$TMP/restore.err"; echo "cannot restore $FIXTURE"; exit 1; }
}
# schema DSN: the schema as pg_dump writes it, without its comments
schema() {
	pg_dump --schema-only -d "$1" | grep -v -e '^--' -e '^\\' | cat -s
}
restore planq_old
export PLANQ_DB="host=$PGHOST port=$PGPORT user=planq dbname=planq_old"
export PGDATABASE=planq_old

# ---- what the database at 014 holds and answers ----------------------------------
assert_eq "the fixture is at version 14, recorded by the old files" "14|14|001_schema" \
	"$("$PLANQ" db version 2>/dev/null)|$(q -c "SELECT count(*) || '|' || min(name) FROM planq_migrations")"
TABLES="documents plans plan_texts issues strategies initiatives budgets reforms evaluations council_reflections contacts ingest_events orgs"
empty=""
for t in $TABLES; do
	[ "$(q -c "SELECT count(*) FROM $t")" -gt 0 ] || empty="$empty $t"
done
assert_eq "rows in every table before migrating" "" "$empty"

# the columns of every table and view before migrating: the snapshots read
# those (a migration may add columns; the ones there were must not change)
snapshot_columns() {
	q -c "SELECT table_name || ' ' || string_agg(quote_ident(column_name), ',' ORDER BY ordinal_position)
	      FROM information_schema.columns WHERE table_schema = 'public'
	       AND table_name NOT LIKE 'planq\\_%' GROUP BY table_name"
}
snapshot_rows() {	# FILE COLUMNS: every table's rows, every view's answer
	local t cols
	for t in $TABLES $(q -c "SELECT viewname FROM pg_views WHERE schemaname = 'public' ORDER BY 1"); do
		cols=$(awk -v t="$t" '$1 == t { print $2 }' "$2")
		[ -n "$cols" ] || continue	# new since: nothing to compare
		echo "$t $(q -c "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\n' ORDER BY x::text)), '-') FROM (SELECT $cols FROM $t) x")"
	done >"$1"
	echo "search_plans $(q -c "SELECT count(*) || ' ' || md5(string_agg(s::text, E'\n' ORDER BY s::text)) FROM search_plans('防災') s")" >>"$1"
	echo "plan_diff $(q -c "SELECT count(*) || ' ' || md5(string_agg(d::text, E'\n' ORDER BY d::text)) FROM plans a, plans b, planq_plan_diff(a.id, b.id) d")" >>"$1"
}
snapshot_columns >"$TMP/columns.before"
# without the dropped columns, to compare after
cp "$TMP/columns.before" "$TMP/columns.kept"
for c in $DROPPED_SINCE_014; do
	sed -i -E "/^${c%%.*} /{s/([ ,])${c#*.}(,|\$)/\1/; s/,\$//}" "$TMP/columns.kept"
done
snapshot_rows "$TMP/rows.kept" "$TMP/columns.kept"
check "... and the views answer something" \
	test "$(awk '$2 > 0' "$TMP/rows.kept" | wc -l)" -gt 20
# the repeatable files whose text differs from what the fixture recorded
changed=$(for f in $(sh mk/sql-files.sh sql | grep -E '/(functions|views)/'); do
	n=${f#sql/}; n=${n%.sql}
	[ "$(q -c "SELECT checksum FROM planq_repeatables WHERE name = '$n'")" = \
	  "$(sha256sum "$f" | cut -c1-64)" ] || echo "$n"
done | sort)
after14=$(sh mk/sql-files.sh sql | sed -n -E 's|^sql/([0-9]{3}_[A-Za-z0-9_]+)\.sql$|\1|p')

# ---- forward -----------------------------------------------------------------
latest=$(sh mk/sql-files.sh sql | sed -n -E 's|^sql/B?0*([0-9]+)_.*|\1|p' | tail -n 1)
out=$("$PLANQ" db migrate 2>&1); rc=$?
assert_eq "planq db migrate from 014 exits 0" 0 "$rc"
assert_eq "it applies the migrations after 014, not the baseline" "$after14" \
	"$(printf '%s\n' "$out" | sed -n -E 's/^applied (B?[0-9]{3}_.*)/\1/p')"
applied=$(printf '%s\n' "$out" | grep -E '^applied (functions|views)/' | sed -e 's/^applied //' -e 's/ (.*//' | sort -u)
assert_eq "... every repeatable file changed since" "" \
	"$(comm -23 <(printf '%s\n' "$changed" | sed '/^$/d') <(printf '%s\n' "$applied" | sed '/^$/d'))"
# (with those, the files that depend on them: none when none changed)
[ -n "$changed" ] ||
	assert_eq "... and none when none changed" "" "$applied"
assert_eq "the database is at the latest version" "$latest" "$("$PLANQ" db version)"
snapshot_rows "$TMP/rows.after" "$TMP/columns.kept"
assert_eq "every row kept, every view answers the same" "" "$(diff "$TMP/rows.kept" "$TMP/rows.after")"
assert_eq "the dropped columns are gone" "" \
	"$(for c in $DROPPED_SINCE_014; do q -c "SELECT '$c' FROM information_schema.columns
	   WHERE table_schema = 'public' AND table_name = '${c%%.*}' AND column_name = '${c#*.}'"; done)"
assert_eq "the old files' records are kept" "14|001_schema" \
	"$(q -c "SELECT count(*) || '|' || min(name) FROM planq_migrations WHERE version <= 14")"
# 016's backfill: each initiative's issue and strategy, for the rows the
# fixture stored before it
assert_eq "016: every initiative's issue number, title and strategy code, title filled" "0|true" \
	"$(q -c "SELECT count(*) FILTER (WHERE (t.issue_number, t.issue_title, t.strategy_code, t.strategy_title)
	                                     IS DISTINCT FROM (i.number, i.title, s.code, s.title))
	          || '|' || (count(t.issue_title) > 0 AND count(t.strategy_title) > 0)
	         FROM initiatives t JOIN issues i ON i.id = t.issue_id
	         LEFT JOIN strategies s ON s.id = t.strategy_id")"

# ---- a second run writes nothing -------------------------------------------------
OURS="pronamespace = 'public'::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_depend d
       WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')"
catalog="SELECT md5(string_agg(p.xmin::text || p.oid::regprocedure::text, ',' ORDER BY p.oid))
                || (SELECT md5(string_agg(c.xmin::text || c.relname, ',' ORDER BY c.oid)) FROM pg_class c
                     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v')
                || (SELECT md5(string_agg(r.name || r.applied_at::text, ',' ORDER BY r.name)) FROM planq_repeatables r)
           FROM pg_proc p WHERE $OURS"
c0=$(q -c "$catalog")
out=$("$PLANQ" db migrate 2>&1); rc=$?
assert_eq "a second migrate is a no-op" "0 database is up to date (version $latest)" "$rc $out"
assert_eq "... that changed no function, view or record" "$c0" "$(q -c "$catalog")"

# ---- the same schema as a database made from the baseline ---------------------------
"$PLANQ" db roles >/dev/null || { echo "planq db roles failed"; exit 1; }
schema "$PLANQ_DB" >"$TMP/schema.old"
schema "$FRESH_DB" >"$TMP/schema.fresh"
check "the schema dump has the tables, functions, views and grants" \
	grep -q 'GRANT SELECT ON TABLE public.plans_current TO planq_report' "$TMP/schema.fresh"
assert_eq "migrated from 014: the schema of a database migrated from the baseline" "" \
	"$(diff "$TMP/schema.fresh" "$TMP/schema.old")"
assert_eq "... and the same orgs" "$(q -d planq -c "SELECT md5(string_agg(o::text, ',' ORDER BY o.name)) FROM orgs o")" \
	"$(q -c "SELECT md5(string_agg(o::text, ',' ORDER BY o.name)) FROM orgs o")"

# ---- the migrated database stores documents --------------------------------------
install_plan_rows
printf 'one more\n' >"$TMP/new"
assert_match "planq_ingest stores a new plan" '^stored\|' \
	"$(ingest "$TMP/new" tests/fixtures/layouts/variant_goal_no_ku.json)"
# the fixture's first document: its raw bytes, as make.sh wrote them
printf 'document 1: samples/01_kita_r3_table.json\n' >"$TMP/raw1"
old=$(q -c "SELECT d.id || '|' || p.id FROM documents d JOIN plans p ON p.document_id = d.id
            WHERE d.raw = decode('$(base64 -w0 "$TMP/raw1")', 'base64')")
check "the fixture holds that document" test -n "$old"
assert_eq "bytes stored before the migration: duplicate, with their old ids" "duplicate|$old|" \
	"$(ingest "$TMP/raw1" samples/01_kita_r3_table.json)"
planqd_start --workers=1
printf 'document 2: samples/02_minato_h30_markers.json\n' >"$TMP/raw2"
"$PLANQ" send --to "$ENDPOINT" tests/fixtures/layouts/variant_dual_era_year.txt \
	"$TMP/raw2" >"$TMP/send.out" 2>&1
assert_match "planqd's worker stores a new document" '^stored document=[0-9]+ plan=[0-9]+ ' \
	"$(grep variant_dual_era_year "$TMP/send.out")"
assert_eq "... and finds bytes stored before the migration a duplicate" \
	"duplicate document=$(q -c "SELECT d.id || ' plan=' || p.id FROM documents d JOIN plans p ON p.document_id = d.id
	                            WHERE d.raw = decode('$(base64 -w0 "$TMP/raw2")', 'base64')") $TMP/raw2" \
	"$(grep raw2 "$TMP/send.out")"
check "planqd stops cleanly" planqd_stop

# ---- a database the old files left at 010: refused, untouched -----------------------
restore planq_old10
q -d planq_old10 -c "DELETE FROM planq_migrations WHERE version > 10"
schema "host=$PGHOST port=$PGPORT user=planq dbname=planq_old10" >"$TMP/schema10.before"
out=$("$PLANQ" db migrate --db "host=$PGHOST port=$PGPORT user=planq dbname=planq_old10" 2>&1); rc=$?
assert_eq "a database at 010 is refused (exit 1)" 1 "$rc"
assert_match "... saying its version, which planq to migrate it with first, and then this one" \
	'at version 10, .*from version 14 on.*git commit cd50e4b.*then run this planq' "$(printf '%s' "$out" | tr '\n' ' ')"
assert_eq "... and nothing changed" "10|" \
	"$(q -d planq_old10 -c "SELECT count(*) || '|' || coalesce(string_agg(name, ',') FILTER (WHERE name LIKE 'B%'), '') FROM planq_migrations")$(
	   diff "$TMP/schema10.before" <(schema "host=$PGHOST port=$PGPORT user=planq dbname=planq_old10"))"
finish
