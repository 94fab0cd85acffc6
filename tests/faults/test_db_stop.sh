#!/usr/bin/env bash
# PostgreSQL stopped in the middle of a run and started again 10 s later.
# planqd runs with --spool: while the database is down every document is
# answered "spooled" (fsync'ed to the spool), and once the database is back
# the spool is replayed.  Every document sent is acknowledged, and all N are
# in the database exactly once, with no extra row.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"

N=60
setup_db
make_docs "$N" "$TMP/docs" || exit 1
planqd_start --workers=2 --spool "$TMP/spool"

paced_send "$TMP/send.out" 3 0.25 "$TMP"/docs/*.txt &
sender=$!
check "some documents stored before the stop" wait_for "[ \"\$(doc_count)\" -ge 12 ]" 30
pg_stop "$TMP/pg"
echo "# PostgreSQL stopped with $(grep -c '^stored ' "$TMP/send.out") stored"
sleep 10
check "PostgreSQL starts again" pg_start "$TMP/pg"
check "sender finishes" wait_pid "$sender" 150
check "spool replayed" wait_for "[ \$(spool_segs '$TMP/spool') -eq 0 ] || [ \"\$(doc_count)\" -ge $N ]" 60
sleep 1	# a replay in flight when the count is reached

echo "# client: $(status_counts "$TMP/send.out")"
check "some documents were spooled" grep -q '^spooled ' "$TMP/send.out"
check_all_stored_once "db stop" "$TMP/send.out" "$N"
check "outage logged" grep -q 'database unavailable' "$TMP/planqd.log"
check "replay logged" grep -q 'every spooled document has been replayed' "$TMP/planqd.log"
# the workers' retry answers of the outage, recorded once it is over
# (workers/events.c), and counted by the ingest_outcomes report
check "retry answers recorded in ingest_events" \
	wait_for "[ \"\$(sql \"SELECT count(*) FROM ingest_events WHERE kind = 'retry'\")\" -ge 1 ]" 30
assert_eq "ingest_outcomes counts them" \
	"$(sql "SELECT count(*) FROM ingest_events WHERE kind = 'retry'")" \
	"$(sql "SELECT sum(retry) FROM ingest_outcomes")"
assert_match "with the outage's reason" 'database unavailable' \
	"$(sql "SELECT reason FROM ingest_events WHERE kind = 'retry' LIMIT 1")"
assert_eq "spool directory empty" 0 "$(spool_segs "$TMP/spool")"
check_healthy "after the outage"
check "planqd stops cleanly" planqd_stop
log_summary
finish
