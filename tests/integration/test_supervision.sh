#!/usr/bin/env bash
# Supervision: a worker killed while it holds a document does not lose it
# (another worker stores it exactly once); a document that kills workers 3
# times is stored as rejected with the reason and its bytes; a worker that
# cannot start makes planqd say why and exit non-zero instead of looping.
. "$(dirname "$0")/../lib/common.sh"

setup_db
planqd_start --workers=2
doc="$ROOT/samples/$(ls "$ROOT/samples" | grep '\.txt$' | head -n 1)"
doc2="$ROOT/samples/$(ls "$ROOT/samples" | grep '\.txt$' | sed -n 2p)"

# -- a busy worker is SIGKILLed: the document still lands exactly once
lock_documents
"$PLANQ" send --to "$ENDPOINT" --timeout 60 "$doc" >"$TMP/send1.out" 2>&1 &
send=$!
victim=$(wait_locked_worker_not_in "")
check "a worker is busy on the document" test -n "$victim"
kill -KILL "$victim"
check "the dead worker's session ends" wait_backend_gone "$victim"
next=$(wait_locked_worker_not_in "$victim")
check "another worker took the document" test -n "$next"
unlock_documents
wait "$send"
assert_eq "send exits 0" 0 "$?"
assert_match "client told stored" '^stored document=' "$(cat "$TMP/send1.out")"
assert_eq "stored exactly once" 1 "$(sql "SELECT count(*) FROM documents WHERE source_url = 'file://$doc'")"
assert_eq "one plan" 1 "$(sql 'SELECT count(*) FROM plans')"
check "crash logged" grep -q "died holding job" "$TMP/planqd.log"

# -- killed three times: quarantined as rejected, bytes kept
lock_documents
"$PLANQ" send --to "$ENDPOINT" --timeout 60 "$doc2" >"$TMP/send2.out" 2>&1 &
send=$!
killed=""
for i in 1 2 3; do
	pid=$(wait_locked_worker_not_in "$killed")
	[ -n "$pid" ] || break
	kill -KILL "$pid"
	wait_backend_gone "$pid"
	killed="$killed $pid"
done
# the quarantine job also waits for the lock before it can be recorded
wait_for "[ -n \"\$(wait_locked_worker_not_in '$killed')\" ]" 30
unlock_documents
wait "$send"
assert_eq "poison: send exits 1" 1 "$?"
assert_match "poison: client told why" 'rejected document=[0-9]+ reason="worker crashed on this document 3 times: signal 9"' "$(cat "$TMP/send2.out")"
assert_eq "poison: stored as rejected once" 1 "$(sql "SELECT count(*) FROM documents WHERE source_url = 'file://$doc2' AND outcome = 'rejected' AND reason LIKE 'worker crashed on this document 3 times%'")"
assert_eq "poison: bytes kept" "$(sha256sum "$doc2" | cut -c1-64)" "$(sql "SELECT encode(sha256(raw), 'hex') FROM documents WHERE source_url = 'file://$doc2'")"
check "planqd alive after crashes" kill -0 "$PLANQD_PID"
out=$("$PLANQ" send --to "$ENDPOINT" "$ROOT/samples/"*.txt 2>&1)
assert_match "daemon still stores" 'stored document=' "$out"
check "planqd stops cleanly" planqd_stop

# -- a worker that cannot start: planqd says why and exits non-zero
PORT=$(random_port)
start=$SECONDS
"$PLANQ_BIN/planqd" --listen "tcp://127.0.0.1:$PORT" --workers 2 \
	--db "host=$PGHOST port=$PGPORT user=planq dbname=no_such_db" \
	--runtime-dir "$TMP/run2" >"$TMP/bad.log" 2>&1
rc=$?
check "bad database: planqd exits non-zero" test "$rc" -ne 0
check "bad database: says why" grep -q 'database "no_such_db" does not exist' "$TMP/bad.log"
check "bad database: no respawn loop" test "$(grep -c 'started (pid' "$TMP/bad.log")" -le 4
check "bad database: gave up promptly" test $((SECONDS - start)) -lt 20

psql -X -q -d postgres -c "CREATE DATABASE empty" >/dev/null
"$PLANQ_BIN/planqd" --listen "tcp://127.0.0.1:$PORT" --workers 1 \
	--db "host=$PGHOST port=$PGPORT user=planq dbname=empty" \
	--runtime-dir "$TMP/run3" >"$TMP/nomig.log" 2>&1
check "unmigrated database: exits non-zero" test $? -ne 0
check "unmigrated database: says run migrate" grep -q 'planq db migrate' "$TMP/nomig.log"
finish
