#!/usr/bin/env bash
# test_sql_reporting.sh: the analysts' views on known numbers (the repo's
# samples and tests/sql/testku_*.json): versions and which one is current
# (stage, then published_on, then arrival; out-of-order and concurrent
# arrivals), no double counting, fragments, budgets by label, history across
# years, changes between versions, search, ingest outcomes, `planq report`.
. "$(dirname "$0")/../lib/sqltest.sh"	# a database, test_planq_ingest()

# variant SRC ORG [JQ-EDIT]: a copy of a test plan for another org
variant() {
	jq --arg org "$2" ".org.name = \$org | .title = (.title | sub(\"テスト区\"; \$org)) | ${3:-.}" "$1"
}
# store_variant NAME SRC ORG [JQ-EDIT]: stores it with raw bytes "NAME"; prints plan id
store_variant() {
	variant "$2" "$3" "${4:-}" >"$TMP/$1.json"
	printf 'raw bytes of %s\n' "$1" >"$TMP/$1.txt"
	ingest "$TMP/$1.txt" "$TMP/$1.json" | cut -d'|' -f3
}
current_of() {	# current_of ORG YEAR: plan id of the current version
	q -c "SELECT plan_id FROM plans_current WHERE org_name = '$1' AND fiscal_year = $2"
}
T=tests/sql

