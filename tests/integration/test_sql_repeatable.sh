#!/usr/bin/env bash
# test_sql_repeatable.sh: the repeatable functions and views (sql/functions/,
# sql/views/, in the order of sql/repeatable.list) as `planq db migrate`
# applies them.  A migrated database holds one file's object per function
# and view; then, through tests/tools/migrate_files (the engine of `planq db
# migrate` over files named on its command line) and a changed copy of
# sql/: a changed file is applied again with what depends on it and nothing
# else; a view that gains a column passes it on to the views selecting * from
# it; a change that needs DROP … CASCADE re-creates the dependents in the same
# transaction and keeps the roles' grants; a view of one's own on top stops
# such a change, named; a failing file is named with its line and the whole
# run is rolled back, the files before it too; a file that defines another
# name is refused; an object dropped by hand is applied again; the build
# refuses a list that disagrees with the files.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/plansql.sh"
cd "$ROOT"
MIGRATE_FILES=$PLANQ_TOOLS/migrate_files
setup_db
install_plan_rows
"$PLANQ" db roles >/dev/null || { echo "planq db roles failed"; exit 1; }

# as ROLE SQL: the first row, or "denied" for 42501, or the error
as() {
	psql -X -Atq -U "$1" -v ON_ERROR_STOP=1 -c "$2" 2>&1 |
		sed -e 's/^ERROR:  permission denied.*/denied/' | head -n 1
}
# something for the views to show: every sample, the made-up ward's versions
i=0
for j in samples/*.json tests/sql/testku_*.json; do
	i=$((i + 1))
	printf 'document %d of %s\n' "$i" "$j" >"$TMP/raw$i"
	ingest "$TMP/raw$i" "$j" >/dev/null || { echo "cannot store $j"; exit 1; }
done

# ---- one file per function and view ------------------------------------------
# every function of ours (not pg_trgm's) and every view has its file, but the
# three IMMUTABLE functions whose values are stored (a generated column, an
# index, plans.parsed_sha256): those are part of their tables, in the
# baseline (sql/B014_baseline.sql) or the numbered migration that made them
ours="SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
        AND p.proname NOT LIKE 'test\\_%'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                        AND d.objid = p.oid AND d.deptype = 'e')"
nofile=""
for f in $(q -c "$ours ORDER BY 1"); do
	[ -f "sql/functions/$f.sql" ] || nofile="$nofile $f"
done
assert_eq "every function has its file in sql/functions, but the tables' own" \
	" planq_plan_digest planq_search_text planq_url_host" "$nofile"
nofile=""
for v in $(q -c "SELECT viewname FROM pg_views WHERE schemaname = 'public' ORDER BY 1"); do
	[ -f "sql/views/$v.sql" ] || nofile="$nofile $v"
done
assert_eq "every view has its file in sql/views" "" "$nofile"
noobj=""
for f in sql/functions/*.sql sql/views/*.sql; do
	n=$(basename "$f" .sql)
	[ "$(q -c "SELECT count(*) FROM ($ours UNION ALL SELECT viewname FROM pg_views
	           WHERE schemaname = 'public') x WHERE proname = '$n'")" -gt 0 ] || noobj="$noobj $n"
done
assert_eq "every file's object exists" "" "$noobj"

# ---- a copy of sql/ to change ---------------------------------------------------
work=$TMP/sql
cp -r sql "$work"
migrate_copy() { "$MIGRATE_FILES" "$PLANQ_DB" $(sh mk/sql-files.sh "$work"); }
latest=$(sh mk/sql-files.sh sql | sed -n -E 's|^sql/B?0*([0-9]+)_.*|\1|p' | tail -n 1)
checksum() { q -c "SELECT checksum FROM planq_repeatables WHERE name = '$1'"; }

out=$(migrate_copy 2>&1); rc=$?
assert_eq "the same files through migrate_files: nothing to do" \
	"0 database is up to date (version $latest)" "$rc $out"

# a changed function: it and the view whose definition names it.  No view
# of planq names planq_norm_title since initiatives store its value (013):
# initiative_history is made to compute it again, which answers the same
sed -i 's/t\.norm_title AS nt$/planq_norm_title(t.title) AS nt/' "$work/views/initiative_history.sql"
grep -q 'planq_norm_title(t.title) AS nt$' "$work/views/initiative_history.sql" ||
	{ echo "views/initiative_history.sql: no t.norm_title AS nt to change"; exit 1; }
out=$(migrate_copy 2>&1); rc=$?
assert_eq "a changed view alone: it alone" "0
applied views/initiative_history" "$rc
$out"
echo "-- changed by test_sql_repeatable" >>"$work/functions/planq_norm_title.sql"
out=$(migrate_copy 2>&1); rc=$?
assert_eq "a changed function: it and its dependent view, nothing else" "0
applied functions/planq_norm_title
applied views/initiative_history (depends on functions/planq_norm_title)" "$rc
$out"
assert_eq "its new checksum is recorded" \
	"$(sha256sum "$work/functions/planq_norm_title.sql" | cut -c1-64)" \
	"$(checksum functions/planq_norm_title)"
out=$(migrate_copy 2>&1)
assert_eq "then nothing to do again" "database is up to date (version $latest)" "$out"

# a view gains a column at the end (CREATE OR REPLACE allows it): the views
# that select * from it are applied again and show it too
python3 - "$work/views/plans_all_versions.sql" <<'EOF'
import sys
p = sys.argv[1]; s = open(p).read()
old = "       p.warning_codes\n  FROM plans p\n"
assert old in s
open(p, "w").write(s.replace(old, "       p.warning_codes,\n       'added'::text AS test_added\n  FROM plans p\n"))
EOF
out=$(migrate_copy 2>&1); rc=$?
assert_eq "a view with a new column: it and the views on it" "0
applied views/plans_all_versions
applied views/plans_current (depends on views/plans_all_versions)
applied views/plan_fragments (depends on views/plans_all_versions)" "$rc
$out"
assert_eq "plans_current shows the new column" added \
	"$(q -c 'SELECT DISTINCT test_added FROM plans_current')"
assert_eq "planq_report reads it (CREATE OR REPLACE kept the grant)" added \
	"$(as planq_report 'SELECT DISTINCT test_added FROM plan_fragments')"

# a change CREATE OR REPLACE refuses (a column in the middle): the file drops
# the view with CASCADE; its dependents are re-created in the same transaction
before_hist=$(q -c "SELECT count(*), md5(string_agg(h::text, ',' ORDER BY h::text)) FROM initiative_history h")
before_changes=$(q -c "SELECT count(*) FROM plan_changes")
python3 - "$work/views/plan_initiatives_all_versions.sql" <<'EOF'
import sys
p = sys.argv[1]; s = open(p).read()
old = "CREATE OR REPLACE VIEW plan_initiatives_all_versions AS\nSELECT p.id\t\tAS plan_id,\n"
assert old in s
open(p, "w").write(s.replace(old, "DROP VIEW plan_initiatives_all_versions CASCADE;\n"
    "CREATE VIEW plan_initiatives_all_versions AS\nSELECT p.id\t\tAS plan_id,\n"
    "       p.title\t\tAS plan_title,\n"))
EOF
out=$(migrate_copy 2>&1); rc=$?
assert_eq "DROP … CASCADE: the view and everything that depended on it" "0
applied views/plan_initiatives_all_versions
applied views/plan_initiatives (depends on views/plan_initiatives_all_versions)" "$rc
$out"
assert_eq "the new column is in the middle" "plan_id,plan_title,document_id" \
	"$(q -c "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
	         WHERE attrelid = 'plan_initiatives'::regclass AND attnum <= 3")"
assert_eq "initiative_history answers the same" "$before_hist" \
	"$(q -c "SELECT count(*), md5(string_agg(h::text, ',' ORDER BY h::text)) FROM initiative_history h")"
assert_eq "plan_changes answers the same" "$before_changes" \
	"$(q -c "SELECT count(*) FROM plan_changes")"
for v in plan_initiatives_all_versions plan_initiatives initiative_history; do
	assert_match "planq_report still reads the re-created $v" '^[1-9][0-9]*$' \
		"$(as planq_report "SELECT count(*) FROM $v")"
done
assert_eq "planq_ingest still may not read them" denied \
	"$(as planq_ingest 'SELECT count(*) FROM plan_initiatives')"

# a view of one's own on a view planq drops: refused, named, nothing changed
q -c "CREATE VIEW my_initiatives AS SELECT plan_id FROM plan_initiatives"
sum_before=$(checksum views/plan_initiatives_all_versions)
sed -i 's/AS plan_title,/AS plan_heading,/' "$work/views/plan_initiatives_all_versions.sql"
out=$(migrate_copy 2>&1); rc=$?
assert_eq "a view of one's own in the way: exit 1" 1 "$rc"
assert_match "... named, with what to do" \
	'applying views/plan_initiatives_all_versions would drop views/my_initiatives, which no file of planq defines.*drop it' "$out"
assert_match "... and the group rolled back" \
	'rolled back: views/plan_initiatives_all_versions views/plan_initiatives;' "$out"
assert_eq "my_initiatives is still there, the old definition too" "1|plan_title" \
	"$(q -c "SELECT (SELECT count(*) FROM pg_views WHERE viewname = 'my_initiatives') || '|' ||
	         (SELECT attname FROM pg_attribute WHERE attrelid = 'plan_initiatives_all_versions'::regclass AND attnum = 2)")"
assert_eq "... and the recorded checksum" "$sum_before" "$(checksum views/plan_initiatives_all_versions)"
q -c "DROP VIEW my_initiatives"
out=$(migrate_copy 2>&1); rc=$?
assert_match "without it, the change goes through" '^0 applied views/plan_initiatives_all_versions' "$rc $out"

# a failing file: named with its line; the run is one transaction, so the
# files before it in the same run are rolled back with it, and the ones
# after it wait
echo "-- changed by test_sql_repeatable" >>"$work/views/ingest_outcomes.sql"
echo "-- changed by test_sql_repeatable" >>"$work/functions/search_plans.sql"
sed -i '5a SELEC 1;' "$work/views/ingest_rejections.sql"
sum_out=$(checksum views/ingest_outcomes)
sum_rej=$(checksum views/ingest_rejections)
sum_search=$(checksum functions/search_plans)
out=$(migrate_copy 2>"$TMP/fail.err"); rc=$?
err=$(cat "$TMP/fail.err")
assert_eq "a failing file: exit 1, the file before it applied, then rolled back" "1
applied views/ingest_outcomes" "$rc
$out"
assert_match "the failure names the file, its line and the error" \
	'views/ingest_rejections\.sql failed at line 6: syntax error at or near "SELEC"' "$err"
assert_match "... and what was rolled back" 'rolled back: views/ingest_rejections;' "$err"
assert_match "... and that nothing of the run is kept" 'nothing of this run is kept' "$err"
assert_eq "none of the three is recorded: the file before it, the failed one, the one after" \
	"$sum_out $sum_rej $sum_search" \
	"$(checksum views/ingest_outcomes) $(checksum views/ingest_rejections) $(checksum functions/search_plans)"
assert_match "ingest_rejections still answers" '^[0-9]+$' "$(q -c 'SELECT count(*) FROM ingest_rejections')"
sed -i '6s/.*/-- fixed by test_sql_repeatable/' "$work/views/ingest_rejections.sql"
out=$(migrate_copy 2>&1); rc=$?
assert_eq "fixed: the three files of the failed run, nothing else" "0
applied views/ingest_outcomes
applied views/ingest_rejections
applied functions/search_plans" "$rc
$out"

