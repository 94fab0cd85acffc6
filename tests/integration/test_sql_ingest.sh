#!/usr/bin/env bash
# test_sql_ingest.sh: planq_ingest() against a real PostgreSQL with the
# repo's samples (samples/*.txt + samples/*.json): rows per table match the
# JSON, duplicates insert nothing, a concurrent duplicate waits and gets
# 'duplicate', rejections keep their first reason, bad data raises class 22/23.
# The plans' rows come from the tests' own reading of the JSON
# (install_plan_rows, tests/lib/plansql.sh), as the worker's come from
# rows/plan_rows.c.
. "$(dirname "$0")/../lib/sqltest.sh"	# a database, test_planq_ingest()

samples=$(ls samples/*.json 2>/dev/null)
[ -n "$samples" ] || { fail "no samples/*.json to test with"; finish; }

# ---- every sample: stored, rows per table = what its JSON holds -----------
for json in $samples; do
	name=$(basename "$json" .json)
	raw=${json%.json}.txt
	IFS='|' read -r status doc plan reason <<<"$(ingest "$raw" "$json" stored '' \
		'{"source_url":"https://www.city.osaka.lg.jp/'"$name"'","fetched_at":"2024-05-01T09:00:00+09:00","client_id":"crawler-1"}')"
	assert_eq "$name: stored" stored "$status"
	[ -n "$plan" ] || { fail "$name: no plan id"; continue; }
	assert_eq "$name: issues" "$(jnum "$json" '.issues|length')" "$(plan_rows issues "$plan")"
	assert_eq "$name: strategies" "$(jnum "$json" '[.issues[].strategies[]]|length')" "$(plan_rows strategies "$plan")"
	assert_eq "$name: initiatives" "$(jnum "$json" "$JQ_INITS|length")" "$(plan_rows initiatives "$plan")"
	assert_eq "$name: budgets" "$(jnum "$json" "[$JQ_INITS[].budgets[]]|length")" "$(plan_rows budgets "$plan")"
	assert_eq "$name: goals+missions+policies" \
		"$(jnum "$json" '(.goals|length)+(.missions|length)+(.policies|length)')" "$(plan_rows plan_texts "$plan")"
	assert_eq "$name: reforms" "$(jnum "$json" '.reforms|length')" "$(plan_rows reforms "$plan")"
	assert_eq "$name: evaluation row" "$(jnum "$json" 'if .evaluation then 1 else 0 end')" "$(plan_rows evaluations "$plan")"
	assert_eq "$name: council row" "$(jnum "$json" 'if .council_reflection then 1 else 0 end')" "$(plan_rows council_reflections "$plan")"
	assert_eq "$name: contact row" "$(jnum "$json" 'if .contact then 1 else 0 end')" "$(plan_rows contacts "$plan")"
	assert_eq "$name: dashes stored as NULL amounts" \
		"$(jnum "$json" "[$JQ_INITS[].budgets[] | select(.amount_yen == null)]|length")" \
		"$(q -c "SELECT count(*) FROM budgets b JOIN initiatives t ON t.id = b.initiative_id WHERE t.plan_id = $plan AND b.amount_yen IS NULL AND b.label <> ''")"
	assert_eq "$name: sum of all amounts" \
		"$(jnum "$json" "[$JQ_INITS[].budgets[].amount_yen // 0]|add // 0")" \
		"$(q -c "SELECT coalesce(sum(b.amount_yen),0) FROM budgets b JOIN initiatives t ON t.id = b.initiative_id WHERE t.plan_id = $plan")"
	assert_eq "$name: issue-level initiatives have no strategy" \
		"$(jnum "$json" '[.issues[].initiatives[]]|length')" \
		"$(q -c "SELECT count(*) FROM initiatives WHERE plan_id = $plan AND strategy_id IS NULL")"
	assert_eq "$name: raw bytes kept exactly" "$(sha256sum <"$raw" | cut -c1-64)" \
		"$(q -c "SELECT encode(sha256(raw),'hex') FROM documents WHERE id = $doc")"
	assert_eq "$name: parsed_sha256 is the digest of the whole plan" "true|32" \
		"$(q -v plan="$(cat "$json")" <<<"SELECT (parsed_sha256 = planq_plan_digest(:'plan'::jsonb))
		                                    || '|' || length(parsed_sha256) FROM plans WHERE id = $plan")"
	assert_eq "$name: initiative order (codes/titles) as in the JSON" \
		"$(jq -r "$JQ_INITS[] | [.code // \"\", .title // \"\"] | join(\"/\")" "$json" | sort | md5sum)" \
		"$(q -c "SELECT coalesce(code,'') || '/' || coalesce(title,'') FROM initiatives WHERE plan_id = $plan ORDER BY seq" | sort | md5sum)"
done

json=samples/01_kita_r3_table.json
raw=samples/01_kita_r3_table.txt
assert_eq "envelope: source_host derived" "www.city.osaka.lg.jp|crawler-1|2024-05-01 00:00:00+00" \
	"$(q -c "SET TimeZone=UTC; SELECT source_host, client_id, fetched_at FROM documents WHERE id = 1")"
assert_eq "document size is the byte count" "$(wc -c <"$raw")" "$(q -c 'SELECT size FROM documents WHERE id = 1')"

# ---- the same bytes again: duplicate, same ids, no new rows ---------------
before=$(q -c "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM plans), (SELECT count(*) FROM initiatives), (SELECT count(*) FROM budgets)")
first=$(q -c "SELECT d.id || '|' || p.id FROM documents d JOIN plans p ON p.document_id = d.id WHERE d.id = 1")
assert_eq "resent bytes: duplicate with the same ids" "duplicate|$first|" \
	"$(ingest "$raw" "$json" stored '' '{"url":"https://mirror.example.org/a"}')"
after=$(q -c "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM plans), (SELECT count(*) FROM initiatives), (SELECT count(*) FROM budgets)")
assert_eq "resent bytes: no new rows" "$before" "$after"
assert_eq "resent bytes: one duplicate event with the resender's host" "duplicate|1|mirror.example.org" \
	"$(q -c "SELECT kind, document_id, source_host FROM ingest_events")"

# ---- rejected, then resent: rejected with the first reason ----------------
printf 'This is the minutes of a meeting, not a plan.\n' >"$TMP/minutes.txt"
IFS='|' read -r status rdoc plan reason <<<"$(ingest "$TMP/minutes.txt" - rejected 'minutes, not a plan')"
assert_eq "rejected document: status and reason" "rejected||minutes, not a plan" "$status|$plan|$reason"
assert_eq "rejected document: stored with outcome and reason" "rejected|minutes, not a plan" \
	"$(q -c "SELECT outcome, reason FROM documents WHERE id = $rdoc")"
assert_eq "rejected resent: rejected, same id, first reason" "rejected|$rdoc||minutes, not a plan" \
	"$(ingest "$TMP/minutes.txt" - rejected 'another reason')"
assert_eq "rejected resent as 'stored': still the first rejection" "rejected|$rdoc||minutes, not a plan" \
	"$(ingest "$TMP/minutes.txt" "$json" stored)"
assert_eq "rejected resent: one document only" 1 \
	"$(q -c "SELECT count(*) FROM documents WHERE sha256 = sha256(convert_to('This is the minutes of a meeting, not a plan.' || chr(10), 'UTF8'))")"
assert_eq "rejected with {is_plan:false} plan" "rejected" \
	"$(printf 'x' >"$TMP/x.txt"; printf '{"is_plan":false,"reason":"404 page"}' >"$TMP/np.json"
	   ingest "$TMP/x.txt" "$TMP/np.json" rejected '404 page' | cut -d'|' -f1)"
assert_eq "bad fetched_at: NULL column, value kept in envelope" "|yesterday" \
	"$(printf 'y' >"$TMP/y.txt"; ingest "$TMP/y.txt" - rejected r '{"fetched_at":"yesterday"}' >/dev/null
	   q -c "SELECT fetched_at, envelope->>'fetched_at' FROM documents WHERE raw = 'y'")"

# ---- bad data in the plan: class 22/23 error, nothing stored ---------------
# bad_plan LABEL JQ-EDIT EXPECTED-SQLSTATE-REGEX MESSAGE-REGEX
bad_plan() {
	local label=$1 edit=$2 state_re=$3 msg_re=$4 out n0 n1
	jq "$edit" "$json" >"$TMP/bad.json"
	printf 'bad %s\n' "$label" >"$TMP/bad.txt"
	n0=$(q -c "SELECT count(*) FROM documents")
	out=$(psql -X -Atq -v raw="$(base64 -w0 "$TMP/bad.txt")" -v plan="$(cat "$TMP/bad.json")" 2>&1 <<'SQL'
SELECT * FROM test_planq_ingest(NULL, decode(:'raw','base64'), NULL, NULL, 'stored', NULL, :'plan'::jsonb, 't');
\echo SQLSTATE=:LAST_ERROR_SQLSTATE
SQL
)
	n1=$(q -c "SELECT count(*) FROM documents")
	assert_match "$label: SQLSTATE $state_re" "SQLSTATE=$state_re" "$out"
	assert_match "$label: message says what was wrong" "$msg_re" "$out"
	assert_eq "$label: nothing stored" "$n0" "$n1"
}
bad_plan "fiscal_year 3000" '.fiscal_year = 3000' '23514' 'plans_fiscal_year_plausible'
bad_plan "negative amount" '.issues[0].strategies[0].initiatives[0].budgets[0].amount_yen = -5' \
	'23514' 'bad initiatives\[\]\.budgets\[\].*budgets_amount_yen_not_negative'
bad_plan "amount not a number" '.issues[0].strategies[0].initiatives[0].budgets[0].amount_yen = "12x"' \
	'22P02' 'bad initiatives\[\]\.budgets\[\].*"12x"'
# (a budget without a label, null, is stored since 011: the parser's
# budget_unlabelled; an empty one is not)
bad_plan "budget with an empty label" '.issues[0].strategies[0].initiatives[0].budgets[0].label = ""' \
	'23514' 'budgets_label_not_blank'
bad_plan "unknown stage" '.stage = "sketch"' '23514' 'plans_stage_known'
bad_plan "bad date" '.published_on = "2018-02-30"' '22008' 'top-level field'
# issues that are not a list: no rows can be made of them, so the mapping
# refuses the plan before the database sees it (tests/unit/test_plan_rows.c)

# argument errors: class 22, with a message
out=$(psql -X -Atq -c "SELECT * FROM planq_ingest('\\x00', 'abc', NULL, NULL, 'stored', NULL, '{}', 't')" 2>&1)
assert_match "wrong sha256 refused" 'not the SHA-256' "$out"
out=$(psql -X -Atq -c "SELECT * FROM planq_ingest(NULL, 'abc', NULL, NULL, 'kept', NULL, NULL, 't')" 2>&1)
assert_match "unknown outcome refused" "p_outcome is 'kept'" "$out"
out=$(psql -X -Atq -c "SELECT * FROM planq_ingest(NULL, 'abc', NULL, NULL, 'rejected', NULL, NULL, 't')" 2>&1)
assert_match "rejected without reason refused" 'needs a non-empty p_reason' "$out"
out=$(psql -X -Atq -c "SELECT * FROM planq_ingest(NULL, 'abc', NULL, NULL, 'stored', NULL, '{\"is_plan\":false}', 't')" 2>&1)
assert_match "stored without a plan refused" 'needs p_plan' "$out"

# ---- two concurrent ingests of the same bytes ------------------------------
# A inserts and holds its transaction open until B is seen waiting on it;
# then A commits and B must come back with 'duplicate' and A's ids.
json=samples/03_miyakojima_r5_web.json
cp samples/03_miyakojima_r5_web.txt "$TMP/race.txt"
printf '\nrace copy\n' >>"$TMP/race.txt"
{
	cat <<'SQL'
BEGIN;
SELECT * FROM test_planq_ingest(NULL, decode(:'raw','base64'), NULL, NULL, 'stored', NULL, :'plan'::jsonb, 't');
\! touch "$MARKER"
SQL
	await_lock_waiters_sql '%planq_ingest%' 1
	echo "COMMIT;"
} | MARKER="$TMP/a_inserted" psql -X -Atq -v ON_ERROR_STOP=1 \
     -v raw="$(base64 -w0 "$TMP/race.txt")" -v plan="$(cat "$json")" >"$TMP/a.out" 2>&1 &
apid=$!
for _ in $(seq 1 600); do [ -e "$TMP/a_inserted" ] && break; sleep 0.1; done
ingest "$TMP/race.txt" "$json" >"$TMP/b.out" 2>&1 &
bpid=$!
wait $apid; wait $bpid
a=$(head -n 1 "$TMP/a.out"); b=$(cat "$TMP/b.out")
assert_match "race: A stored" '^stored[|][0-9]+[|][0-9]+[|]$' "$a"
assert_eq "race: B really waited for A" "waiting: 1" "$(grep "^waiting" "$TMP/a.out")"
assert_eq "race: B got duplicate with A's ids" "duplicate|${a#stored|}" "$b"
assert_eq "race: one document for those bytes" 1 \
	"$(q -v raw="$(base64 -w0 "$TMP/race.txt")" <<<"SELECT count(*) FROM documents WHERE sha256 = sha256(decode(:'raw','base64'))")"

# ---- the shared gold plans, as an extra layer when present -----------------
if [ -d ../shared/gold ] && [ -d ../shared/seeds ]; then
	for json in ../shared/gold/*.json; do
		name=$(basename "$json" .json)
		IFS='|' read -r status doc plan reason <<<"$(ingest "../shared/seeds/$name.txt" "$json")"
		assert_eq "gold $name: stored" stored "$status"
		assert_eq "gold $name: budgets" "$(jnum "$json" "[$JQ_INITS[].budgets[]]|length")" "$(plan_rows budgets "${plan:-0}")"
	done
fi

finish
