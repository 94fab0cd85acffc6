#!/usr/bin/env bash
# A server that is no longer a writable primary is an outage, not a bad
# document.  One PostgreSQL, planqd with db_timeout = 1, db_retry_seconds = 1:
#   1. fenced read-only (default_transaction_read_only = on, what an operator
#      sets on an old primary during a switchover; a standby answers the
#      same SQLSTATE 25006): without a spool the client hears `retry` with
#      "database unavailable", never "refused"; the workers drop their
#      sessions (so libpq looks for the primary among the DSN's hosts again);
#      with a spool every document is spooled; once the fence is lifted the
#      spool drains and each document is stored exactly once;
#   2. commits that wait for a synchronous standby that is not there
#      (synchronous_standby_names names one that never connects: the state of
#      a promoted standby that kept its old primary's setting).  The server's
#      statement_timeout does not bound a commit; the worker cancels after
#      db_timeout + 1 s, takes the answer for unconfirmed and spools the
#      documents: none rejected, no worker killed.  When the operator clears
#      the setting, the spool drains, exactly once.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"

worker_backends() {
	sql "SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'planq-worker%' ORDER BY pid"
}
# set_server NAME VALUE|DEFAULT: ALTER SYSTEM and reload, until new sessions see it
set_server() {
	if [ "$2" = DEFAULT ]; then
		sql "ALTER SYSTEM RESET $1"
	else
		sql "ALTER SYSTEM SET $1 = '$2'"
	fi
	sql "SELECT pg_reload_conf()" >/dev/null
	local want=$2
	[ "$want" = DEFAULT ] && want=$(sql "SELECT boot_val FROM pg_settings WHERE name = '$1'")
	wait_for "[ \"\$(sql 'SHOW $1')\" = '$want' ]" 10
}
rejected_rows() { sql "SELECT count(*) FROM documents WHERE outcome = 'rejected'"; }

setup_db
make_docs 14 "$TMP/docs" || exit 1
printf 'db_timeout = 1\ndb_retry_seconds = 1\n' >"$TMP/planqd.conf"

# ---- 1a: fenced, no spool: retry, database unavailable --------------------------
planqd_start --workers=2 --config "$TMP/planqd.conf"
timeout 60 "$PLANQ" send --to "$ENDPOINT" --timeout 30 "$TMP"/docs/doc-001.txt \
	>"$TMP/send0.out" 2>&1
before=$(worker_backends)
set_server default_transaction_read_only on
timeout 60 "$PLANQ" send --to "$ENDPOINT" --concurrency 2 --timeout 30 --retries 0 \
	"$TMP"/docs/doc-00[2-3].txt >"$TMP/send1.out" 2>"$TMP/send1.err"
cat "$TMP/send1.out"
# --retries 0: the retry reply is printed as "failed … still retry …"
assert_eq "fenced, no spool: both answered retry" 2 "$(grep -c '^failed reason="still retry' "$TMP/send1.out")"
assert_eq "the reason is an unavailable database, read-only" 2 \
	"$(grep -c 'database unavailable (.*read-only' "$TMP/send1.out")"
assert_eq "no document called refused by the database" "" \
	"$(grep -h 'refused the' "$TMP/send1.out" "$TMP/planqd.log")"
after=$(worker_backends)
echo "# worker backends before the fence: $(echo $before); after: $(echo $after)"
check "the worker that met the read-only server dropped its session" \
	test -n "$(comm -23 <(echo "$before") <(echo "$after") | sed '/^$/d')"
assert_eq "nothing rejected" 0 "$(rejected_rows)"
check "planqd stops cleanly" planqd_stop

# ---- 1b: fenced, with a spool: spooled, then stored once the fence is lifted ----
planqd_start --workers=2 --config "$TMP/planqd.conf" --spool "$TMP/spool"
send_expect 0 "fenced, spool: send exits 0" "$TMP/send2.out" 60 \
	--concurrency 3 --timeout 30 "$TMP"/docs/doc-00[4-8].txt
assert_eq "fenced, spool: all five spooled" 5 "$(grep -c '^spooled ' "$TMP/send2.out")"
set_server default_transaction_read_only DEFAULT
check "the spool drains once the fence is lifted" \
	wait_for "[ \$(spool_segs '$TMP/spool') -eq 0 ] && [ \"\$(doc_count)\" -ge 6 ]" 60
# the two answered retry are sent again
timeout 60 "$PLANQ" send --to "$ENDPOINT" --timeout 30 "$TMP"/docs/doc-00[2-3].txt \
	>>"$TMP/send2.out" 2>>"$TMP/send2.err"
ls "$TMP"/docs/doc-00[1-8].txt >"$TMP/all.list"
check_exactly_once "after the fence" "$TMP/all.list"
assert_eq "nothing rejected" 0 "$(rejected_rows)"

# ---- 2: commits wait for a synchronous standby that is not there ----------------
set_server synchronous_standby_names gone_standby
send_expect 0 "waiting commits: send exits 0" "$TMP/send3.out" 90 \
	--concurrency 3 --timeout 60 "$TMP"/docs/doc-009.txt "$TMP"/docs/doc-01[0-4].txt
assert_eq "waiting commits: all six spooled, none stored" 6 "$(grep -c '^spooled ' "$TMP/send3.out")"
check "the worker cancelled the unconfirmed commit" \
	grep -q 'the commit was cancelled, not confirmed' "$TMP/planqd.log"
check "the server's warning is in the log" \
	grep -q 'database warning: canceling wait for synchronous replication' "$TMP/planqd.log"
check "no worker was killed" sh -c "! grep -q 'killing it\|died holding' '$TMP/planqd.log'"
set_server synchronous_standby_names DEFAULT
check "the spool drains once the setting is cleared" \
	wait_for "[ \$(spool_segs '$TMP/spool') -eq 0 ] && [ \"\$(doc_count)\" -ge 14 ]" 60
ls "$TMP"/docs/doc-*.txt >"$TMP/all.list"
check_exactly_once "after the waiting commits" "$TMP/all.list"
assert_eq "all fourteen stored, none rejected" "14 0" \
	"$(sql "SELECT count(*) FILTER (WHERE outcome = 'stored') || ' ' || count(*) FILTER (WHERE outcome = 'rejected') FROM documents")"
check_healthy "after both"
check "planqd stops cleanly" planqd_stop
log_summary
finish
