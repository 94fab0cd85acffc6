#!/usr/bin/env bash
# test_make_run.sh: `make run` (deploy/run-local.sh) the way people use it,
# in a private run directory (PLANQ_RUN_DIR) and port:
#   - its output piped into a reader that dies at Ctrl-C (`| tee`): Ctrl-C
#     still stops planqd, its workers and PostgreSQL;
#   - `planq status` without flags, from the directory above var/, reaches it;
#   - a second run while one is running says so, and where, and exits 1;
#   - after SIGKILL of the whole run (PostgreSQL survives it), the next run
#     reuses the running cluster; after SIGKILL of PostgreSQL too (a stale
#     postmaster.pid), the next run starts it again;
#   - a closed terminal (SIGHUP) stops everything as Ctrl-C does.
. "$(dirname "$0")/../lib/common.sh"
set -m		# each run in its own process group, as in a terminal

RUNDIR=$TMP/var
LISTEN=tcp://127.0.0.1:$(random_port)
export PLANQ_RUN_DIR=$RUNDIR PLANQ_LISTEN=$LISTEN PLANQ_BIN
RUN_PGIDS=()

cleanup_runs() {
	local g
	for g in "${RUN_PGIDS[@]}"; do kill -KILL -- "-$g" 2>/dev/null; done
	pg_stop "$RUNDIR/pg" 2>/dev/null
	cleanup
}
trap cleanup_runs EXIT

# run_start OUT: a run whose output goes through a pipe to a reader in the
# same process group (like `make run | tee`); waits until it is up
run_start() {
	local out=$1
	: >"$out"
	# (SIGHUP back to its default: a suite started under nohup would
	# otherwise pass "ignored" on, and a shell cannot trap what it was
	# started ignoring)
	( env --default-signal=HUP bash "$ROOT/deploy/run-local.sh" </dev/null 2>&1 | cat >"$out" ) &
	RUN_PGID=$!
	RUN_PGIDS+=("$RUN_PGID")
	wait_for "grep -q 'planqd is running' '$out'" 120
}

# what a run may have left behind: a planqd on our port, a postmaster of
# our cluster, anything with the run directory on its command line (living
# processes: a zombie has exited and waits only for its parent to reap it)
leftovers() {
	ps -eo pid=,stat=,args= | awk '$2 !~ /^Z/' | grep -E -- "$LISTEN|$RUNDIR" | grep -v grep
}

# what is left once the last processes had time to end (a postmaster that
# removed its pid file is still exiting for a moment; on a loaded machine
# that moment is longer than the run's own wait)
leftovers_settled() {
	wait_for "[ -z \"\$(leftovers)\" ]" 10
	leftovers
}

# signal the run's whole process group, wait for it to end
run_signal() {
	kill "-$1" -- "-$RUN_PGID" 2>/dev/null
	wait_for "! kill -0 $RUN_PGID" 60
	wait "$RUN_PGID" 2>/dev/null
	sleep 0.5
}

check "a run comes up (piped output)" run_start "$TMP/run1.out"
assert_match "it names the status command" 'its status: .*planq status' "$(cat "$TMP/run1.out")"
check "some sample plan stored" grep -q '^stored ' "$TMP/run1.out"
out=$(cd "$TMP" && "$PLANQ" status 2>&1)
assert_match "planq status (no flags, from the checkout) reaches it" 'planqd pid [0-9]+, running' "$out"

out=$(timeout 20 bash "$ROOT/deploy/run-local.sh" 2>&1 </dev/null)
rc=$?
assert_eq "a second run at once exits 1" 1 "$rc"
assert_match "and says one is running, and where" "already running.*$LISTEN" "$(tr '\n' ' ' <<<"$out")"
check "the first run is still up" pgrep -f "$LISTEN"

run_signal INT
assert_eq "Ctrl-C with a dead pipe reader: nothing left" "" "$(leftovers_settled)"

check "a run comes up again" run_start "$TMP/run2.out"
run_signal KILL
check "PostgreSQL outlives a SIGKILL of the run" pg_running_pid "$RUNDIR/pg"
check "the next run comes up" run_start "$TMP/run3.out"
check "it reused the running cluster" grep -q 'reusing the server already running' "$TMP/run3.out"
check "its sample plans are duplicates now" grep -q '^duplicate ' "$TMP/run3.out"
run_signal INT
assert_eq "after Ctrl-C: nothing left" "" "$(leftovers_settled)"

check "a run comes up before PostgreSQL is killed" run_start "$TMP/run4.out"
run_signal KILL
pg_kill "$RUNDIR/pg"
check "a stale postmaster.pid is left" test -f "$RUNDIR/pg/data/postmaster.pid"
check "the next run comes up over it" run_start "$TMP/run5.out"
run_signal HUP
assert_eq "terminal gone (SIGHUP): nothing left" "" "$(leftovers_settled)"
finish
