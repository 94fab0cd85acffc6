#!/usr/bin/env bash
# A poison document mixed into good ones.  Uses the test-only trigger of the
# testhooks build (make BUILD=testhooks: a body containing PLANQ-TEST-CRASH
# makes the worker raise SIGSEGV).  The poison document kills three workers,
# is answered rejected with the reason "worker crashed on this document 3
# times: signal 11" and stored as rejected with its bytes; every good
# document is stored; planqd stays up and keeps storing.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"

N=40
poison=$TMP/docs/doc-poison.txt
hooks_start "$N" PLANQ-TEST-CRASH "$poison" --workers=3
# the poison document goes out in the middle of the good ones
mapfile -t files < <(ls "$TMP"/docs/doc-0*.txt)
files=("${files[@]:0:20}" "$poison" "${files[@]:20}")
send_expect 1 "send exits 1 (one rejection)" "$TMP/send.out" 120 \
	--concurrency 4 --timeout 30 "${files[@]}"
grep "$poison" "$TMP/send.out" | sed 's/^/# /'
assert_match "poison answered rejected with the reason" \
	"^rejected document=[0-9]+ reason=\"worker crashed on this document 3 times: signal 11\" $poison\$" \
	"$(grep "$poison" "$TMP/send.out")"
# stored, or duplicate: a worker the poison killed right after it committed
# and answered the batch before it can take that answer with it (still
# queued in its ZeroMQ socket); those documents go to another worker, which
# finds them stored (docs/PROTOCOL.md).  check_exactly_once counts the rows.
assert_eq "every good document answered stored (or duplicate of its own commit)" "$N" \
	"$(grep -Ec '^(stored|duplicate) ' "$TMP/send.out")"
assert_eq "nothing else rejected or failed" 1 "$(grep -Ec '^(rejected|failed) ' "$TMP/send.out")"
assert_eq "poison stored once, as rejected with the reason" 1 \
	"$(sql "SELECT count(*) FROM documents WHERE outcome = 'rejected' AND reason = 'worker crashed on this document 3 times: signal 11'")"
assert_eq "poison bytes kept" "$(sha256sum "$poison" | cut -c1-64)" \
	"$(sql "SELECT encode(sha256(raw), 'hex') FROM documents WHERE outcome = 'rejected'")"
assert_eq "poison row's sha256 is its bytes'" "$(sha256sum "$poison" | cut -c1-64)" \
	"$(sql "SELECT encode(sha256, 'hex') FROM documents WHERE outcome = 'rejected'")"
assert_eq "poison has no plan" 0 "$(sql "SELECT count(*) FROM plans p JOIN documents d ON d.id = p.document_id WHERE d.outcome = 'rejected'")"
ls "$TMP"/docs/doc-0*.txt >"$TMP/good.list"
check_exactly_once "poison" "$TMP/good.list" "$poison"
assert_eq "N good + 1 poison rows" $((N + 1)) "$(doc_count)"
deaths=$(grep -c 'died holding job' "$TMP/planqd.log")
check "at least three worker deaths logged" test "$deaths" -ge 3
check "quarantine logged" grep -q 'quarantining job .* worker crashed on this document 3 times: signal 11' "$TMP/planqd.log"
# resending the poison: answered rejected again, same reason, no new worker death
out=$(timeout 60 "$PLANQ" send --to "$ENDPOINT" --timeout 20 "$poison" 2>&1)
echo "# resend: $(echo "$out" | head -n 1)"
# planqd does not know the bytes' sha256: the resend kills workers again
# until it is quarantined again, and is then answered from the database
echo "# worker deaths: $deaths for the first send, $(( $(grep -c 'died holding job' "$TMP/planqd.log") - deaths )) for the resend"
assert_match "resend of the poison answered rejected" '^rejected document=[0-9]+ reason="worker crashed on this document 3 times' "$out"
assert_eq "resend made no new row" $((N + 1)) "$(doc_count)"
check_healthy "after the poison"
check "planqd stops cleanly" planqd_stop
log_summary 8
finish