# a file must define the object it is named after
printf -- '-- names another view\nCREATE VIEW test_other AS SELECT 1 AS x;\n' >"$work/views/test_misnamed.sql"
echo "views/test_misnamed.sql" >>"$work/repeatable.list"
out=$(migrate_copy 2>&1); rc=$?
assert_match "a file that defines another name: refused" \
	"^1 .*views/test_misnamed.sql ran but defines no object named test_misnamed" "$rc $out"
assert_eq "... rolled back" "" "$(q -c "SELECT to_regclass('test_other')")"
rm "$work/views/test_misnamed.sql"
sed -i '/test_misnamed/d' "$work/repeatable.list"

# an object gone (dropped by hand, or by a numbered migration): applied again
q -c "DROP VIEW plan_fragments"
out=$(migrate_copy 2>&1); rc=$?
assert_eq "a dropped view is applied again, alone" "0
applied views/plan_fragments" "$rc
$out"
assert_match "planq_report reads it (roles run again)" '^[0-9]+$' \
	"$("$PLANQ" db roles >/dev/null; as planq_report 'SELECT count(*) FROM plan_fragments')"

# ---- the list and the files must agree (mk/sql-files.sh, used by the build) ----
touch "$work/views/unlisted.sql"
out=$(sh mk/sql-files.sh "$work" 2>&1); rc=$?
assert_eq "a file missing from repeatable.list: refused" 1 "$rc"
assert_match "... named" 'views/unlisted.sql is not in .*repeatable.list' "$out"
rm "$work/views/unlisted.sql"
echo "functions/planq_ingest.sql" >>"$work/repeatable.list"
out=$(sh mk/sql-files.sh "$work" 2>&1); rc=$?
assert_match "a file listed twice: refused" '^1 .*names functions/planq_ingest.sql more than once' "$rc $out"
sed -i '$d' "$work/repeatable.list"
echo "views/absent.sql" >>"$work/repeatable.list"
out=$(sh mk/sql-files.sh "$work" 2>&1); rc=$?
assert_match "a listed file that does not exist: refused" '^1 .*names views/absent.sql, which does not exist' "$rc $out"

finish
