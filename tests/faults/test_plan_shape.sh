#!/usr/bin/env bash
# A parsed plan that no rows can hold, mixed into good documents.  The
# parser never makes one; the testhooks build (make BUILD=testhooks) makes a
# body containing PLANQ-TEST-BAD-SHAPE parse into a plan whose issues are
# not a list.  rows/plan_rows.c refuses it; the document is answered
# rejected with the reason naming issues[], stored once as rejected with its
# bytes (a later parser can reparse it), and every good document is stored,
# those sent in the same batches included.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"

N=30
bad=$TMP/docs/doc-bad.txt
reason='the parsed plan cannot be stored: issues[]: not a list'
hooks_start "$N" PLANQ-TEST-BAD-SHAPE "$bad" --workers=1 -v
mapfile -t files < <(ls "$TMP"/docs/doc-0*.txt)
files=("${files[@]:0:15}" "$bad" "${files[@]:15}")
send_expect 1 "send exits 1 (one rejection)" "$TMP/send.out" 120 \
	--concurrency 8 --timeout 30 "${files[@]}"
assert_eq "the plan answered rejected with the reason" \
	"rejected reason=\"$reason\" $bad" \
	"$(grep "$bad" "$TMP/send.out" | sed 's/ document=[0-9]*//')"
assert_eq "every good document stored" "$N" "$(grep -c '^stored ' "$TMP/send.out")"
assert_eq "stored once, as rejected with the reason and its bytes" \
	"1|$(sha256sum "$bad" | cut -c1-64)" \
	"$(sql "SELECT count(*) || '|' || min(encode(sha256, 'hex')) FROM documents
	        WHERE outcome = 'rejected' AND reason = '$reason'")"
assert_eq "no plan row for it" 0 \
	"$(sql "SELECT count(*) FROM plans p JOIN documents d ON d.id = p.document_id WHERE d.outcome = 'rejected'")"
assert_eq "a plan for every good document" "$N" "$(sql "SELECT count(*) FROM plans")"
check "the worker said why" grep -q "the parsed plan cannot be stored: issues\[\]: not a list" "$TMP/planqd.log"
check "planqd stops cleanly" planqd_stop
finish
