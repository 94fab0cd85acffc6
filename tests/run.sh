#!/usr/bin/env bash
# tests/run.sh: runs every test of `make test`: the unit test programs
# (PLANQ_UNIT/test_*), then tests/integration/test_*.sh and
# tests/faults/test_*.sh against real PostgreSQL and planqd processes.
# Each program is one test; its own lines say which check failed.  Ends with
# the line "N passed, M failed".  PLANQ_TESTS=pattern runs a subset.
set -u
cd "$(dirname "$0")/.."
export PLANQ_BIN=${PLANQ_BIN:-$PWD/bin}
export PLANQ_UNIT=${PLANQ_UNIT:-$PWD/build/release/tests}
pattern=${PLANQ_TESTS:-}
passed=0 failed=0 failures=()
logdir=$(mktemp -d "${TMPDIR:-/tmp}/planq-tests.XXXXXX")

run_one() {
	local name=$1; shift
	if [ -n "$pattern" ] && [[ "$name" != *$pattern* ]]; then
		return
	fi
	local log="$logdir/$(basename "$name").log" start=$SECONDS
	printf '%-50s ' "$name"
	if "$@" >"$log" 2>&1; then
		passed=$((passed + 1))
		printf 'ok (%ds)\n' $((SECONDS - start))
	else
		failed=$((failed + 1))
		failures+=("$name")
		printf 'FAILED (%ds)\n' $((SECONDS - start))
		sed 's/^/    | /' "$log" | tail -n 60
	fi
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

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "failed: ${failures[*]}"
	echo "logs: $logdir"
else
	rm -rf "$logdir"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
