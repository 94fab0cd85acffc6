# tests/lib/common.sh: what every integration and fault test shares.  Source
# it from a test script; it makes a temp dir (removed on exit), and gives:
#   check NAME CMD…           run CMD, count a pass or a failure
#   assert_eq NAME WANT GOT   compare two strings
#   sql QUERY                 psql -Atq on the test database
#   setup_db                  private PostgreSQL + migrations
#   planqd_start [ARGS…]      start bin/planqd on a random port (ENDPOINT),
#                             wait until its workers are ready
#   planqd_stop               SIGTERM and wait; returns planqd's exit status
#   worker_pids               pids of planqd's workers
#   finish                    print "NAME: N passed, M failed" and exit
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PLANQ_BIN=${PLANQ_BIN:-$ROOT/bin}
PLANQ_TOOLS=${PLANQ_TOOLS:-$ROOT/build/release/tests/tools}
PLANQ=$PLANQ_BIN/planq
RAWSEND=$PLANQ_TOOLS/rawsend
TEST_NAME=$(basename "$0" .sh)
T_PASS=0
T_FAIL=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/planq-$TEST_NAME.XXXXXX")
chmod 755 "$TMP"
PLANQD_PID=
. "$ROOT/tests/lib/pg.sh"

cleanup() {
	if [ -n "$PLANQD_PID" ] && kill -0 "$PLANQD_PID" 2>/dev/null; then
		kill -KILL "$PLANQD_PID" 2>/dev/null
		pkill -KILL -P "$PLANQD_PID" 2>/dev/null
	fi
	pg_stop "$TMP/pg" 2>/dev/null
	# a primary and standby of tests/lib/replica.sh
	if declare -F replica_stop >/dev/null; then replica_stop; fi
	if [ "${T_FAIL:-0}" -gt 0 ] && [ -f "$TMP/planqd.log" ]; then
		echo "--- planqd.log (last 40 lines)"
		tail -n 40 "$TMP/planqd.log"
	fi
	if [ "${T_FAIL:-0}" -gt 0 ]; then
		for f in "$TMP"/*.err; do
			[ -s "$f" ] || continue
			echo "--- $(basename "$f") (last 20 lines)"
			tail -n 20 "$f"
		done
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

pass() { T_PASS=$((T_PASS + 1)); echo "ok   $1"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL $1${2:+: $2}"; }

check() {
	local name=$1; shift
	if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}

assert_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "want [$2] got [$3]"; fi
}

assert_match() {
	if [[ "$3" =~ $2 ]]; then pass "$1"; else fail "$1" "[$3] does not match /$2/"; fi
}

sql() { psql -X -Atq -v ON_ERROR_STOP=1 -c "$1"; }

finish() {
	# sanitizer builds: a report from planqd or a worker fails the test
	if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
	    "$TMP"/*.log >/dev/null 2>&1; then
		fail "sanitizer report" "$(grep -h -m 3 -E 'Sanitizer|runtime error' "$TMP"/*.log)"
	fi
	if grep -l -E 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]|Invalid (read|write)' \
	    "$TMP"/*.vglog >/dev/null 2>&1; then
		fail "valgrind report" "$(grep -h -m 5 -E 'Invalid|definitely|ERROR SUMMARY' "$TMP"/*.vglog)"
	fi
	echo "$TEST_NAME: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ] && [ "$T_PASS" -gt 0 ]
	exit $?
}

setup_db() {
	pg_start "$TMP/pg" || { echo "cannot start PostgreSQL"; exit 1; }
	"$PLANQ" db migrate --db "$PLANQ_DB" >"$TMP/migrate.log" 2>&1 ||
		{ cat "$TMP/migrate.log"; echo "migrate failed"; exit 1; }
}

random_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 12000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

# waits up to $2 seconds (default 20) for a command to succeed
wait_for() {
	local cmd=$1 limit=${2:-20} i=0
	while ! eval "$cmd" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -ge $((limit * 10)) ] && return 1
		sleep 0.1
	done
}

ready_workers() { grep -c 'ready (pid' "$TMP/planqd.log" 2>/dev/null || echo 0; }

planqd_start() {
	local workers=2 a
	for a in "$@"; do
		case $a in --workers=*) workers=${a#--workers=} ;; esac
	done
	PORT=$(random_port)
	ENDPOINT=tcp://127.0.0.1:$PORT
	: >"$TMP/planqd.log"
	local vg=()
	if [ -n "${PLANQ_VALGRIND:-}" ]; then
		# planqd and its workers under memcheck; finish() reads the logs
		vg=(valgrind --quiet --trace-children=yes --child-silent-after-fork=yes
		    --leak-check=full --errors-for-leak-kinds=definite
		    --suppressions="$ROOT/tests/unit/test_parse.supp"
		    --log-file="$TMP/valgrind.%p.vglog")
	fi
	"${vg[@]}" "$PLANQ_BIN/planqd" --listen "$ENDPOINT" --db "$PLANQ_DB" \
		--runtime-dir "$TMP/run" --workers "$workers" "$@" \
		>>"$TMP/planqd.log" 2>&1 &
	PLANQD_PID=$!
	wait_for "[ \$(ready_workers) -ge $workers ]" ${PLANQ_VALGRIND:+120} 30 ||
		{ fail "planqd did not become ready"; cat "$TMP/planqd.log"; exit 1; }
}

planqd_stop() {
	local rc
	kill -TERM "$PLANQD_PID"
	wait "$PLANQD_PID"
	rc=$?
	PLANQD_PID=
	return $rc
}

worker_pids() { pgrep -P "$PLANQD_PID" -f planq-worker; }

# the pid of a worker that holds a document and whose database session
# waits on a lock.  Only a worker planqd's status shows with a job counts: a
# worker started again makes its warm-up call before READY, and that call
# waits on the same lock (up to its lock_timeout) while holding no document.
locked_worker_pid() {
	local holding
	holding=$("$PLANQ" status --socket "$TMP/run/control.sock" --json 2>/dev/null |
		jq -r '[.workers[] | select(.job != null) | .pid] | join(",")')
	[ -n "$holding" ] || return 0
	sql "SELECT substring(application_name from 'pid=([0-9]+)')
	     FROM pg_stat_activity
	     WHERE application_name LIKE 'planq-worker%' AND wait_event_type = 'Lock'
	       AND substring(application_name from 'pid=([0-9]+)')::int IN ($holding)
	     LIMIT 1"
}

# Holds an ACCESS EXCLUSIVE lock on documents from a psql session, so that
# workers block inside their transaction and stay busy for as long as a test
# needs.  lock_documents / unlock_documents.
lock_documents() {
	mkfifo "$TMP/lockfifo"
	psql -X -q <"$TMP/lockfifo" >/dev/null 2>&1 &
	LOCK_PSQL=$!
	exec 7>"$TMP/lockfifo"
	echo "BEGIN; LOCK TABLE documents IN ACCESS EXCLUSIVE MODE; SELECT 1;" >&7
	wait_for "[ \"\$(sql \"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'documents' AND l.mode = 'AccessExclusiveLock' AND l.granted\")\" = 1 ]" 10
}

unlock_documents() {
	echo "COMMIT;" >&7
	exec 7>&-
	wait "$LOCK_PSQL" 2>/dev/null
	rm -f "$TMP/lockfifo"
}

# waits for a worker blocked on the lock whose pid is not in $1 (space list)
wait_locked_worker_not_in() {
	local seen=" $1 " i=0 pid
	while [ $i -lt 300 ]; do
		pid=$(locked_worker_pid)
		if [ -n "$pid" ] && [[ "$seen" != *" $pid "* ]]; then
			echo "$pid"
			return 0
		fi
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}

# waits until no database session of the given worker pid is left
wait_backend_gone() {
	wait_for "[ \$(sql \"SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE '%pid=$1'\") = 0 ]" 20
}
