#!/usr/bin/env bash
# Reproduction (not part of `make test`): planqd with --spool exits when a
# worker has to start while the database is down, instead of spooling.
#   1. planqd started (or restarted after a crash) while PostgreSQL is down
#   2. a worker killed and respawned during an outage
# Expected: planqd stays up, answers "spooled", replays when the database is
# back.  Seen: the worker reports FATAL "cannot use the database" and exits
# 78, planqd logs "worker wN.M cannot work: …" and stops (exit 1).
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"
setup_db
# 1
pg_stop "$TMP/pg"
PORT=$(random_port); ENDPOINT=tcp://127.0.0.1:$PORT
planqd_restart --workers 2 --spool "$TMP/spool"
sleep 3
check "1: planqd started while the database is down stays up" kill -0 "$PLANQD_PID"
grep -E 'cannot work|cannot start|stopped' "$TMP/planqd.log" | sed 's/^/#   | /'
kill -KILL "$PLANQD_PID" 2>/dev/null; wait "$PLANQD_PID" 2>/dev/null
# 2
pg_start "$TMP/pg"
planqd_start --workers=2 --spool "$TMP/spool"
pg_stop "$TMP/pg"
kill -KILL "$(worker_pids | head -n 1)"
sleep 3
check "2: planqd stays up when a worker is respawned during an outage" kill -0 "$PLANQD_PID"
grep -E 'cannot work|cannot start|stopped' "$TMP/planqd.log" | sed 's/^/#   | /'
finish
