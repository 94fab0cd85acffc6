#!/usr/bin/env bash
# PostgreSQL restarted repeatedly during a run: four fast restarts about 2 s
# apart, then one SIGKILL of the postmaster followed by a start.  planqd runs
# with --spool and db_retry_seconds = 1.  Every document is acknowledged (stored, duplicate or
# spooled) and all N end up in the database exactly once.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"

N=80
setup_db
make_docs "$N" "$TMP/docs" || exit 1
# workers give up on the database after 1 s (default 5 s), so that even
# these short outages send documents to the spool, not only to retries
echo "db_retry_seconds = 1" >"$TMP/planqd.conf"
planqd_start --workers=2 --spool "$TMP/spool" --config "$TMP/planqd.conf"

paced_send "$TMP/send.out" 2 0.2 "$TMP"/docs/*.txt &
sender=$!
check "run under way" wait_for "[ \"\$(doc_count)\" -ge 5 ]" 30
for i in 1 2 3 4; do
	sleep 2
	pg_stop "$TMP/pg"
	check "restart $i: PostgreSQL starts" pg_start_retry "$TMP/pg"
done
sleep 2
pg_kill "$TMP/pg"
sleep 1
check "after SIGKILL: PostgreSQL starts" pg_start_retry "$TMP/pg"
check "sender finishes" wait_pid "$sender" 150
check "spool replayed" wait_for "[ \$(spool_segs '$TMP/spool') -eq 0 ] || [ \"\$(doc_count)\" -ge $N ]" 60
sleep 1

echo "# client: $(status_counts "$TMP/send.out")"
check_all_stored_once "db restarts" "$TMP/send.out" "$N"
assert_eq "spool directory empty" 0 "$(spool_segs "$TMP/spool")"
check_healthy "after the restarts"
check "planqd stops cleanly" planqd_stop
log_summary
finish
