#!/usr/bin/env bash
# Scale-out: two planqd instances on one database, as on two hosts (each its
# own runtime dir, spool and workers), and the same documents sent to both at
# once, in the same order, so the two race on every document.  Every distinct
# document is stored once: one client hears "stored", the other "duplicate"
# (a rejected document: "rejected" for both, one row); both clients get the
# same document ids; one current version per plan; the second arrival of
# each document is recorded as a duplicate event.  docs/SCALING.md.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"

N=120
setup_db
make_docs "$N" "$TMP/docs" || exit 1
# exact copies inside the corpus, and documents that are not plans
for i in 001 002 003 004 005; do cp "$TMP/docs/doc-$i.txt" "$TMP/docs/copy-$i.txt"; done
for i in 1 2 3; do
	printf 'お知らせ %d: 本日は休館日です。\n' "$i" >"$TMP/docs/notice-$i.txt"
done
FILES=("$TMP"/docs/*.txt)
NFILES=${#FILES[@]}
DISTINCT=$(sha_list "${FILES[@]}" | sort -u | wc -l)
PLANS=$((N))	# every variant of a sample is a distinct plan

# instance A: the usual helper; instance B: the same daemon, its own dirs
planqd_start --workers=2 --spool "$TMP/spool-a"
A_PID=$PLANQD_PID A_EP=$ENDPOINT
B_PORT=$(random_port)
B_EP=tcp://127.0.0.1:$B_PORT
"$PLANQ_BIN/planqd" --listen "$B_EP" --db "$PLANQ_DB" --workers 2 \
	--runtime-dir "$TMP/run-b" --spool "$TMP/spool-b" >"$TMP/planqd-b.log" 2>&1 &
B_PID=$!
wait_for "[ \$(grep -c 'ready (pid' '$TMP/planqd-b.log') -ge 2 ]" 30 ||
	{ fail "instance B did not become ready"; cat "$TMP/planqd-b.log"; exit 1; }
trap 'kill -KILL $B_PID 2>/dev/null; pkill -KILL -P $B_PID 2>/dev/null; cleanup' EXIT

timeout 180 "$PLANQ" send --to "$A_EP" --concurrency 8 --timeout 60 "${FILES[@]}" \
	>"$TMP/send-a.out" 2>"$TMP/send-a.err" &
sa=$!
timeout 180 "$PLANQ" send --to "$B_EP" --concurrency 8 --timeout 60 "${FILES[@]}" \
	>"$TMP/send-b.out" 2>"$TMP/send-b.err" &
sb=$!
wait $sa; rca=$?
wait $sb; rcb=$?
# exit 1: the notices are rejected (docs/CLIENT.md); nothing failed
assert_eq "client of A exits 1 (rejections), none failed" "1 0" "$rca $(grep -c '^failed ' "$TMP/send-a.out")"
assert_eq "client of B exits 1 (rejections), none failed" "1 0" "$rcb $(grep -c '^failed ' "$TMP/send-b.out")"
echo "# A: $(status_counts "$TMP/send-a.out")"
echo "# B: $(status_counts "$TMP/send-b.out")"

answered() { grep -Ec '^(stored|duplicate|rejected) ' "$1"; }
assert_eq "A answered every file" "$NFILES" "$(answered "$TMP/send-a.out")"
assert_eq "B answered every file" "$NFILES" "$(answered "$TMP/send-b.out")"

assert_eq "one row per distinct document" "$DISTINCT" "$(doc_count)"
assert_eq "no sha256 twice" 0 "$(sql "SELECT count(*) - count(DISTINCT sha256) FROM documents")"
assert_eq "one plan per distinct plan document" "$PLANS" "$(sql "SELECT count(*) FROM plans")"
assert_eq "the notices are rejected, once each" 3 \
	"$(sql "SELECT count(*) FROM documents WHERE outcome = 'rejected'")"

# "stored" is said once per plan document, by whichever instance won
stored_ids() { awk '/^stored / { print $2 }' "$@" | sort; }
assert_eq "stored told once per plan document, over both instances" "$PLANS" \
	"$(stored_ids "$TMP/send-a.out" "$TMP/send-b.out" | uniq | wc -l)"
assert_eq "no document told stored twice" 0 \
	"$(stored_ids "$TMP/send-a.out" "$TMP/send-b.out" | uniq -d | wc -l)"
echo "# stored by A: $(stored_ids "$TMP/send-a.out" | wc -l), by B: $(stored_ids "$TMP/send-b.out" | wc -l)"

# both instances give a file the same document id
ids_by_file() {	# reply lines end with the file name; field 2 is document=ID
	awk '/^(stored|duplicate|rejected) / { print $NF, $2 }' "$1" | sort
}
assert_eq "both instances agree on every document id" "" \
	"$(diff <(ids_by_file "$TMP/send-a.out") <(ids_by_file "$TMP/send-b.out"))"

assert_eq "every arrival after the first is a duplicate event" \
	$((2 * NFILES - DISTINCT)) \
	"$(sql "SELECT count(*) FROM ingest_events WHERE kind = 'duplicate'")"
assert_eq "one current version per (org, year)" 0 \
	"$(sql "SELECT count(*) FROM (SELECT 1 FROM plans WHERE is_current GROUP BY org_name, fiscal_year HAVING count(*) > 1) x")"
assert_eq "nothing left in either spool" "0 0" "$(spool_segs "$TMP/spool-a") $(spool_segs "$TMP/spool-b")"

# one client, both instances: `planq send --to A,B` deals documents round-robin
make_docs 20 "$TMP/rr" rr || exit 1
out=$(timeout 120 "$PLANQ" send --to "$A_EP,$B_EP" --timeout 30 "$TMP"/rr/*.txt 2>&1)
assert_eq "--to A,B: all 20 stored" 20 "$(grep -c '^stored ' <<<"$out")"
na=$(grep -c 'outcome status=stored .*/rr/' "$TMP/planqd.log")
nb=$(grep -c 'outcome status=stored .*/rr/' "$TMP/planqd-b.log")
echo "# --to A,B: A stored $na, B stored $nb"
check "--to A,B: both instances got documents" [ "$na" -gt 0 ] && [ "$nb" -gt 0 ]

check "instance B stops cleanly" kill -TERM "$B_PID"
wait "$B_PID"
assert_eq "instance B exit status" 0 "$?"

# B is down: the same list still works, A gets everything (ZMQ_IMMEDIATE)
make_docs 10 "$TMP/down" down || exit 1
out=$(timeout 120 "$PLANQ" send --to "$A_EP,$B_EP" --timeout 30 "$TMP"/down/*.txt 2>&1)
assert_eq "--to A,B with B down: all 10 stored" 10 "$(grep -c '^stored ' <<<"$out")"
assert_eq "--to A,B with B down: no resends needed" 0 "$(grep -ci 'resent' <<<"$out")"
check "instance A stops cleanly" planqd_stop
finish