# ---- samples: known numbers --------------------------------------------------
for json in samples/*.json; do
	ingest "${json%.json}.txt" "$json" stored '' '{"source_url":"https://www.city.osaka.lg.jp/plan"}' >/dev/null
done
assert_eq "plan_budget_totals 北区 2021 (8 initiatives, 74,779,000 yen)" "8|74779000" \
	"$(q -c "SELECT initiatives, total_yen FROM plan_budget_totals WHERE org_name = '北区' AND fiscal_year = 2021")"
assert_eq "plan_budget_totals 建設局 2024 (beyond int4)" "6|9694250000" \
	"$(q -c "SELECT initiatives, total_yen FROM plan_budget_totals WHERE org_name = '建設局'")"
for json in samples/*.json; do
	name=$(basename "$json" .json)
	org=$(jq -r '.org.name // empty' "$json")
	[ -n "$org" ] || continue
	year=$(jq -r .fiscal_year "$json")
	assert_eq "$name: budget_by_org_year main total/dashes = JSON" \
		"$(jq -r "[([$JQ_INITS[] | .budgets[0].amount_yen // 0] | add), ([$JQ_INITS[] | select(.budgets[0] and .budgets[0].amount_yen == null)] | length)] | map(tostring) | join(\"|\")" "$json")" \
		"$(q -c "SELECT main_total_yen || '|' || main_unknown FROM budget_by_org_year WHERE org_name = '$org' AND fiscal_year = $year")"
	assert_eq "$name: ward CM amounts = JSON" \
		"$(jq -r "[$JQ_INITS[].budgets[] | select(.label | contains(\"区CM\")) | .amount_yen // 0] | add // 0" "$json")" \
		"$(q -c "SELECT ward_cm_yen FROM budget_by_org_year WHERE org_name = '$org' AND fiscal_year = $year")"
	assert_eq "$name: plan_initiatives rows and first labels = JSON" \
		"$(jq -r "$JQ_INITS[] | .budgets[0].label // \"\"" "$json" | sort | tr '\n' ,)" \
		"$(q -c "SELECT coalesce(budget_label, '') FROM plan_initiatives WHERE org_name = '$org' AND fiscal_year = $year" | sort | tr '\n' ,)"
	assert_eq "$name: plans_current counts = JSON" \
		"$(jq -r "[(.issues|length), ([.issues[].strategies[]]|length), ($JQ_INITS|length)] | map(tostring) | join(\"|\")" "$json")" \
		"$(q -c "SELECT issues || '|' || strategies || '|' || initiatives FROM plans_current WHERE org_name = '$org' AND fiscal_year = $year")"
done
assert_eq "budget_by_org_year 北区: 市民局区CM予算額 kept by label" '{"予算額": 74779000, "市民局区CM予算額": 1250000}' \
	"$(q -c "SELECT by_label FROM budget_by_org_year WHERE org_name = '北区'")"
assert_eq "都島区 2023 current: page id, date, source url" "589214|2023-04-03|https://www.city.osaka.lg.jp/plan" \
	"$(q -c "SELECT page_id, published_on, source_url FROM plans_current WHERE org_name = '都島区'")"

# ---- fragments: stored, reported, never current, never merged -------------------
cp samples/04_fragment_council_md.txt "$TMP/frag2.txt"; printf 'another copy\n' >>"$TMP/frag2.txt"
ingest "$TMP/frag2.txt" samples/04_fragment_council_md.json >/dev/null
assert_eq "two fragments: two rows in plan_fragments" 2 "$(q -c 'SELECT count(*) FROM plan_fragments')"
assert_eq "fragments are never current" 0 "$(q -c 'SELECT count(*) FROM plans WHERE is_current AND (org_name IS NULL OR fiscal_year IS NULL)')"
assert_eq "fragments stay out of plans_current and plan_budget_totals" "0|0" \
	"$(q -c 'SELECT (SELECT count(*) FROM plans_current WHERE org_name IS NULL), (SELECT count(*) FROM plan_budget_totals WHERE org_name IS NULL)')"
assert_eq "fragments in plan_budget_totals_all_versions" 2 \
	"$(q -c 'SELECT count(*) FROM plan_budget_totals_all_versions WHERE org_name IS NULL')"

# ---- versions: stage order, out-of-order arrival --------------------------------
d=$(store_variant t23d $T/testku_2023_draft.json テスト区)
assert_eq "draft alone is current" "$d" "$(current_of テスト区 2023)"
p=$(store_variant t23p $T/testku_2023_proposal.json テスト区)
assert_eq "proposal supersedes draft" "$p" "$(current_of テスト区 2023)"
f=$(store_variant t23f $T/testku_2023_final.json テスト区)
assert_eq "final supersedes proposal" "$f" "$(current_of テスト区 2023)"
store_variant t22f $T/testku_2022_final.json テスト区 >/dev/null

f=$(store_variant r23f $T/testku_2023_final.json 逆順区)
store_variant r23p $T/testku_2023_proposal.json 逆順区 >/dev/null
store_variant r23d $T/testku_2023_draft.json 逆順区 >/dev/null
assert_eq "final arriving first stays current after later draft and proposal" "$f" "$(current_of 逆順区 2023)"

new=$(store_variant dt1 $T/testku_2023_final.json 日付区 '.published_on = "2023-06-01"')
store_variant dt2 $T/testku_2023_final.json 日付区 '.published_on = "2023-04-01"' >/dev/null
assert_eq "same stage: newer published_on wins over later arrival" "$new" "$(current_of 日付区 2023)"
store_variant ar1 $T/testku_2023_final.json 到着区 '.published_on = null' >/dev/null
late=$(store_variant ar2 $T/testku_2023_final.json 到着区 '.published_on = null | .head.name = "別人"')
assert_eq "same stage and date: newest arrival wins" "$late" "$(current_of 到着区 2023)"

assert_eq "no key has two current versions" 0 \
	"$(q -c 'SELECT count(*) FROM (SELECT 1 FROM plans WHERE is_current GROUP BY org_name, fiscal_year HAVING count(*) > 1) x')"
assert_eq "every (org, year) has a current version" \
	"$(q -c 'SELECT count(DISTINCT (org_name, fiscal_year)) FROM plans WHERE org_name IS NOT NULL AND fiscal_year IS NOT NULL')" \
	"$(q -c 'SELECT count(*) FROM plans_current')"
assert_eq "no double counting: テスト区 2023 once in plan_budget_totals (final's 4,500,000)" "1|4500000" \
	"$(q -c "SELECT count(*), sum(total_yen) FROM plan_budget_totals WHERE org_name = 'テスト区' AND fiscal_year = 2023")"
assert_eq "_all_versions keeps the three versions (3 + 3 + 4 initiatives)" "3|4|10" \
	"$(q -c "SELECT count(*), count(DISTINCT stage) + 1, sum(initiatives) FROM plan_budget_totals_all_versions WHERE org_name = 'テスト区' AND fiscal_year = 2023")"
assert_eq "plan_initiatives: only the final's 4 initiatives" 4 \
	"$(q -c "SELECT count(*) FROM plan_initiatives WHERE org_name = 'テスト区' AND fiscal_year = 2023")"
assert_eq "issue-level initiative: no strategy, dash amount, label kept" "||予算額|" \
	"$(q -c "SELECT format('%s|%s|%s|%s', strategy_code, initiative_code, budget_label, amount_yen) FROM plan_initiatives WHERE initiative_title = '地域見守り活動' AND org_name = 'テスト区'")"
assert_eq "plans_current: versions counted" 3 \
	"$(q -c "SELECT versions FROM plans_current WHERE org_name = 'テスト区' AND fiscal_year = 2023")"
assert_eq "budget_by_org_year テスト区 2023: main, dashes, 予算額, 区CM" "4500000|1|4500000|300000" \
	"$(q -c "SELECT main_total_yen || '|' || main_unknown || '|' || budget_yen || '|' || ward_cm_yen FROM budget_by_org_year WHERE org_name = 'テスト区' AND fiscal_year = 2023")"

# ---- concurrent arrivals of two versions of one plan ---------------------------
# A stores the proposal and keeps its transaction open until B (the final)
# is seen waiting on the per-plan lock; then A commits.  Exactly one current.
variant $T/testku_2023_proposal.json 競合区 >"$TMP/cp.json"; printf 'race proposal\n' >"$TMP/cp.txt"
variant $T/testku_2023_final.json 競合区 >"$TMP/cf.json"; printf 'race final\n' >"$TMP/cf.txt"
MARKER="$TMP/a_stored" psql -X -Atq -v ON_ERROR_STOP=1 -v raw="$(base64 -w0 "$TMP/cp.txt")" \
	-v plan="$(cat "$TMP/cp.json")" >"$TMP/a.out" 2>&1 <<'SQL' &
BEGIN;
SELECT status FROM test_planq_ingest(NULL, decode(:'raw','base64'), NULL, NULL, 'stored', NULL, :'plan'::jsonb, 't');
\! touch "$MARKER"
DO $$
BEGIN
	FOR i IN 1..600 LOOP
		PERFORM pg_stat_clear_snapshot();
		EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event = 'advisory'
		                   AND pid <> pg_backend_pid());
		PERFORM pg_sleep(0.1);
	END LOOP;
END $$;
SELECT pg_stat_clear_snapshot();
SELECT 'B waiting: ' || EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event = 'advisory' AND pid <> pg_backend_pid());
COMMIT;
SQL
apid=$!
wait_for "[ -e '$TMP/a_stored' ]" 60
ingest "$TMP/cf.txt" "$TMP/cf.json" >"$TMP/b.out" 2>&1 &
bpid=$!
wait $apid; wait $bpid
assert_eq "race: B waited on the per-plan lock" "B waiting: true" "$(grep '^B waiting' "$TMP/a.out")"
assert_match "race: both stored" '^stored[|]' "$(head -n 1 "$TMP/a.out")|$(cat "$TMP/b.out")"
assert_eq "race: exactly one current, the final" "1|final" \
	"$(q -c "SELECT count(*), min(stage) FROM plans WHERE org_name = '競合区' AND is_current")"

# a burst: 8 versions of one plan stored at once by 8 sessions
stages=(draft proposal final draft proposal final proposal draft)
for i in 0 1 2 3 4 5 6 7; do
	variant $T/testku_2023_final.json 並行区 ".stage = \"${stages[$i]}\" | .published_on = \"2023-05-0$((i + 1))\"" >"$TMP/burst$i.json"
	printf 'burst %d\n' $i >"$TMP/burst$i.txt"
done
for i in 0 1 2 3 4 5 6 7; do
	ingest "$TMP/burst$i.txt" "$TMP/burst$i.json" >"$TMP/burst$i.out" 2>&1 &
done
wait
assert_eq "burst: all 8 stored" 8 "$(cat "$TMP"/burst*.out | grep -c '^stored|')"
assert_eq "burst: exactly one current: the final published last (05-06)" "1|final|2023-05-06" \
	"$(q -c "SELECT count(*), min(stage), min(published_on) FROM plans WHERE org_name = '並行区' AND is_current")"

# planq_ingest only compares a new plan with the current one (008); after all
# of the above, every key's current row must be what a full recount picks
assert_eq "offer-current agrees with a full recount for every key" 0 \
	"$(q -c "SELECT count(*) FROM (SELECT DISTINCT ON (org_name, fiscal_year) id, is_current
	          FROM plans WHERE org_name IS NOT NULL AND fiscal_year IS NOT NULL
	          ORDER BY org_name, fiscal_year, stage_rank DESC, published_on DESC NULLS LAST,
	                   document_id DESC) best WHERE NOT best.is_current")"

# ---- one initiative across years ---------------------------------------------------
assert_eq "history: 防災訓練の実施 2022→2023 by title, +200,000 (+20.0%)" "2022|1000000|1200000|200000|20.0|title" \
	"$(q -c "SELECT prev_fiscal_year || '|' || prev_amount_yen || '|' || amount_yen || '|' || change_yen || '|' || change_percent || '|' || matched_by FROM initiative_history WHERE org_name = 'テスト区' AND fiscal_year = 2023 AND initiative_title = '防災訓練の実施'")"
assert_eq "history: 防犯カメラの設置 +500,000" "500000|25.0" \
	"$(q -c "SELECT change_yen || '|' || change_percent FROM initiative_history WHERE org_name = 'テスト区' AND fiscal_year = 2023 AND initiative_code = '1-1-2'")"
assert_eq "history: 学習支援事業 follows 放課後学習支援 by code" "放課後学習支援|700000|100000|code" \
	"$(q -c "SELECT prev_title || '|' || prev_amount_yen || '|' || change_yen || '|' || matched_by FROM initiative_history WHERE org_name = 'テスト区' AND fiscal_year = 2023 AND initiative_title = '学習支援事業'")"
assert_eq "history: new initiative has no predecessor" "" \
	"$(q -c "SELECT prev_fiscal_year FROM initiative_history WHERE org_name = 'テスト区' AND initiative_title = '地域見守り活動'")"
assert_eq "history: one row per current initiative of the org" 8 \
	"$(q -c "SELECT count(*) FROM initiative_history WHERE org_name = 'テスト区'")"
assert_eq "history: title match ignores width and spaces" "title" \
	"$(q -c "SELECT CASE WHEN planq_norm_title('防災訓練の実施') = planq_norm_title(' 防災訓練の実施（ ）') THEN 'title' END")"

# ---- changes between versions ---------------------------------------------------
assert_eq "plan_changes テスト区 2023" \
"draft|proposal|amount_changed|1-1-1|防災訓練の実施|1100000|1200000|100000
draft|proposal|amount_changed|1-1-2|防犯カメラの設置||2500000|
draft|proposal|renamed|2-1-1|学習支援事業|500000|800000|300000
proposal|final|added||地域見守り活動|||" \
	"$(q -c "SELECT from_stage, to_stage, change, initiative_code, initiative_title, old_amount_yen, new_amount_yen, change_yen FROM plan_changes WHERE org_name = 'テスト区' AND fiscal_year = 2023 ORDER BY from_plan_id, change, initiative_code")"
assert_eq "plan_changes: renamed shows the old title" "子育てサロンの運営" \
	"$(q -c "SELECT old_title FROM plan_changes WHERE org_name = 'テスト区' AND change = 'renamed'")"
assert_eq "plan_changes: removed initiatives (final → draft order for 逆順区 is by stage, so none removed)" 0 \
	"$(q -c "SELECT count(*) FROM plan_changes WHERE org_name = '逆順区' AND change = 'removed' AND initiative_title <> '子育てサロンの運営'")"
assert_eq "plan_diff backwards: removed" "removed|地域見守り活動" \
	"$(q -c "SELECT change || '|' || initiative_title FROM planq_plan_diff($f, (SELECT plan_id FROM plans_all_versions WHERE org_name = '逆順区' AND stage = 'proposal')) WHERE change = 'removed'")"

# ---- search ---------------------------------------------------------------------------
assert_match "search 防災: 北区 2-1-3 with a snippet" '北区\|2021\|2-1-3\|防災情報の発信強化\|[^|]*防災' \
	"$(q -c "SELECT org_name || '|' || fiscal_year || '|' || initiative_code || '|' || initiative_title || '|' || snippet FROM search_plans('防災')" | tr '\n' ' ')"
assert_eq "search 防災: as many hits as current initiatives containing it" \
	"$(q -c "SELECT count(*) FROM initiatives t JOIN plans p ON p.id = t.plan_id WHERE p.is_current AND (t.title LIKE '%防災%' OR t.body LIKE '%防災%')")" \
	"$(q -c "SELECT count(*) FROM search_plans('防災')")"
assert_match "search full-width ＳＮＳ finds SNS (NFKC)" '2-1-3' "$(q -c "SELECT initiative_code FROM search_plans('ＳＮＳ') WHERE org_name = '北区'")"
assert_eq "search '%' is literal (no wildcard)" \
	"$(q -c "SELECT count(*) FROM initiatives t JOIN plans p ON p.id = t.plan_id WHERE p.is_current AND strpos(coalesce(t.title,'') || coalesce(t.body,''), '%') > 0")" \
	"$(q -c "SELECT count(*) FROM search_plans('%')")"
assert_eq "search '' finds nothing" 0 "$(q -c "SELECT count(*) FROM search_plans('  ')")"
assert_eq "search: only current versions (テスト区 2023 once)" 1 \
	"$(q -c "SELECT count(*) FROM search_plans('地域見守り') WHERE org_name = 'テスト区'")"
# with a UTF-8 ctype pg_trgm indexes Japanese: the index serves the search
q -c "CREATE DATABASE planq_utf8 TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'" >/dev/null
"$PLANQ" db migrate --db "host=$PGHOST port=$PGPORT user=planq dbname=planq_utf8" >/dev/null
assert_match "C.UTF-8 database: search_plans uses the trigram index" 'initiatives_search_trgm' \
	"$(psql -X -Atq -d planq_utf8 -c "SET enable_seqscan = off" -c "EXPLAIN SELECT * FROM search_plans('防災訓練')" | tr '\n' ' ')"

# ---- ingest outcomes -------------------------------------------------------------
ingest samples/01_kita_r3_table.txt samples/01_kita_r3_table.json stored '' '{"source_url":"https://www.city.osaka.lg.jp/again"}' >/dev/null
printf 'not a plan\n' >"$TMP/np.txt"
ingest "$TMP/np.txt" - rejected 'not a plan: minutes' '{"source_url":"https://www.city.osaka.lg.jp/minutes"}' >/dev/null
q -c "SELECT planq_record_event('retry', 'https://www.city.osaka.lg.jp/busy', 'database unavailable')" >/dev/null
assert_eq "ingest_outcomes for the city host: 5 stored, 1 duplicate, 1 rejected, 1 retry" "5|1|1|1|8" \
	"$(q -c "SELECT sum(stored) || '|' || sum(duplicate) || '|' || sum(rejected) || '|' || sum(retry) || '|' || sum(total) FROM ingest_outcomes WHERE source_host = 'www.city.osaka.lg.jp'")"
assert_eq "ingest_rejections by reason" "www.city.osaka.lg.jp|not a plan: minutes|1" \
	"$(q -c "SELECT source_host || '|' || reason || '|' || documents FROM ingest_rejections")"

# ---- planq report -----------------------------------------------------------------
"$PLANQ" report budgets >"$TMP/budgets.txt"; rc=$?
assert_eq "report budgets exits 0" 0 $rc
assert_match "report budgets: 北区 line" '北区 +\| +2021 \| final \| +8 \| +74779000' "$(grep '^北区' "$TMP/budgets.txt")"
assert_eq "report budgets: every line has the same display width (wide chars = 2)" 1 \
	"$(python3 -c '
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()[:-1]
print(len({w(l) for l in lines}))' "$TMP/budgets.txt")"
"$PLANQ" report --csv budgets >"$TMP/budgets.csv"
assert_eq "report --csv: rows = view rows" "$(q -c 'SELECT count(*) FROM budget_by_org_year')" \
	"$(python3 -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1], encoding="utf-8")))) - 1)' "$TMP/budgets.csv")"
assert_eq "report --json: numbers are numbers" "number|number|string" \
	"$("$PLANQ" report --json budgets | jq -r '.[0] | [(.fiscal_year|type), (.main_total_yen|type), (.org_name|type)] | join("|")')"
assert_eq "report history テスト区: 8 rows" 8 "$("$PLANQ" report --json history テスト区 | jq length)"
assert_eq "report search: parameters, not pasted SQL" 0 "$("$PLANQ" report --json history "x' OR '1'='1" | jq length)"
assert_match "report search 防災 lists 北区" '北区' "$("$PLANQ" report search 防災)"
assert_match "report plans (default) lists 都島区" '都島区' "$("$PLANQ" report)"
"$PLANQ" report nosuch >/dev/null 2>&1; rc=$?
assert_eq "report: unknown report exits 2" 2 $rc
"$PLANQ" report history >/dev/null 2>&1; rc=$?
assert_eq "report history without ORG exits 2" 2 $rc

finish
