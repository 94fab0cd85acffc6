#!/usr/bin/env bash
# test_sql_forward.sh: a database an earlier planq migrated to 009 moves
# forward.  Migrations 001-009 are applied the way planq applied them before
# the repeatable files existed (each file in one transaction, recorded in
# planq_migrations with its SHA-256), rows are stored in every table through
# that schema's own planq_ingest and planq_reparse, and everything is
# written down: every table's rows, every view's answer, search_plans'
# answer, and every function's, view's and trigger's definition with its
# privileges.  Then `planq db migrate`: every row is kept, every view answers
# the same (in the columns it had), every definition is the same but for the
# ones listed in CHANGED_SINCE_009 and CHANGED_VIEWS_SINCE_009 (changed on
# purpose, with why), and but for the columns dropped on purpose
# (DROPPED_SINCE_009), whose values must be found as the migration that
# dropped them says; a second run is a no-op
# that writes nothing; and the migrated database stores new documents, both
# through planq_ingest and through planqd's workers.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/plansql.sh"
cd "$ROOT"
pg_start "$TMP/pg" || { echo "cannot start PostgreSQL"; exit 1; }

# functions whose definition the files after 009 change on purpose: 010
# makes the callers send every row of a plan (workers/plan_rows.c) instead
# of the database reading them out of the JSON, so the write path takes
# row arrays, and the two functions that read the JSON are gone
CHANGED_SINCE_009="planq_ingest planq_ingest_batch planq_reparse planq_store_plan
	planq_store_plans planq_plan_rows_error planq_plan_rows planq_store_plan_by_part
	search_plans"
# views whose definition 011 changes on purpose: org_printed_name added at
# the end (and the views that SELECT * from them), warning_codes too in
# plans_all_versions, unlabelled budgets counted in budget_by_org_year's
# other_yen; their answers in the columns they had stay the same; and
# set-based rewrites whose cost follows the rows returned (012's branch:
# initiative_history, plan_budget_totals_all_versions, and search_plans
# above; 013: the views read the counts, titles and main budgets stored
# with the rows, and plan_changes diffs every pair at once; 016:
# plan_initiatives_all_versions reads the issue and strategy stored with
# each initiative; same answers,
# checked below and by test_sql_views_same.sh)
CHANGED_VIEWS_SINCE_009="plans_all_versions plans_current plan_fragments
	plan_initiatives_all_versions plan_initiatives plan_budget_totals_all_versions
	plan_budget_totals budget_by_org_year initiative_history initiative_search
	plan_changes"
# columns that a migration after 009 drops on purpose (table.column): 014
# keeps only the SHA-256 of plans.parsed (checked below), since no view
# read it and planq_reparse only compared it
DROPPED_SINCE_009="plans.parsed"

# ingest009 RAW PLAN|- [OUTCOME [REASON [ENVELOPE]]]: one call of 009's
# planq_ingest, which read the rows out of the plan JSON itself
ingest009() {
	local plan=${2:--} planval=""
	[ "$plan" = - ] || planval=$(cat "$plan")
	q -v raw="$(base64 -w0 "$1")" -v plan="$planval" -v outcome="${3:-stored}" \
	  -v reason="${4:-}" -v env="${5:-{\}}" <<'SQL'
SELECT * FROM planq_ingest(NULL, decode(:'raw', 'base64'), :'env'::jsonb, 'UTF-8',
       :'outcome', nullif(:'reason', ''), nullif(:'plan', '')::jsonb, 'test-1');
SQL
}

# ---- 001-009, as planq applied them -----------------------------------------
q -c "CREATE TABLE planq_migrations (version integer PRIMARY KEY, name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), checksum text NOT NULL)"
for f in sql/00[1-9]_*.sql; do
	name=$(basename "$f" .sql)
	psql -X -q -v ON_ERROR_STOP=1 -1 -c "SET client_min_messages = warning" -f "$f" \
		>/dev/null 2>"$TMP/old.err" || { cat "$TMP/old.err"; echo "$f failed"; exit 1; }
	q -c "INSERT INTO planq_migrations (version, name, checksum)
	      VALUES (${name%%_*}, '$name', '$(sha256sum "$f" | cut -c1-64)')"
