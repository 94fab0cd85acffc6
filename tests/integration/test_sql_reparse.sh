#!/usr/bin/env bash
# test_sql_reparse.sh: `planq reparse` over documents stored by an "old"
# parser: stale plans are replaced by the current parser's output (one
# transaction each), unchanged ones keep their rows, a document that is no
# longer a plan becomes rejected and the current version moves back.
. "$(dirname "$0")/../lib/sqltest.sh"	# a database, test_planq_ingest()

PV=$("$PLANQ" reparse --help | sed -n 's/.*re-runs parser \([^ ]*\) over.*/\1/p')
[ -n "$PV" ] || { fail "cannot read the parser version from planq reparse --help"; finish; }

# stale plans: the old parser lost the last issue and garbled the title
for n in 01_kita_r3_table 03_miyakojima_r5_web 05_kensetsu_r6_markdown; do
	jq '.title = "OLD " + .title | .issues |= .[:-1]' samples/$n.json >"$TMP/$n.old.json"
	ingest samples/$n.txt "$TMP/$n.old.json" stored '' '{}' old-0 >/dev/null
done
# rejected by the old parser
ingest samples/02_minato_h30_markers.txt - rejected 'not a plan: old parser' '{}' old-0 >/dev/null
# right already (same output as today's parser: its own parse, warnings and
# all, not the sample's expectation, which has only the spec's keys; jq
# writes 48.3 where `planq parse` writes 48.299999999999997, as the worker
# does)
"$PLANQ" parse samples/04_fragment_council_md.txt | jq -c . >"$TMP/04.now.json"
ingest samples/04_fragment_council_md.txt "$TMP/04.now.json" stored '' '{}' old-0 >/dev/null
frag_plan=$(q -c "SELECT p.id FROM plans p WHERE p.org_name IS NULL")
# a fake final of テスト区 2023 over minutes text: today's parser says "not a
# plan"; the proposal stored by today's parser must become current again
printf '第3回 区政会議 議事録\n出席者: 委員10名\n議題: 地域の防災について\n' >"$TMP/minutes.txt"
ingest "$TMP/minutes.txt" tests/sql/testku_2023_final.json stored '' '{}' old-0 >/dev/null
printf 'proposal raw\n' >"$TMP/proposal.txt"
ingest "$TMP/proposal.txt" tests/sql/testku_2023_proposal.json stored '' '{}' "$PV" >/dev/null
assert_eq "before: the fake final is current" final \
	"$(q -c "SELECT stage FROM plans WHERE org_name = 'テスト区' AND is_current")"
old_ids=$(q -c "SELECT id FROM plans ORDER BY document_id" | tr '\n' ' ')

out=$("$PLANQ" reparse 2>"$TMP/err"); rc=$?
assert_eq "reparse exits 0" 0 $rc
assert_eq "reparse reports what changed" \
	"reparsed 6 documents with parser $PV: 5 changed, 1 unchanged, 0 failed" "$out"
assert_eq "every document now at $PV" 0 "$(q -c "SELECT count(*) FROM documents WHERE parser_version <> '$PV'")"
for n in 01_kita_r3_table 02_minato_h30_markers 03_miyakojima_r5_web 05_kensetsu_r6_markdown; do
	"$PLANQ" parse samples/$n.txt >"$TMP/$n.now.json"
	plan=$(q -v raw="$(base64 -w0 samples/$n.txt)" <<<"SELECT p.id FROM plans p JOIN documents d ON d.id = p.document_id WHERE d.sha256 = sha256(decode(:'raw','base64'))")
	assert_eq "$n: stored plan = today's parse (its digest)" t \
		"$(q -v now="$(cat "$TMP/$n.now.json")" <<<"SELECT parsed_sha256 = planq_plan_digest(:'now'::jsonb)
		                                             FROM plans WHERE id = ${plan:-0}")"
	assert_eq "$n: issues rows = today's parse" "$(jq '.issues|length' "$TMP/$n.now.json")" "$(plan_rows issues "${plan:-0}")"
	assert_eq "$n: budgets rows = today's parse" "$(jq "[$JQ_INITS[].budgets[]]|length" "$TMP/$n.now.json")" "$(plan_rows budgets "${plan:-0}")"
done
assert_eq "formerly rejected document: stored, no reason" "stored|" \
	"$(q -c "SELECT outcome || '|' || coalesce(reason, '') FROM documents d JOIN plans p ON p.document_id = d.id WHERE p.org_name = '港区'")"
assert_eq "港区 2018 is now current" 1 "$(q -c "SELECT count(*) FROM plans_current WHERE org_name = '港区'")"
assert_eq "unchanged fragment kept its plan id" "$frag_plan" "$(q -c "SELECT id FROM plans WHERE org_name IS NULL")"
assert_match "minutes: rejected as not a plan" '^rejected\|not a plan' \
	"$(q -v raw="$(base64 -w0 "$TMP/minutes.txt")" <<<"SELECT outcome || '|' || reason FROM documents WHERE sha256 = sha256(decode(:'raw','base64'))")"
assert_eq "minutes: its plan rows are gone" 0 \
	"$(q -c "SELECT count(*) FROM plans WHERE org_name = 'テスト区' AND stage = 'final'")"
assert_eq "テスト区 2023: the proposal is current again" proposal \
	"$(q -c "SELECT stage FROM plans_current WHERE org_name = 'テスト区' AND fiscal_year = 2023")"
assert_eq "changed plans got new rows (ids differ)" 1 \
	"$([ "$old_ids" != "$(q -c "SELECT id FROM plans ORDER BY document_id" | tr '\n' ' ')" ] && echo 1)"
assert_eq "no orphan rows after replacing" 0 \
	"$(q -c "SELECT (SELECT count(*) FROM budgets b LEFT JOIN initiatives t ON t.id = b.initiative_id WHERE t.id IS NULL)
	          + (SELECT count(*) FROM issues i LEFT JOIN plans p ON p.id = i.plan_id WHERE p.id IS NULL)")"

assert_eq "second run: nothing to do" "reparsed 0 documents with parser $PV: 0 changed, 0 unchanged, 0 failed" \
	"$("$PLANQ" reparse)"
# --all also parses the proposal stored by "today's" parser over fake raw
# bytes: that one changes (it is not a plan); the rest are as before
assert_eq "--all: everything again, only the fake proposal changes" \
	"reparsed 7 documents with parser $PV: 1 changed, 6 unchanged, 0 failed" "$("$PLANQ" reparse --all)"
assert_eq "--all: the fake proposal is now rejected" rejected \
	"$(q -c "SELECT outcome FROM documents WHERE raw = convert_to('proposal raw' || chr(10), 'UTF8')")"
assert_eq "--since tomorrow: nothing" "reparsed 0 documents with parser $PV: 0 changed, 0 unchanged, 0 failed" \
	"$("$PLANQ" reparse --since "$(date -d tomorrow +%F)")"
"$PLANQ" reparse --since not-a-date >/dev/null 2>"$TMP/err"; rc=$?
assert_eq "--since garbage exits 2" 2 $rc
assert_match "--since garbage: says what is wrong" 'since is not a date' "$(cat "$TMP/err")"
"$PLANQ" reparse --all --since 2024-01-01 >/dev/null 2>&1; rc=$?
assert_eq "--all with --since is a usage error" 2 $rc

finish
