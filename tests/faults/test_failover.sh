#!/usr/bin/env bash
# Failover: a synchronous standby loses nothing acknowledged, an
# asynchronous one does.  Real PostgreSQL servers (tests/lib/replica.sh), one
# real planqd with a spool on host=A,B … target_session_attrs=read-write,
# two paced senders (tests/lib/failover.sh), two failovers in a row:
#   1. sync: A names B in synchronous_standby_names.  B stalls, so commits
#      wait for it; A's postmaster and backends are SIGKILLed while they
#      wait; planqd spools; B is promoted the way an operator does it (first
#      clearing the synchronous_standby_names pg_basebackup copied into it,
#      which would make every commit on B wait).  Every document answered
#      stored, duplicate or spooled is on B exactly once with all its rows,
#      and every document id a client was given still names its document.
#   2. a new standby is made in A's place from B (replica_rebuild_standby,
#      what the chaos campaign calls to fail over again), asynchronous this
#      time.  It stalls; B goes on acknowledging documents as stored; B is
#      SIGKILLed and A promoted: those documents are gone (lost > 0, each
#      of them answered stored), nothing is doubled or rejected, everything
#      spooled arrives, everything of phase 1 is still there, and a crawler
#      that sends the lost documents again gets them stored, once.
# docs/SCALING.md has the figures; docs/OPERATIONS.md the settings.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"
. "$ROOT/tests/lib/replica.sh"
. "$ROOT/tests/lib/failover.sh"

failover_setup sync

# ---- 1: synchronous standby -------------------------------------------------------
failover_phase sync
check "sync: the standby had inherited synchronous_standby_names (the trap)" \
	grep -q "^synchronous_standby_names = 'planq_standby'" "$TMP/replica/standby.auto.conf.as-copied"
assert_eq "sync: the promoted standby waits for no standby" "" "$(sql 'SHOW synchronous_standby_names')"
assert_eq "sync: lost" 0 "$FIG_LOST"
check_exactly_once "sync failover" "$TMP/sync/acked.list"
check_rows_complete "sync failover" "$TMP/sync/docs"
assert_eq "sync: ids answered before the kill still name their documents" 0 "$FIG_IDS_MOVED"
check_healthy "after the first failover"

# ---- 2: a new, asynchronous standby; the second failover --------------------------
check "a new standby, made from the new primary, streams" replica_rebuild_standby async
failover_phase async
check "async: acknowledged documents are lost" test "$FIG_LOST" -gt 0
mapfile -t lost <"$TMP/async/lost.list"
assert_eq "async: every lost document had been answered stored" 0 \
	"$(for f in "${lost[@]}"; do grep -q "^stored .* $f\$" "$TMP/async/send.out" || echo "$f"; done | wc -l)"
assert_eq "async: every spooled document reached the new primary" 0 \
	"$(awk '/^spooled / { print $NF }' "$TMP/async/send.out" | grep -cxF -f "$TMP/async/lost.list")"
assert_eq "async: nothing of the first failover is lost in the second" "" \
	"$(failover_lost "$TMP/sync/acked.list")"
if [ "${#lost[@]}" -gt 0 ]; then
	timeout 120 "$PLANQ" send --to "$ENDPOINT" --concurrency 8 --timeout 30 "${lost[@]}" \
		>"$TMP/resend.out" 2>&1
	assert_eq "async: sent again, the lost documents are stored" "${#lost[@]}" \
		"$(grep -c '^stored ' "$TMP/resend.out")"
fi
cat "$TMP/sync/acked.list" "$TMP/async/acked.list" >"$TMP/acked.list"
check_exactly_once "both failovers, lost documents sent again" "$TMP/acked.list"
check_rows_complete "both failovers" "$TMP/async/docs"
check_healthy "after the second failover"
check "planqd stops cleanly" planqd_stop
log_summary
finish
