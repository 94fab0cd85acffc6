#!/usr/bin/env bash
# A real crawl end to end: a local HTTP server on loopback serves a small
# site of plan pages (tests/fixtures/crawl: several charsets with and
# without a charset header, an index linking to them, a page linked twice,
# the same bytes at two addresses, a 404, a non-plan, a page that changes
# between two crawls); Debian's Scrapy crawls it through
# planq_client.scrapy.PlanqPipeline into a real planqd and PostgreSQL.
# Checked: the rows, the duplicate, the rejection, the outcome on each item
# and in the crawl's stats, that the pipeline never blocks the crawl (every
# page is fetched while planqd cannot answer yet), and that a second crawl
# stores only the changed page, as a new version.
. "$(dirname "$0")/../lib/common.sh"

PY=${PLANQ_PYTHON:-/usr/bin/python3}
export PYTHONPATH=$ROOT/clients/python
FIX=$ROOT/tests/fixtures/crawl
SERVE_PID=
trap '[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; cleanup' EXIT

setup_db
planqd_start --workers=2

cp "$FIX/routes.json" "$TMP/routes.json"
"$PY" "$FIX/serve.py" "$ROOT" "$TMP/routes.json" "$TMP/port" "$TMP/requests.log" 2>"$TMP/serve.err" &
SERVE_PID=$!
wait_for "[ -s '$TMP/port' ]" 10 || { fail "the site did not start"; finish; }
SITE=http://127.0.0.1:$(cat "$TMP/port")
check "the site answers" curl -fsS -o /dev/null "$SITE/"
: >"$TMP/requests.log"

crawl() {	# crawl N: items and stats of crawl N in $TMP/itemsN.jsonl, statsN.json
	"$PY" "$FIX/crawl.py" "$SITE/" "$ENDPOINT" "$TMP/items$1.jsonl" "$TMP/stats$1.json" \
		>"$TMP/crawl$1.log" 2>&1
}
stat() { jq -r --arg k "$2" '.[$k] // 0' "$TMP/stats$1.json"; }
item() { jq -r --arg u "$SITE$2" "select(.url == \$u) | .$3" "$TMP/items$1.jsonl"; }

# ---- crawl 1, while planqd cannot commit: the crawl goes on -------------
lock_documents
crawl 1 &
crawl_pid=$!
pages=13	# index, more, 10 linked pages, the 404
wait_for "[ \$(sort -u '$TMP/requests.log' 2>/dev/null | wc -l) -ge $pages ]" 60
check "every page fetched while no reply could come (reactor not blocked)" \
	test "$(sort -u "$TMP/requests.log" | wc -l)" -ge "$pages"
assert_eq "... and no item finished yet" 0 "$(cat "$TMP/items1.jsonl" 2>/dev/null | wc -l)"
check "... the crawl is still waiting for planqd" kill -0 "$crawl_pid"
unlock_documents
wait "$crawl_pid"
check "crawl 1 exits 0" test $? -eq 0 || tail -n 30 "$TMP/crawl1.log"

assert_eq "each address fetched once (the page linked twice too)" "" \
	"$(awk '{print $2}' "$TMP/requests.log" | sort | uniq -d)"
check "the 404 was fetched" grep -q '^404 /plans/missing.html$' "$TMP/requests.log"
assert_eq "crawl 1: 10 items" 10 "$(wc -l <"$TMP/items1.jsonl")"
assert_eq "crawl 1: planq/stored" 8 "$(stat 1 planq/stored)"
assert_eq "crawl 1: planq/duplicate" 1 "$(stat 1 planq/duplicate)"
assert_eq "crawl 1: planq/rejected" 1 "$(stat 1 planq/rejected)"
assert_eq "crawl 1: planq/failed" 0 "$(stat 1 planq/failed)"
assert_eq "crawl 1: the 404 never reached the pipeline" 1 "$(stat 1 downloader/response_status_count/404)"

# the rows
assert_eq "9 documents (the copy is not stored twice)" 9 "$(sql 'SELECT count(*) FROM documents')"
assert_eq "8 stored, 1 rejected" "rejected|1 stored|8" \
	"$(sql "SELECT outcome, count(*) FROM documents GROUP BY 1 ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')"
assert_eq "8 plans" 8 "$(sql 'SELECT count(*) FROM plans')"
kita_a=$(item 1 /plans/kita.txt planq_document_id)
kita_b=$(item 1 /archive/kita-copy.txt planq_document_id)
assert_eq "the same bytes at two addresses: one document" "$kita_a" "$kita_b"
assert_eq "... one stored, one duplicate" "duplicate stored" \
	"$(printf '%s\n' "$(item 1 /plans/kita.txt planq_status)" "$(item 1 /archive/kita-copy.txt planq_status)" | sort | tr '\n' ' ' | sed 's/ $//')"
