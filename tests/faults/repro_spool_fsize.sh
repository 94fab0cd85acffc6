#!/usr/bin/env bash
# Reproduction (not part of `make test`): planqd under a file-size limit
# (RLIMIT_FSIZE) with the database down.
#  - a record that does not fit is written short: spool_write_record() sees
#    n != want with errno untouched, so clients read "spool write failed
#    (Success)" and the log says "spool: write failed: Success";
#  - planqd does not ignore SIGXFSZ: a write that starts exactly at the limit
#    kills planqd (default action of SIGXFSZ: core dump).
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"
setup_db
make_docs 3 "$TMP/docs" || exit 1
echo "db_retry_seconds = 1" >"$TMP/c.conf"
planqd_start --workers=1 --spool "$TMP/spool" --config "$TMP/c.conf"
pg_stop "$TMP/pg"
"$PLANQ" send --to "$ENDPOINT" --timeout 30 --retries 0 "$TMP/docs/doc-001.txt"
size=$(stat -c %s "$TMP"/spool/*.seg)
prlimit --pid "$PLANQD_PID" --fsize="$size:$size"
echo "# segment is $size bytes; RLIMIT_FSIZE set to $size"
"$PLANQ" send --to "$ENDPOINT" --timeout 10 --retries 0 "$TMP/docs/doc-002.txt"
sleep 1
check "planqd survives a spool write at its file-size limit" kill -0 "$PLANQD_PID"
kill -0 "$PLANQD_PID" 2>/dev/null || { wait "$PLANQD_PID"; echo "# planqd exit status $?"; PLANQD_PID=; }
finish
