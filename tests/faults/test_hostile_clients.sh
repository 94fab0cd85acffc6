#!/usr/bin/env bash
# Hostile clients: clients that disconnect before their reply, a client
# flooding malformed messages (2,000, as fast as it can), bodies over
# max_body (--max-body=64K: 100 KB is answered rejected; 1 MB is dropped by
# libzmq's ZMQ_MAXMSGSIZE without a reply), and 10,000 TCP connections opened
# and left idle.  Afterwards planqd still stores a good document and its
# resident memory stayed bounded.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"

FLOOD=$PLANQ_TOOLS/flood
NCONN=10000
ulimit -n 30000 2>/dev/null || ulimit -n "$(ulimit -Hn)"  # planqd inherits it
echo "# open files limit $(ulimit -n)"
setup_db
make_docs 30 "$TMP/docs" || exit 1
planqd_start --workers=2 --max-body=64K
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$PLANQD_PID/status"; }
rss0=$(rss)
echo "# planqd VmRSS at start: ${rss0} kB"

# -- clients gone before their reply: the documents are still stored once
for i in $(seq 1 10); do
	f=$TMP/docs/doc-$(printf %03d "$i").txt
	"$RAWSEND" --no-wait "$ENDPOINT" "{\"v\":1,\"id\":\"gone-$i\",\"source_url\":\"file://$f\"}" "@$f"
done
check "documents of departed clients stored" wait_for "[ \"\$(doc_count)\" -ge 10 ]" 20
out=$("$PLANQ" send --to "$ENDPOINT" --timeout 20 "$TMP"/docs/doc-00[1-9].txt "$TMP/docs/doc-010.txt" 2>&1)
assert_eq "resent by a patient client: all duplicate" 10 "$(echo "$out" | grep -c '^duplicate ')"
assert_eq "departed clients: 10 rows" 10 "$(doc_count)"

# -- a flood of malformed messages: each answered rejected, nothing stored
flood_out=$(timeout 60 "$FLOOD" --drain 10000 "$ENDPOINT" 2000)
echo "# flood: $flood_out"
assert_eq "flood: 2000 malformed messages, 2000 rejections" "sent 2000 replies 2000 rejected 2000 other 0" "$flood_out"
flood_out=$(timeout 60 "$FLOOD" --drain 10000 "$ENDPOINT" 2000)
assert_eq "second flood answered too" "sent 2000 replies 2000 rejected 2000 other 0" "$flood_out"
assert_eq "flood stored nothing" 10 "$(doc_count)"

# -- oversize bodies
out=$("$RAWSEND" --timeout 10000 "$ENDPOINT" '{"v":1,"id":"big100k"}' %102400)
assert_match "100 KB body answered rejected (max_body)" '"status":"rejected".*over the limit of 65536 bytes \(max_body\)' "$out"
"$RAWSEND" --timeout 3000 "$ENDPOINT" '{"v":1,"id":"big1m"}' %1048576 >"$TMP/big.out" 2>&1
assert_eq "1 MB body: connection dropped by libzmq, no reply (exit 3)" 3 "$?"
assert_eq "oversize stored nothing" 10 "$(doc_count)"

# -- 10,000 idle TCP connections (no ZMTP greeting)
python3 "$ROOT/tests/faults/idle_conns.py" 127.0.0.1 "$PORT" "$NCONN" 60 "$TMP/conns.ready" &
conns=$!
check "idle connections opened" wait_for "[ -f '$TMP/conns.ready' ]" 60
echo "# idle connections: $(cat "$TMP/conns.ready" 2>/dev/null)"
opened=$(awk '{print $2}' "$TMP/conns.ready" 2>/dev/null)
check "at least 9000 idle connections open" test "${opened:-0}" -ge 9000
echo "# planqd open fds with the idle connections: $(ls /proc/$PLANQD_PID/fd | wc -l)"
f=$TMP/docs/doc-011.txt
out=$(timeout 60 "$PLANQ" send --to "$ENDPOINT" --timeout 20 "$f" 2>&1)
assert_match "a document stored while 10,000 connections sit idle" '^stored document=' "$out"
rss1=$(rss)
echo "# planqd VmRSS with the idle connections: ${rss1} kB"
touch "$TMP/conns.ready.done"
check "idle connections closed" wait_pid "$conns" 30
check "planqd lets go of them" wait_for "[ \$(ls /proc/$PLANQD_PID/fd | wc -l) -lt 1000 ]" 30

# -- afterwards
out=$(timeout 60 "$PLANQ" send --to "$ENDPOINT" --concurrency 8 --timeout 20 "$TMP"/docs/doc-0{12..30}.txt 2>&1)
assert_eq "the rest stored afterwards" 19 "$(echo "$out" | grep -c '^stored ')"
ls "$TMP"/docs/*.txt >"$TMP/all.list"
check_exactly_once "hostile" "$TMP/all.list"
check_healthy "after the hostile clients"
rss2=$(rss)
echo "# planqd VmRSS at the end: ${rss2} kB"
check "planqd VmRSS stayed under 200 MB" test "$rss1" -lt 204800 -a "$rss2" -lt 204800
check "planqd stops cleanly" planqd_stop
log_summary 8
finish
