#!/usr/bin/env bash
# planqd SIGKILLed and restarted with the same --spool directory and endpoint.
#  (a) while the database is down, with spooled records on disk: the new
#      planqd replays them once the database is back;
#  (b) in the middle of a normal run: `planq send` (Lazy Pirate, --timeout 5
#      --retries 6) finishes against the restarted daemon; every acknowledged
#      document is in the database once, and nothing that was never
#      acknowledged is reported as stored.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"

setup_db

kill_planqd() {
	local pids
	pids=$(worker_pids | tr '\n' ' ')
	kill -KILL "$PLANQD_PID"
	wait "$PLANQD_PID" 2>/dev/null
	# the workers get SIGTERM (PR_SET_PDEATHSIG), finish and leave
	wait_for "! ps -p '${pids// /,}' >/dev/null" 20
}

# ---- (a) SIGKILL while the database is down and the spool holds records
NA=30
make_docs "$NA" "$TMP/docsA" A || exit 1
planqd_start --workers=2 --spool "$TMP/spool"
"$PLANQ" send --to "$ENDPOINT" --timeout 30 "$TMP"/docsA/doc-00[1-5].txt >"$TMP/a1.out" 2>&1
assert_eq "(a) first five stored" 5 "$(grep -c '^stored ' "$TMP/a1.out")"
pg_stop "$TMP/pg"
timeout 120 "$PLANQ" send --to "$ENDPOINT" --timeout 30 --concurrency 4 \
	$(ls "$TMP"/docsA/*.txt | tail -n +6) >"$TMP/a2.out" 2>&1
echo "# (a) while down: $(status_counts "$TMP/a2.out")"
assert_eq "(a) the rest spooled" $((NA - 5)) "$(grep -c '^spooled ' "$TMP/a2.out")"
check "(a) spool holds records" test "$(spool_segs "$TMP/spool")" -ge 1
kill_planqd
echo "# (a) planqd SIGKILLed; spool: $(ls -l "$TMP/spool" | tail -n +2 | awk '{print $5, $9}' | tr '\n' ' ')"

# restarted while the database is still down: it must stay up and wait
: >"$TMP/planqd.log"
planqd_restart --workers 2 --spool "$TMP/spool"
sleep 4
check "(a) restarted planqd stays up while the database is down" kill -0 "$PLANQD_PID"
check "(a) restart found the spooled records" grep -q "documents (.* bytes) from an earlier run will be replayed" "$TMP/planqd.log"
check "PostgreSQL starts again" pg_start "$TMP/pg"
if ! kill -0 "$PLANQD_PID" 2>/dev/null; then
	echo "# (a) planqd exited while the database was down (see log); starting it again"
	sed 's/^/#   | /' "$TMP/planqd.log" | grep -v 'status=' | tail -n 12
	: >"$TMP/planqd.log"
	planqd_start --workers=2 --spool "$TMP/spool" >/dev/null
	# planqd_start picks a new port; the spool is what matters here
fi
check "(a) replayed after restart" wait_for "[ \"\$(doc_count)\" -ge $NA ]" 60
wait_for "[ \$(spool_segs '$TMP/spool') -eq 0 ]" 10
acked "$TMP/a1.out" "$TMP/a2.out" >"$TMP/a.list"
check_exactly_once "(a)" "$TMP/a.list"
assert_eq "(a) exactly $NA rows" "$NA" "$(doc_count)"
assert_eq "(a) spool directory empty" 0 "$(spool_segs "$TMP/spool")"
check_healthy "(a) after restart"
log_summary 8
check "(a) planqd stops cleanly" planqd_stop

# ---- (b) SIGKILL during a normal run
NB=60
make_docs "$NB" "$TMP/docsB" B || exit 1
: >"$TMP/planqd.log"
planqd_start --workers=2 --spool "$TMP/spool"
rows0=$(doc_count)
SEND_ARGS=(--timeout 5 --retries 6)
paced_send "$TMP/b.out" 4 0.2 "$TMP"/docsB/*.txt &
sender=$!
check "(b) run under way" wait_for "[ \"\$(doc_count)\" -ge $((rows0 + 12)) ]" 30
# hold the workers inside their transactions so that documents are in
# flight (committed later, never answered) when planqd dies
lock_documents
check "(b) a worker is busy" test -n "$(wait_locked_worker_not_in "")"
old_workers=$(worker_pids | tr '\n' ',')
kill -KILL "$PLANQD_PID"
wait "$PLANQD_PID" 2>/dev/null
before=$(acked "$TMP/b.out" | wc -l)
echo "# (b) planqd SIGKILLed after $before acknowledgements"
sleep 1
planqd_restart --workers 2 --spool "$TMP/spool"
sleep 1
unlock_documents
check "(b) the old workers finish and exit" wait_for "! ps -p '${old_workers%,}' >/dev/null" 20
check "(b) sender finishes against the restarted planqd" wait_pid "$sender" 90
wait_for "[ \$(spool_segs '$TMP/spool') -eq 0 ]" 20
echo "# (b) client: $(status_counts "$TMP/b.out")"
assert_eq "(b) no document failed or rejected" 0 "$(grep -Ec '^(failed|rejected) ' "$TMP/b.out")"
assert_eq "(b) every document acknowledged" "$NB" "$(acked "$TMP/b.out" | wc -l)"
# every "stored"/"duplicate" line names a document that is in the database
grep -E '^(stored|duplicate) ' "$TMP/b.out" | awk '{print $NF}' | sort -u >"$TMP/b.stored"
mapfile -t stored_files <"$TMP/b.stored"
missing=$(comm -23 <(sha_list "${stored_files[@]}") <(db_shas) | wc -l)
assert_eq "(b) nothing reported stored that is not in the database" 0 "$missing"
cat "$TMP/a.list" <(acked "$TMP/b.out") >"$TMP/all.list"
# documents committed by a worker but never answered may be in the table
check_exactly_once "(b)" "$TMP/all.list" "$TMP"/docsB/*.txt
assert_eq "(b) exactly $((NA + NB)) rows (+ health checks)" $((NA + NB + $(healthy_count))) "$(doc_count)"
check_healthy "(b) after restart"
check "(b) planqd stops cleanly" planqd_stop
log_summary 8
finish
