#!/usr/bin/env bash
# tests/run.sh: runs every test of `make test`: the unit test programs
# (PLANQ_UNIT/test_*), then tests/integration/test_*.sh and
# tests/faults/test_*.sh against real PostgreSQL and planqd processes.
# Each program is one test; its own lines say which check failed.  Ends with
# the line "N passed, M failed".  PLANQ_TESTS=pattern runs a subset.
#
# The scripts run PLANQ_TEST_JOBS at a time (default: the number of CPUs,
# at most 4; 1 runs them one after the other).  Each has its own temporary
# directory, PostgreSQL cluster and random ports, so they do not meet; much
# of their time is spent waiting for a fault to take effect, which another
# test can use.  A test's lines are printed when it ends.
set -u
cd "$(dirname "$0")/.."
export PLANQ_BIN=${PLANQ_BIN:-$PWD/bin}
export PLANQ_UNIT=${PLANQ_UNIT:-$PWD/build/release/tests}
pattern=${PLANQ_TESTS:-}
jobs=${PLANQ_TEST_JOBS:-$(n=$(nproc 2>/dev/null || echo 1); echo $((n > 4 ? 4 : n)))}
passed=0 failed=0 failures=()
logdir=$(mktemp -d "${TMPDIR:-/tmp}/planq-tests.XXXXXX")
declare -A running=()	# pid -> test name

selected() { [ -z "$pattern" ] || [[ "$1" == *$pattern* ]]; }

# report NAME: the test's line (and its log's tail when it failed)
report() {
	local name=$1 log rc secs
	log="$logdir/$(basename "$name").log"
	if ! { read -r rc secs <"$log.rc"; } 2>/dev/null; then
		# the test's result file is gone: its directory was removed
		rc=255 secs=0
		printf '%s: no result in %s (was the directory removed while the tests ran?)\n' \
			"$name" "$logdir" >&2
	fi
	printf '%-50s ' "$name"
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		printf 'ok (%ds)\n' "$secs"
	else
		failed=$((failed + 1))
		failures+=("$name")
		printf 'FAILED (%ds)\n' "$secs"
		[ ! -f "$log" ] || sed 's/^/    | /' "$log" | tail -n 60
	fi
}

# reap_one: waits for one running test to end and reports it
reap_one() {
	local pid
	wait -n -p pid "${!running[@]}"
	report "${running[$pid]}"
	unset "running[$pid]"
}

# run_one NAME CMD…: starts a test once fewer than $jobs run
run_one() {
	local name=$1; shift
	selected "$name" || return
	while [ ${#running[@]} -ge "$jobs" ]; do reap_one; done
	local log="$logdir/$(basename "$name").log"
	(
		start=$SECONDS
		"$@" >"$log" 2>&1
		echo "$? $((SECONDS - start))" >"$log.rc"
	) &
	running[$!]=$name
}

valgrind=()
if [ -n "${PLANQ_VALGRIND:-}" ]; then
	# test_parse.supp: glibc's loader when iconv loads a gconv module
	valgrind=(valgrind --quiet --error-exitcode=99 --leak-check=full
		--errors-for-leak-kinds=definite
		--suppressions="$PWD/tests/unit/test_parse.supp")
fi

for t in "$PLANQ_UNIT"/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" "${valgrind[@]}" "$t"
done
for t in tests/integration/test_*.sh tests/faults/test_*.sh; do
	[ -f "$t" ] || continue
	run_one "$t" bash "$t"
done

while [ ${#running[@]} -gt 0 ]; do reap_one; done

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "failed: ${failures[*]}"
	echo "logs: $logdir"
else
	rm -rf "$logdir"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
