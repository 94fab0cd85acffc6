#!/usr/bin/env bash
# test_notify.sh: planqd's sd_notify() conversation with systemd (notify.c),
# against a fake NOTIFY_SOCKET (tests/tools/notifylisten): READY=1 once the
# workers are up, STATUS= figures, WATCHDOG=1 at half WATCHDOG_USEC,
# RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on SIGTERM; nothing at all
# without NOTIFY_SOCKET.
. "$(dirname "$0")/../lib/common.sh"

NOTIFYLISTEN=$PLANQ_TOOLS/notifylisten
LOG=$TMP/notify.log

setup_db

"$NOTIFYLISTEN" "$TMP/notify.sock" >"$LOG" 2>"$TMP/notifylisten.err" &
LISTEN_PID=$!
wait_for "[ -S '$TMP/notify.sock' ]" 10 || { echo "notifylisten did not start"; exit 1; }

# lines (datagrams) of the log matching a pattern, and the first one's number
count() { grep -c -- "$1" "$LOG" 2>/dev/null || true; }
first_line() { grep -n -- "$1" "$LOG" | head -n 1 | cut -d: -f1; }

export NOTIFY_SOCKET=$TMP/notify.sock WATCHDOG_USEC=2000000
planqd_start --workers=2
unset NOTIFY_SOCKET WATCHDOG_USEC

check "READY=1 arrives" wait_for "grep -q '^READY=1' '$LOG'" 20
ready=$(grep -m1 '^READY=1' "$LOG")
assert_match "READY=1 carries a STATUS with a ready worker" \
	'STATUS=running: workers [12]/2 ready' "$ready"
assert_eq "READY=1 sent once" 1 "$(count '^READY=1')"

# WATCHDOG_USEC=2 s: a keepalive every second while workers are healthy
check "WATCHDOG=1 keeps arriving" wait_for "[ \$(grep -c '^WATCHDOG=1' '$LOG') -ge 3 ]" 30

# STATUS follows the counters: send a document and see "stored 1"
"$PLANQ" send --to "$ENDPOINT" "$ROOT/samples/"*.txt >"$TMP/send.log" 2>&1 || true
check "STATUS reports stored documents" \
	wait_for "grep -q 'STATUS=running: .*stored [1-9]' '$LOG'" 20

# every worker busy (blocked on a lock) but for less than job_timeout:
# that is progress, the keepalives go on
lock_documents
cp "$ROOT/samples/01_kita_r3_table.txt" "$TMP/busy1.txt"
cp "$ROOT/samples/02_minato_h30_markers.txt" "$TMP/busy2.txt"
printf '\n<!-- busy -->\n' >>"$TMP/busy1.txt"
printf '\n<!-- busy -->\n' >>"$TMP/busy2.txt"
# two clients, one after the other, so each document gets its own worker
# (documents waiting together would travel to one worker as a batch)
"$PLANQ" send --to "$ENDPOINT" --timeout 120 "$TMP/busy1.txt" \
	>"$TMP/busy.log" 2>&1 &
busy_send1=$!
wait_for "[ \"\$(sql \"SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'planq-worker%' AND wait_event_type = 'Lock'\")\" = 1 ]" 30
"$PLANQ" send --to "$ENDPOINT" --timeout 120 "$TMP/busy2.txt" \
	>>"$TMP/busy.log" 2>&1 &
SEND_PID=$!
check "both workers busy" wait_for "grep -q 'STATUS=running: workers 2/2 ready, 2 busy' '$LOG'" 30
n=$(count '^WATCHDOG=1')
check "WATCHDOG=1 goes on while workers are busy" \
	wait_for "[ \$(grep -c '^WATCHDOG=1' '$LOG') -ge $((n + 2)) ]" 30
unlock_documents
wait "$SEND_PID"
rc2=$?
wait "$busy_send1"
check "the busy documents are stored" test $? -eq 0 -a "$rc2" -eq 0

# SIGHUP: RELOADING=1 (with MONOTONIC_USEC) then READY=1
kill -HUP "$PLANQD_PID"
check "RELOADING=1 on SIGHUP" wait_for "grep -q '^RELOADING=1' '$LOG'" 20
reloading=$(grep -m1 '^RELOADING=1' "$LOG")
assert_match "RELOADING=1 carries MONOTONIC_USEC" 'MONOTONIC_USEC=[0-9]+' "$reloading"
check "READY=1 again after the reload" \
	wait_for "[ \$(grep -c '^READY=1' '$LOG') -ge 2 ]" 20
r1=$(first_line '^RELOADING=1')
r2=$(grep -n '^READY=1' "$LOG" | sed -n 2p | cut -d: -f1)
check "READY=1 comes after RELOADING=1" test "${r2:-0}" -gt "${r1:-0}"

# SIGTERM: STOPPING=1, then a clean exit
kill -TERM "$PLANQD_PID"
check "STOPPING=1 on SIGTERM" wait_for "grep -q '^STOPPING=1' '$LOG'" 20
wait "$PLANQD_PID"
assert_eq "planqd exits 0 after the drain" 0 "$?"
PLANQD_PID=

# without NOTIFY_SOCKET nothing is sent
before=$(wc -l <"$LOG")
planqd_start --workers=1
kill -HUP "$PLANQD_PID"
wait_for "grep -q 'configuration reloaded' '$TMP/planqd.log'" 20
planqd_stop
assert_eq "no NOTIFY_SOCKET: no datagrams" "$before" "$(wc -l <"$LOG")"

kill -TERM "$LISTEN_PID" 2>/dev/null
wait "$LISTEN_PID" 2>/dev/null
finish
