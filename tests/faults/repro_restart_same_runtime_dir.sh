#!/usr/bin/env bash
# Reproduction (not part of `make test`): planqd SIGKILLed while workers are
# inside a transaction, restarted at once with the same --runtime-dir (as
# systemd does with RuntimeDirectory=).  The old workers (PR_SET_PDEATHSIG:
# SIGTERM, "finish the document in hand") reconnect their DEALER to the new
# planqd's ipc://RUNDIR/workers.sock under the SAME routing ids w0.1/w1.1 the
# new workers use.  The new planqd logs "worker w0.1 sent a reply for job N
# it does not hold", the new workers' READY is lost (ROUTER refuses a second
# peer with a taken routing id), no worker ever becomes ready, and every
# document waits forever (no READY timeout).
# Expected: the restarted planqd stores documents.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"
setup_db
make_docs 4 "$TMP/docs" || exit 1
planqd_start --workers=2
lock_documents
timeout 20 "$PLANQ" send --to "$ENDPOINT" --timeout 30 --retries 0 "$TMP"/docs/doc-00[12].txt >/dev/null 2>&1 &
wait_for "[ \$(sql \"SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'planq-worker%' AND wait_event_type = 'Lock'\") -ge 2 ]" 20
kill -KILL "$PLANQD_PID"; wait "$PLANQD_PID" 2>/dev/null
planqd_restart --workers 2
sleep 1
unlock_documents
sleep 3
echo "# ready lines after the restart: $(grep -c 'ready (pid' "$TMP/planqd.log") (2 are the first planqd's)"
grep -E 'does not hold|exited' "$TMP/planqd.log" | sed 's/^/#   | /'
out=$(timeout 30 "$PLANQ" send --to "$ENDPOINT" --timeout 10 --retries 1 "$TMP"/docs/doc-003.txt 2>&1)
assert_match "restarted planqd stores a document" '^stored ' "$out"
finish
