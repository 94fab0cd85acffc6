#!/usr/bin/env bash
# tests/fresh/newcomer.sh: what a new user does in a fresh clone, run in
# its top directory (by fresh-debian.sh inside a bare Debian 12 root):
#   1. `make run 2>&1 | tee run.log` until it shows what landed, then
#      `planq status` as the closing message says, then Ctrl-C; nothing it
#      started may be left running;
#   2. `make run` again, killed with SIGKILL (the whole terminal's process
#      group), then a third `make run`: it must start on the same cluster;
#      Ctrl-C again, nothing left;
#   3. `make test`.
# Lines starting "NEWCOMER:" say what went wrong.
set -u
set -m		# background jobs get their own process group, like a terminal's

ready='planqd is running'
fail() { echo "NEWCOMER: $*"; exit 1; }

# starts `make run | tee FILE` as a job; sets job_pid (its process group)
start_run() {
	local out=$1
	: >"$out"
	( make run </dev/null 2>&1 | tee "$out" >/dev/null ) &
	job_pid=$!
	for _ in $(seq 2400); do		# packages may take a while
		grep -q "$ready" "$out" 2>/dev/null && return 0
		kill -0 "$job_pid" 2>/dev/null || break
		sleep 0.5
	done
	cat "$out"
	fail "make run never reached a running planqd (see above)"
}

# what the checkout's make run may have left: planqd, workers, postgres.
# Only processes of this root count (in a chroot, /proc shows the host's
# too: their root directory is another inode), and only living ones (a
# zombie has exited and waits only for its parent to reap it).
leftovers() {
	local pid state args myroot
	myroot=$(stat -Lc '%d:%i' /)
	for pid in $(ls /proc | grep -E '^[0-9]+$'); do
		[ "$(stat -Lc '%d:%i' "/proc/$pid/root" 2>/dev/null)" = "$myroot" ] || continue
		state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
		[ -n "$state" ] && [ "$state" != Z ] || continue
		args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
		grep -qE "$PWD/(bin|var)/|planqd|planq-worker|postgres" <<<"$args" &&
			echo "$pid $args"
	done
}

stop_run() {
	kill -INT -- "-$job_pid" 2>/dev/null
	for _ in $(seq 120); do
		kill -0 "$job_pid" 2>/dev/null || break
		sleep 0.5
	done
	kill -0 "$job_pid" 2>/dev/null && fail "make run did not end within 60 s of Ctrl-C"
	wait "$job_pid" 2>/dev/null
	sleep 1
	local left
	left=$(leftovers)
	[ -z "$left" ] || { echo "$left"; fail "Ctrl-C left processes running (above)"; }
}

echo "== make run (piped through tee)"
start_run run.log
cat run.log
echo "== bin/planq status"
bin/planq status || fail "planq status cannot reach the make run instance"
echo "== Ctrl-C"
stop_run

echo "== make run, then kill -9 of its process group"
start_run run2.log
kill -KILL -- "-$job_pid"
wait "$job_pid" 2>/dev/null
echo "== make run after the kill"
start_run run3.log
tail -n 12 run3.log
stop_run

echo "== make test"
make test
rc=$?
[ $rc = 0 ] || fail "make test failed ($rc)"
echo "NEWCOMER: all passed"
