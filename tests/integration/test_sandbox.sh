#!/usr/bin/env bash
# The worker sandbox: a worker is limited (seccomp filter, no new privileges,
# RLIMIT_AS / NOFILE / CORE), and one that tries to open a file for writing
# or to run a program after setup is killed by seccomp (SIGSYS, signal 31);
# the document that made it do so is quarantined like any poison document
# and the file is never created.  Uses the test-only markers compiled into
# `make BUILD=testhooks` (workers/job.c, job_test_hooks).
. "$(dirname "$0")/../lib/common.sh"

TH_BIN=${PLANQ_TESTHOOKS_BIN:-$ROOT/build/testhooks/bin}
if [ -z "${PLANQ_TESTHOOKS_BIN:-}" ]; then
	make -s -C "$ROOT" BUILD=testhooks all >"$TMP/build.log" 2>&1 ||
		{ cat "$TMP/build.log"; fail "make BUILD=testhooks all"; finish; }
fi
check "testhooks worker built" test -x "$TH_BIN/planq-worker"

setup_db
victim=/tmp/planq-sandbox-test
rm -f "$victim"
# valgrind cannot run under a seccomp filter (the worker then skips it), so
# this test always runs the workers natively
PLANQ_VALGRIND=
saved_bin=$PLANQ_BIN
PLANQ_BIN=$TH_BIN
planqd_start --workers=1 --worker-path "$TH_BIN/planq-worker"
PLANQ_BIN=$saved_bin

# -- what a worker runs under
pid=$(worker_pids | head -n 1)
check "a worker is running" test -n "$pid"
assert_eq "seccomp filter on" 2 "$(awk '/^Seccomp:/ {print $2}' "/proc/$pid/status")"
assert_eq "no new privileges" 1 "$(awk '/^NoNewPrivs:/ {print $2}' "/proc/$pid/status")"
assert_eq "RLIMIT_AS is worker_max_memory (1 GiB)" 1073741824 \
	"$(awk '/^Max address space/ {print $4}' "/proc/$pid/limits")"
assert_eq "RLIMIT_CORE 0" 0 "$(awk '/^Max core file size/ {print $5}' "/proc/$pid/limits")"
nofile=$(awk '/^Max open files/ {print $4}' "/proc/$pid/limits")
check "RLIMIT_NOFILE is tight ($nofile)" test "$nofile" -le 200

# -- an ordinary document is stored by a sandboxed worker
doc="$ROOT/samples/$(ls "$ROOT/samples" | grep '\.txt$' | head -n 1)"
out=$("$PLANQ" send --to "$ENDPOINT" --timeout 30 "$doc" 2>&1)
assert_match "sandboxed worker stores" '^stored document=' "$out"

# -- open() for writing, then execve(): killed, quarantined
for what in OPEN EXEC; do
	printf 'PLANQ-TEST-%s %s\n' "$what" "$RANDOM$RANDOM" >"$TMP/$what.txt"
	out=$("$PLANQ" send --to "$ENDPOINT" --timeout 30 "$TMP/$what.txt" 2>&1)
	assert_match "$what: quarantined after 3 SIGSYS deaths" \
		'rejected document=[0-9]+ reason="worker crashed on this document 3 times: signal 31"' "$out"
	assert_eq "$what: stored as rejected with its bytes" \
		"$(sha256sum "$TMP/$what.txt" | cut -c1-64)" \
		"$(sql "SELECT encode(sha256(raw), 'hex') FROM documents WHERE source_url = 'file://$TMP/$what.txt' AND outcome = 'rejected'")"
done
check "the file was never created" test ! -e "$victim"
check "the hooks never got past the filter" bash -c "! grep -q 'test hook:' '$TMP/planqd.log'"

out=$("$PLANQ" send --to "$ENDPOINT" --timeout 30 "$ROOT/samples/"*.txt 2>&1)
assert_match "workers still store afterwards" 'duplicate document=|stored document=' "$out"
check "planqd stops cleanly" planqd_stop
rm -f "$victim"
finish
