# bench/lib.sh: what the benchmark scripts share; bench/run.sh,
# bench/callgrind.sh and bench/views.sh (run alone) source it:
#   bench_init NAME   cd to the checkout; sets ROOT, PLANQ_BIN and BENCH_BIN
#                     (default: this checkout's build), WORK (a new
#                     /tmp/planq-NAME.XXXXXX), PGDIR (WORK/pg, the private
#                     cluster of tests/lib/pg.sh), EP (a random loopback
#                     endpoint for planqd, its port PORT) and PLANQD_PID
#   log TEXT…         a line "[NAME hh:mm:ss] TEXT" on stderr
#   sql ARGS…         psql on the bench database: unaligned, stops on error
#   TABLES            planq's tables that hold a document's rows
#   bench_finish RC   the end of a cleanup trap: stops the cluster, removes
#                     WORK (kept with BENCH_KEEP=1), exits with RC

BENCH_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$BENCH_LIB_DIR/../tests/lib/pg.sh"

TABLES="documents plans plan_texts issues strategies initiatives budgets reforms evaluations council_reflections contacts ingest_events"

bench_init() {
	BENCH_NAME=$1
	ROOT=$(cd "$BENCH_LIB_DIR/.." && pwd)
	cd "$ROOT"
	PLANQ_BIN=${PLANQ_BIN:-$ROOT/bin}
	BENCH_BIN=${BENCH_BIN:-$ROOT/build/release/bench}
	WORK=$(mktemp -d "/tmp/planq-$BENCH_NAME.XXXXXX")
	PGDIR=$WORK/pg
	PORT=$(( 30000 + RANDOM % 20000 ))
	EP=tcp://127.0.0.1:$PORT
	PLANQD_PID=
}

log() { printf '[%s %s] %s\n' "$BENCH_NAME" "$(date +%T)" "$*" >&2; }

sql() { psql -X -Atq -v ON_ERROR_STOP=1 "$@"; }

bench_finish() {
	pg_stop "$PGDIR" || true
	if [ "${BENCH_KEEP:-0}" = 1 ]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
	exit "$1"
}
