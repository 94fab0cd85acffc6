#!/usr/bin/env bash
# Failover to a synchronous standby loses nothing acknowledged.  A real
# primary and a real standby it names in synchronous_standby_names
# (tests/lib/replica.sh); planqd with a spool on host=A,B …
# target_session_attrs=read-write; 240 documents at 8 in flight
# (tests/lib/failover.sh).  The standby stalls, so commits wait for it; the
# primary's postmaster and backends are SIGKILLed while they wait; planqd
# spools; the standby is promoted the way an operator does it (first
# clearing the synchronous_standby_names that pg_basebackup copied into it,
# which would make every commit on the new primary wait); the sender
# finishes.  Every document answered stored, duplicate or spooled is on the
# new primary exactly once with all its rows, and every document id given
# to a client before the kill still names that document.  Then a new
# standby is made of the dead primary's place (replica_rebuild_standby, as
# the chaos campaign does to fail over again): commits wait for it again.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"
. "$ROOT/tests/lib/replica.sh"
. "$ROOT/tests/lib/failover.sh"

failover_run sync
check "the standby had inherited synchronous_standby_names (the trap)" \
	grep -q "^synchronous_standby_names = 'planq_standby'" "$TMP/replica/standby.auto.conf.as-copied"
assert_eq "the promoted standby waits for no standby" "" "$(sql 'SHOW synchronous_standby_names')"
assert_eq "lost" 0 "$FIG_LOST"
check_exactly_once "sync failover" "$TMP/acked.list"
check_rows_complete "sync failover"
assert_eq "ids answered before the kill still name their documents" 0 "$FIG_IDS_MOVED"
check_healthy "after the failover"
check "a new standby, made from the new primary, streams synchronously" replica_rebuild_standby
check_healthy "with the new standby"
last=$(tail -n 1 "$TMP/healthy.list")
check "the new standby has the last document stored" \
	wait_for "[ \"\$(replica__psql '$REPLICA_STANDBY' \"SELECT count(*) FROM documents WHERE source_url = 'file://$last'\")\" = 1 ]" 10
check "planqd stops cleanly" planqd_stop
log_summary
finish
