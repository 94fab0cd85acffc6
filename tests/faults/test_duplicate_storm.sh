#!/usr/bin/env bash
# The same 100 documents sent by 4 `planq send` clients at once (concurrency
# 8 each): every document is stored exactly once, every client sees only
# stored or duplicate, each document is "stored" for exactly one client, and
# the table has 100 rows.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"

N=100
C=4
setup_db
make_docs "$N" "$TMP/docs" || exit 1
planqd_start --workers=4

pids=()
for ((c = 1; c <= C; c++)); do
	timeout 120 "$PLANQ" send --to "$ENDPOINT" --concurrency 8 --timeout 30 \
		"$TMP"/docs/*.txt >"$TMP/send$c.out" 2>"$TMP/send$c.err" &
	pids+=($!)
done
for ((c = 1; c <= C; c++)); do
	wait "${pids[$((c - 1))]}"
	assert_eq "client $c exits 0" 0 "$?"
	echo "# client $c: $(status_counts "$TMP/send$c.out")"
	assert_eq "client $c: only stored/duplicate, one per document" "$N" \
		"$(grep -Ec '^(stored|duplicate) document=[0-9]+ plan=[0-9]+ ' "$TMP/send$c.out")"
	assert_eq "client $c: every document answered" "$N" "$(acked "$TMP/send$c.out" | wc -l)"
done
assert_eq "each document told stored to exactly one client" "$N" \
	"$(cat "$TMP"/send[0-9].out | awk '/^stored / { print $NF }' | sort | uniq -c | awk '$1 == 1' | wc -l)"
assert_eq "stored + duplicate lines" $((N * C)) \
	"$(cat "$TMP"/send[0-9].out | grep -Ec '^(stored|duplicate) ')"
# all clients agree on the ids of each document
assert_eq "same document id for a path in every client" "$N" \
	"$(cat "$TMP"/send[0-9].out | awk '/^(stored|duplicate) / { print $NF, $2, $3 }' | sort -u | wc -l)"
acked "$TMP"/send[0-9].out >"$TMP/acked.list"
check_exactly_once "storm" "$TMP/acked.list"
assert_eq "100 rows" "$N" "$(doc_count)"
assert_eq "100 plans" "$N" "$(sql "SELECT count(*) FROM plans")"
check_healthy "after the storm"
check "planqd stops cleanly" planqd_stop
log_summary 6
finish
