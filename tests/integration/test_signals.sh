#!/usr/bin/env bash
# Signals: SIGTERM stops reading, answers everything queued and in flight,
# stops the workers and exits 0; SIGHUP re-reads the config file (worker
# count, log level) without dropping anything.
. "$(dirname "$0")/../lib/common.sh"

setup_db

# -- SIGTERM drain with documents in flight and queued (one per worker,
#    so that the rest wait in planqd's queue)
planqd_start --workers=2 --batch-max=1
lock_documents
"$PLANQ" send --to "$ENDPOINT" --timeout 60 --concurrency 5 "$ROOT"/samples/*.txt \
	>"$TMP/drain.out" 2>&1 &
send=$!
check "both workers busy, the rest queued" wait_for "[ \$(sql \"SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'planq-worker%' AND wait_event_type = 'Lock'\") -ge 2 ]" 20
kill -TERM "$PLANQD_PID"
sleep 0.5
check "planqd still draining while work is in flight" kill -0 "$PLANQD_PID"
unlock_documents
wait "$PLANQD_PID"
assert_eq "planqd exits 0 after drain" 0 "$?"
PLANQD_PID=
wait "$send"
assert_eq "every sent document answered and stored" 0 "$?"
n=$(ls "$ROOT"/samples/*.txt | wc -l)
assert_eq "all stored" "$n" "$(grep -c '^stored ' "$TMP/drain.out")"
assert_eq "rows for all" "$n" "$(sql 'SELECT count(*) FROM documents')"
check "no worker left behind" test -z "$(pgrep -f "planq-worker --broker ipc://$TMP/run/" || true)"

# -- SIGHUP: worker count and log level from the config file
cat >"$TMP/planqd.conf" <<CONF
# test configuration
listen = tcp://127.0.0.1:$(random_port)
db = $PLANQ_DB
workers = 1
log_level = info
runtime_dir = $TMP/run
CONF
: >"$TMP/planqd.log"
"$PLANQ_BIN/planqd" --config "$TMP/planqd.conf" >>"$TMP/planqd.log" 2>&1 &
PLANQD_PID=$!
wait_for "[ \$(ready_workers) -ge 1 ]" 20
assert_eq "one worker from the file" 1 "$(worker_pids | wc -l)"
sed -i 's/^workers = 1/workers = 3/; s/^log_level = info/log_level = debug/' "$TMP/planqd.conf"
kill -HUP "$PLANQD_PID"
wait_for "[ \$(worker_pids | wc -l) -eq 3 ] && [ \$(ready_workers) -ge 3 ]" 20
assert_eq "three workers after SIGHUP" 3 "$(worker_pids | wc -l)"
check "reload logged" grep -q 'configuration reloaded' "$TMP/planqd.log"
ENDPOINT=$(sed -n 's/^listen = //p' "$TMP/planqd.conf")
"$PLANQ" send --to "$ENDPOINT" "$ROOT"/samples/*.txt >/dev/null 2>&1
check "debug level now on" grep -q '<7>planqd: job' "$TMP/planqd.log"
sed -i 's/^workers = 3/workers = 1/' "$TMP/planqd.conf"
kill -HUP "$PLANQD_PID"
wait_for "[ \$(worker_pids | wc -l) -eq 1 ]" 20
assert_eq "back to one worker" 1 "$(worker_pids | wc -l)"
echo "workers = many" >>"$TMP/planqd.conf"
kill -HUP "$PLANQD_PID"
wait_for "grep -q 'reload failed' '$TMP/planqd.log'" 10
check "bad reload keeps running config" kill -0 "$PLANQD_PID"
check "planqd stops cleanly" planqd_stop
finish
