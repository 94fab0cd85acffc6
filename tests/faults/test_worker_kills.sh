#!/usr/bin/env bash
# Workers SIGKILLed at random (pgrep -P planqd) several times during a run of
# 100 documents sent with concurrency 8: a document a dead worker held goes
# to another worker; all 100 are stored exactly once, every client line is
# stored/duplicate, and planqd keeps its pool full.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"

N=100
KILLS=8
setup_db
make_docs "$N" "$TMP/docs" || exit 1
planqd_start --workers=4

paced_send "$TMP/send.out" 8 0.15 "$TMP"/docs/*.txt &
sender=$!
killed=0
check "run under way" wait_for "[ \"\$(doc_count)\" -ge 4 ]" 30
for ((k = 0; k < KILLS; k++)); do
	mapfile -t pids < <(pgrep -P "$PLANQD_PID" -f planq-worker)
	if [ ${#pids[@]} -gt 0 ]; then
		kill -KILL "${pids[$((RANDOM % ${#pids[@]}))]}" && killed=$((killed + 1))
	fi
	sleep "0.$((2 + RANDOM % 4))"
done
check "sender finishes" wait_pid "$sender" 120
echo "# killed $killed workers; planqd saw $(grep -c 'died holding job' "$TMP/planqd.log") die holding a document, $(grep -c 'exited (signal 9)' "$TMP/planqd.log") idle"
echo "# client: $(status_counts "$TMP/send.out")"
check "workers were killed" test "$killed" -ge $((KILLS - 1))
check_all_stored_once "worker kills" "$TMP/send.out" "$N"
assert_eq "one plan per document" "$N" "$(sql "SELECT count(*) FROM plans")"
check "pool back to 4 workers" wait_for "[ \$(worker_pids | wc -l) -eq 4 ]" 10
check_healthy "after the kills"
check "planqd stops cleanly" planqd_stop
log_summary 8
finish