done
assert_eq "the database is at version 9" 9 "$("$PLANQ" db version 2>/dev/null)"
# and the roles as sql/roles.sql granted them then (today's file names the
# types of 010, so its 009 grants are written out here)
q <<'SQL'
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'planq_ingest') THEN
		CREATE ROLE planq_ingest LOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'planq_report') THEN
		CREATE ROLE planq_report LOGIN;
	END IF;
END $$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO planq_ingest, planq_report;
GRANT EXECUTE ON FUNCTION
	planq_ingest(bytea, bytea, jsonb, text, text, text, jsonb, text),
	planq_ingest_batch(bytea[], bytea[], jsonb[], text[], text[], text[], jsonb[],
	                   text, planq_issue_row[], planq_strategy_row[],
	                   planq_initiative_row[], planq_budget_row[]),
	planq_record_event(text, text, text)
TO planq_ingest;
GRANT SELECT ON planq_migrations TO planq_ingest;
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
SQL

# ---- rows in every table, through 009's own functions --------------------------
i=0
for j in samples/*.json tests/sql/testku_*.json tests/fixtures/layouts/layout_*.json; do
	jq -e '.is_plan != false' "$j" >/dev/null || continue
	i=$((i + 1))
	printf 'document %d: %s\n' "$i" "$j" >"$TMP/raw$i"
	ingest009 "$TMP/raw$i" "$j" stored "" \
		"{\"id\":\"c$i\",\"source_url\":\"https://www.city.osaka.lg.jp/p$i.html\",\"fetched_at\":\"2024-04-0${i: -1}T10:00:00+09:00\"}" \
		>/dev/null || { echo "cannot store $j"; exit 1; }
done
printf 'not a plan\n' >"$TMP/rej"
ingest009 "$TMP/rej" - rejected "not a plan: no 経営課題" '{"source_url":"https://example.org/x"}' >/dev/null
ingest009 "$TMP/raw1" samples/01_kita_r3_table.json stored "" '{"url":"https://mirror.example/1"}' >/dev/null
ingest009 "$TMP/rej" - rejected "not a plan: again" >/dev/null
q -c "SELECT planq_record_event('retry', 'https://example.org/y', 'database busy')" >/dev/null
q -c "SELECT * FROM planq_reparse((SELECT min(id) FROM documents), (SELECT parsed FROM plans ORDER BY id LIMIT 1), 'test-2')" >/dev/null
TABLES="documents plans plan_texts issues strategies initiatives budgets reforms evaluations council_reflections contacts ingest_events"
empty=""
for t in $TABLES; do
	[ "$(q -c "SELECT count(*) FROM $t")" -gt 0 ] || empty="$empty $t"
done
assert_eq "rows in every table before migrating" "" "$empty"

# ---- what the database holds and answers -------------------------------------
OURS="pronamespace = 'public'::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_depend d
       WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')"
# the columns of every table and view before migrating: the snapshots read
# those (a migration may add columns; the ones there were must not change)
snapshot_columns() {
	q -c "SELECT table_name || ' ' || string_agg(quote_ident(column_name), ',' ORDER BY ordinal_position)
	      FROM information_schema.columns WHERE table_schema = 'public' GROUP BY table_name"
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
snapshot_defs() {	# FILE: every function's, view's and trigger's definition and grants
	{
		q -c "SELECT 'function ' || p.oid::regprocedure || ' ' || md5(pg_get_functiondef(p.oid)) || ' ' || coalesce(p.proacl::text, '-')
		      FROM pg_proc p WHERE $OURS ORDER BY 1"
		q -c "SELECT 'view ' || c.relname || ' ' || md5(pg_get_viewdef(c.oid)) || ' ' || coalesce(c.relacl::text, '-')
		             || ' ' || md5(coalesce(obj_description(c.oid, 'pg_class'), '-'))
		      FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v' ORDER BY 1"
		q -c "SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE NOT t.tgisinternal ORDER BY 1"
	} >"$1"
}
snapshot_columns >"$TMP/columns.before"
snapshot_rows "$TMP/rows.before" "$TMP/columns.before"
# the same without the dropped columns, to compare after
cp "$TMP/columns.before" "$TMP/columns.kept"
for c in $DROPPED_SINCE_009; do
	sed -i -E "/^${c%%.*} /{s/([ ,])${c#*.}(,|\$)/\1/; s/,\$//}" "$TMP/columns.kept"
done
snapshot_rows "$TMP/rows.kept" "$TMP/columns.kept"
# 014: each plan's JSON as stored, its SHA-256 computed here, and one plan
# to reparse with the same JSON after migrating
q -c "SELECT id || ' ' || encode(sha256(convert_to(parsed::text, 'UTF8')), 'hex') FROM plans ORDER BY id" \
	>"$TMP/parsed.before"
q -c "SELECT document_id FROM plans ORDER BY id DESC LIMIT 1" >"$TMP/reparse.doc"
q -c "SELECT parsed FROM plans ORDER BY id DESC LIMIT 1" >"$TMP/reparse.json"
snapshot_defs "$TMP/defs.before"

# ---- forward -----------------------------------------------------------------
# the highest number (a number may be skipped while another branch holds it)
latest=$(ls sql/[0-9][0-9][0-9]_*.sql | tail -n 1 | sed -E 's|^sql/0*([0-9]+)_.*|\1|')
out=$("$PLANQ" db migrate 2>&1); rc=$?
assert_eq "planq db migrate from 009 exits 0" 0 "$rc"
assert_eq "it applies the migrations after 009" "$(ls sql/[0-9][0-9][0-9]_*.sql | sed -n '10,$p' | wc -l)" \
	"$(printf '%s\n' "$out" | grep -c '^applied [0-9]')"
assert_eq "... and every repeatable file" "$(ls sql/functions/*.sql sql/views/*.sql | wc -l)" \
	"$(printf '%s\n' "$out" | grep -E '^applied (functions|views)/' | sed 's/ (.*//' | sort -u | wc -l)"
