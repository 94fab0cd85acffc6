#!/usr/bin/env bash
# A slow database is an outage, not a poison document.  With job_timeout = 3
# a session holds an exclusive lock on plans for longer than 3 × job_timeout:
#   1. the lock (20 s) outlasts job_timeout but not db_timeout: the workers wait on
#      their commit (no SIGKILL, no crash counted) and every plan ends
#      stored, none rejected;
#   2. the lock outlasts db_timeout too: the workers cancel their statement
#      (statement_timeout), answer retry, planqd spools; when the lock goes
#      every document is stored exactly once, none rejected;
#   3. the worker's backend and the postmaster are frozen (SIGSTOP: a server
#      gone silent on the network, which neither statement_timeout nor the
#      worker's own cancel request can end): planqd kills the worker after
#      2 × (db_timeout + db_retry_seconds) + 10 s, blames no document, and
#      another worker stores it.
# Parsing is still bounded by job_timeout: test_poison and test_supervision
# cover deaths while parsing.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"

# holds ACCESS EXCLUSIVE on plans from a psql session for $1 seconds
lock_plans_for() {
	psql -X -q -c "BEGIN; LOCK TABLE plans IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep($1); COMMIT;" \
		>/dev/null 2>&1 &
	LOCKER=$!
	wait_for "[ \"\$(sql \"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'plans' AND l.mode = 'AccessExclusiveLock' AND l.granted\")\" = 1 ]" 10
}

setup_db
make_docs 6 "$TMP/docs" || exit 1

# ---- 1: the lock outlasts 3 × job_timeout, the workers wait ------------------
printf 'job_timeout = 3\ndb_timeout = 60\n' >"$TMP/planqd.conf"
planqd_start --workers=2 --config "$TMP/planqd.conf"
# one document alone (the case that was rejected), then two together
lock_plans_for 20
timeout 120 "$PLANQ" send --to "$ENDPOINT" --timeout 60 \
	"$TMP"/docs/doc-001.txt >"$TMP/send1.out" 2>"$TMP/send1.err"
rc=$?
wait "$LOCKER"
lock_plans_for 10
timeout 120 "$PLANQ" send --to "$ENDPOINT" --concurrency 2 --timeout 60 \
	"$TMP"/docs/doc-00[2-3].txt >>"$TMP/send1.out" 2>>"$TMP/send1.err"
rc=$((rc + $?))
wait "$LOCKER"
echo "# client: $(status_counts "$TMP/send1.out")"
assert_eq "locks of 20 s and 10 s, job_timeout 3: send exits 0" 0 "$rc"
assert_eq "every plan answered stored" 3 "$(grep -c '^stored ' "$TMP/send1.out")"
assert_eq "none rejected" 0 "$(sql "SELECT count(*) FROM documents WHERE outcome = 'rejected'")"
check "no worker was killed" sh -c "! grep -q 'killing it\|died holding' '$TMP/planqd.log'"
check "no quarantine" sh -c "! grep -q quarantin '$TMP/planqd.log'"
check "planqd stops cleanly" planqd_stop

# ---- 2: the lock outlasts db_timeout: cancel, retry, spool, replay ------------
printf 'job_timeout = 3\ndb_timeout = 2\ndb_retry_seconds = 1\n' >"$TMP/planqd.conf"
planqd_start --workers=2 --config "$TMP/planqd.conf" --spool "$TMP/spool"
lock_plans_for 15
send_expect 0 "lock of 15 s, db_timeout 2: send exits 0" "$TMP/send2.out" 120 \
	--concurrency 3 --timeout 60 "$TMP"/docs/doc-00[4-6].txt
assert_eq "none answered rejected or failed" 0 "$(grep -Ec '^(rejected|failed) ' "$TMP/send2.out")"
check "the statements were cancelled, not the workers killed" \
	grep -q 'statement timeout' "$TMP/planqd.log"
check "no worker was killed" sh -c "! grep -q 'killing it\|died holding' '$TMP/planqd.log'"
wait "$LOCKER"
check "the spool drains once the lock is gone" \
	wait_for "[ \$(spool_segs '$TMP/spool') -eq 0 ] && [ \"\$(doc_count)\" -ge 6 ]" 60
ls "$TMP"/docs/doc-00*.txt >"$TMP/all.list"
check_exactly_once "slow database" "$TMP/all.list"
assert_eq "all six stored, none rejected" "6 0" \
	"$(sql "SELECT count(*) FILTER (WHERE outcome = 'stored') || ' ' || count(*) FILTER (WHERE outcome = 'rejected') FROM documents")"
check_healthy "after the slow database"
check "planqd stops cleanly" planqd_stop

# ---- 3: a backend that never answers ------------------------------------------
printf 'job_timeout = 3\ndb_timeout = 1\ndb_retry_seconds = 0\nmax_crashes = 1\n' >"$TMP/planqd.conf"
metrics_addr=127.0.0.1:$(random_port)
planqd_start --workers=2 --config "$TMP/planqd.conf" --metrics "$metrics_addr"
{ cat "$TMP/docs/doc-001.txt"; printf '\n<!-- frozen backend -->\n'; } >"$TMP/frozen.txt"
lock_plans_for 8
timeout 120 "$PLANQ" send --to "$ENDPOINT" --timeout 90 --retries 5 "$TMP/frozen.txt" \
	>"$TMP/send3.out" 2>"$TMP/send3.err" &
sender=$!
backend=
wait_for "[ -n \"\$(sql \"SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'planq-worker%' AND wait_event_type = 'Lock'\")\" ]" 20
backend=$(sql "SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'planq-worker%' AND wait_event_type = 'Lock' LIMIT 1")
check "a worker's backend waits on the lock" test -n "$backend"
postmaster=$(head -n 1 "$TMP/pg/data/postmaster.pid")
# the postmaster too: a frozen backend alone would let the worker's cancel
# request and a new session through (the worker gives up on the frozen
# session by itself, and the lock it waits for stays taken)
kill -STOP "$backend" "$postmaster"
check "planqd kills the worker that waits past its bounds" \
	wait_for "grep -q 'waited .* for the database on job' '$TMP/planqd.log'" 40
# the server comes back: the frozen backend finds its client gone and ends
kill -CONT "$postmaster" "$backend" 2>/dev/null
check "sender finishes" wait_pid "$sender" 60
assert_match "the document is stored after all" '^stored document=' "$(cat "$TMP/send3.out")"
assert_eq "stored once, not rejected" "1 stored" \
	"$(sql "SELECT count(*) || ' ' || min(outcome) FROM documents WHERE source_url = 'file://$TMP/frozen.txt'")"
metrics=$(curl -s "http://$metrics_addr/metrics")
assert_match "counted as a database stall" 'planq_worker_db_stalls_total 1' "$metrics"
assert_match "not as a crash" 'planq_worker_crashes_total 0' "$metrics"
check "planqd stops cleanly" planqd_stop
log_summary
finish