assert_match "the non-plan: rejected with the reason on the item" '^not a plan' "$(item 1 /minutes.txt planq_reason)"
assert_eq "... recorded in the database with that reason" "$(item 1 /minutes.txt planq_reason)" \
	"$(sql "SELECT reason FROM documents WHERE source_url = '$SITE/minutes.txt'")"
for p in /plans/yodogawa.html /plans/sjis.txt /plans/sjis-meta.html /plans/eucjp.txt \
	/plans/iso2022jp.txt /plans/cp932-mislabelled.txt /plans/minato.txt; do
	assert_eq "$p: stored, with its plan" "stored yes" \
		"$(item 1 "$p" planq_status) $( [ -n "$(item 1 "$p" planq_plan_id | grep -v null)" ] && echo yes)"
done
charset() { sql "SELECT charset FROM documents WHERE source_url = '$SITE$1'"; }
assert_eq "Shift_JIS with a header" CP932 "$(charset /plans/sjis.txt)"
assert_eq "Shift_JIS with only a meta charset" CP932 "$(charset /plans/sjis-meta.html)"
assert_match "EUC-JP with no charset: detected" '^EUC-JP' "$(charset /plans/eucjp.txt)"
assert_match "ISO-2022-JP" '^ISO-2022-JP' "$(charset /plans/iso2022jp.txt)"
assert_eq "CP932 labelled utf-8: the label overridden" CP932 "$(charset /plans/cp932-mislabelled.txt)"
assert_eq "content_type from the header is stored" "text/plain; charset=shift_jis" \
	"$(sql "SELECT content_type FROM documents WHERE source_url = '$SITE/plans/sjis.txt'")"
assert_eq "content_type absent when the server sent none... of a charset" "text/plain" \
	"$(sql "SELECT content_type FROM documents WHERE source_url = '$SITE/plans/eucjp.txt'")"
assert_match "fetched_at stored" '^20[0-9][0-9]-' \
	"$(sql "SELECT fetched_at FROM documents WHERE source_url = '$SITE/plans/sjis.txt'")"
assert_eq "the page linked twice, also at another address: one document" 1 \
	"$(sql "SELECT count(*) FROM documents WHERE source_url IN ('$SITE/plans/kita.txt', '$SITE/archive/kita-copy.txt')")"

# ---- crawl 2: only the changed page is new ------------------------------
jq '."/plans/minato.txt"[0] = "tests/fixtures/crawl/minato_v2.txt"' "$FIX/routes.json" >"$TMP/routes.json"
: >"$TMP/requests.log"
crawl 2
check "crawl 2 exits 0" test $? -eq 0 || tail -n 30 "$TMP/crawl2.log"
assert_eq "crawl 2: planq/stored (the changed page only)" 1 "$(stat 2 planq/stored)"
assert_eq "crawl 2: planq/duplicate" 8 "$(stat 2 planq/duplicate)"
assert_eq "crawl 2: planq/rejected (the non-plan again)" 1 "$(stat 2 planq/rejected)"
assert_eq "crawl 2: the changed page stored" stored "$(item 2 /plans/minato.txt planq_status)"
assert_eq "10 documents now" 10 "$(sql 'SELECT count(*) FROM documents')"
assert_eq "the changed page has two versions" 2 \
	"$(sql "SELECT count(*) FROM documents WHERE source_url = '$SITE/plans/minato.txt'")"
old_plan=$(item 1 /plans/minato.txt planq_plan_id)
new_plan=$(item 2 /plans/minato.txt planq_plan_id)
check "the new version is a new plan ($old_plan -> $new_plan)" test "$new_plan" -gt "$old_plan"
assert_eq "... of the same organisation and year" 1 \
	"$(sql "SELECT count(DISTINCT (org_name, fiscal_year)) FROM plans WHERE id IN ($old_plan, $new_plan)")"
assert_eq "... and the new one is current" "$new_plan" \
	"$(sql "SELECT id FROM plans WHERE id IN ($old_plan, $new_plan) AND is_current")"
assert_eq "... carrying the changed budget" 1 \
	"$(sql "SELECT count(*) FROM budgets b JOIN initiatives i ON i.id = b.initiative_id WHERE i.plan_id = $new_plan AND b.amount_yen = 3500000")"

kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=
check "planqd stops cleanly" planqd_stop
finish