assert_eq "the database is at the latest version" "$latest" "$("$PLANQ" db version)"
snapshot_rows "$TMP/rows.after" "$TMP/columns.kept"
assert_eq "every row kept, every view answers the same" "" "$(diff "$TMP/rows.kept" "$TMP/rows.after")"
assert_eq "the dropped columns are gone" "" \
	"$(for c in $DROPPED_SINCE_009; do q -c "SELECT '$c' FROM information_schema.columns
	   WHERE table_schema = 'public' AND table_name = '${c%%.*}' AND column_name = '${c#*.}'"; done)"
check "... and the rows had some (plans.parsed)" test -s "$TMP/parsed.before"
assert_eq "014: each plan's parsed_sha256 is the SHA-256 of the JSON it had" "" \
	"$(diff "$TMP/parsed.before" <(q -c "SELECT id || ' ' || encode(parsed_sha256, 'hex') FROM plans ORDER BY id"))"
assert_eq "014: reparsing a plan stored before with the same JSON: unchanged" "unchanged" \
	"$(q -v doc="$(cat "$TMP/reparse.doc")" <<<"\\set plan \`cat '$TMP/reparse.json'\`
	   SELECT status FROM planq_reparse(:doc, :'plan'::jsonb, 'test-3')")"
snapshot_defs "$TMP/defs.after"
want=$({ for f in $CHANGED_SINCE_009; do grep "^function $f(" "$TMP/defs.before"; done
         for v in $CHANGED_VIEWS_SINCE_009; do grep "^view $v " "$TMP/defs.before"; done; } | sort)
assert_eq "every definition and grant the same, but the ones changed on purpose" "$want" \
	"$(diff "$TMP/defs.before" "$TMP/defs.after" | sed -n 's/^< //p' | sort)"
# 013's stored columns, filled for the rows stored before it
assert_eq "013: every initiative's norm_title and main budget filled as computed" "0|0|true" \
	"$(q -c "SELECT count(*) FILTER (WHERE t.norm_title IS DISTINCT FROM planq_norm_title(t.title))
	          || '|' || count(*) FILTER (WHERE (t.main_budget_label, t.main_amount_yen)
	                                     IS DISTINCT FROM (b.label, b.amount_yen))
	          || '|' || (count(t.norm_title) > 0 AND count(t.main_amount_yen) > 0)
	         FROM initiatives t LEFT JOIN budgets b ON b.initiative_id = t.id AND b.ordinal = 1")"
# 016's: each initiative's issue and strategy, for the rows stored before it
assert_eq "016: every initiative's issue number, title and strategy code, title filled" "0|true" \
	"$(q -c "SELECT count(*) FILTER (WHERE (t.issue_number, t.issue_title, t.strategy_code, t.strategy_title)
	                                     IS DISTINCT FROM (i.number, i.title, s.code, s.title))
	          || '|' || (count(t.issue_title) > 0 AND count(t.strategy_title) > 0)
	         FROM initiatives t JOIN issues i ON i.id = t.issue_id
	         LEFT JOIN strategies s ON s.id = t.strategy_id")"
assert_eq "013: every plan's counts filled as computed" "0|true" \
	"$(q -c "SELECT count(*) FILTER (WHERE (p.issue_count, p.strategy_count, p.initiative_count,
	                                       p.main_total_yen, p.initiatives_without_amount)
	              IS DISTINCT FROM ((SELECT count(*) FROM issues i WHERE i.plan_id = p.id),
	                                (SELECT count(*) FROM strategies s JOIN issues i ON i.id = s.issue_id
	                                  WHERE i.plan_id = p.id),
	                                (SELECT count(*) FROM initiatives t WHERE t.plan_id = p.id),
	                                (SELECT coalesce(sum(b.amount_yen), 0) FROM initiatives t
	                                   JOIN budgets b ON b.initiative_id = t.id AND b.ordinal = 1
	                                  WHERE t.plan_id = p.id),
	                                (SELECT count(*) FROM initiatives t
	                                   LEFT JOIN budgets b ON b.initiative_id = t.id AND b.ordinal = 1
	                                  WHERE t.plan_id = p.id AND b.amount_yen IS NULL)))
	          || '|' || (sum(p.initiative_count) > 0 AND sum(p.main_total_yen) > 0)
	         FROM plans p")"
assert_eq "the workers' role may call the new planq_ingest and planq_ingest_batch at once" "true|true" \
	"$(q -c "SELECT bool_and(has_function_privilege('planq_ingest', p.oid, 'EXECUTE'))
	              || '|' || (count(*) = 2)
	         FROM pg_proc p WHERE p.proname IN ('planq_ingest', 'planq_ingest_batch')
	          AND p.pronamespace = 'public'::regnamespace")"
install_plan_rows

# ---- a second run writes nothing -------------------------------------------------
catalog="SELECT md5(string_agg(p.xmin::text || p.oid::regprocedure::text, ',' ORDER BY p.oid))
                || (SELECT md5(string_agg(c.xmin::text || c.relname, ',' ORDER BY c.oid)) FROM pg_class c
                     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v')
                || (SELECT md5(string_agg(r.name || r.applied_at::text, ',' ORDER BY r.name)) FROM planq_repeatables r)
           FROM pg_proc p WHERE $OURS"
c0=$(q -c "$catalog")
out=$("$PLANQ" db migrate 2>&1); rc=$?
assert_eq "a second migrate is a no-op" "0 database is up to date (version $latest)" "$rc $out"
assert_eq "... that changed no function, view or record" "$c0" "$(q -c "$catalog")"

# ---- the migrated database stores documents --------------------------------------
printf 'one more\n' >"$TMP/new"
assert_match "planq_ingest stores a new plan" '^stored\|' \
	"$(ingest "$TMP/new" tests/fixtures/layouts/variant_goal_no_ku.json)"
old=$(q -c "SELECT d.id || '|' || p.id FROM documents d JOIN plans p ON p.document_id = d.id
            WHERE d.raw = decode('$(base64 -w0 "$TMP/raw1")', 'base64')")
assert_eq "bytes stored before the migration: duplicate, with their old ids" "duplicate|$old|" \
	"$(ingest "$TMP/raw1" samples/01_kita_r3_table.json)"
planqd_start --workers=1
"$PLANQ" send --to "$ENDPOINT" tests/fixtures/layouts/variant_dual_era_year.txt \
	"$TMP/raw2" >"$TMP/send.out" 2>&1
assert_match "planqd's worker stores a new document" '^stored document=[0-9]+ plan=[0-9]+ ' \
	"$(grep variant_dual_era_year "$TMP/send.out")"
assert_eq "... and finds bytes stored before the migration a duplicate" \
	"duplicate document=$(q -c "SELECT d.id || ' plan=' || p.id FROM documents d JOIN plans p ON p.document_id = d.id
	                            WHERE d.raw = decode('$(base64 -w0 "$TMP/raw2")', 'base64')") $TMP/raw2" \
	"$(grep raw2 "$TMP/send.out")"
check "planqd stops cleanly" planqd_stop
finish
