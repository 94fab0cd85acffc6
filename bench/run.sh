#!/usr/bin/env bash
# bench/run.sh: `make bench`.  Private PostgreSQL (durability on), planqd with
# 2 workers, a generated corpus sent by several drivers; then the same rows
# loaded by PostgreSQL's own methods (bench/refload: COPY, INSERTs, pipelined
# INSERTs) as references, and the same corpus through a Python peer
# (bench/peer.py: what a user would write without planq); latency, CPU,
# RSS; one table at the end.
#   BENCH_DOCS=5000 BENCH_DRIVERS=4 BENCH_CONC=8 BENCH_WORKERS=2
#   BENCH_REFS="copy1 copy2 copy2k7 insert1 insert4 insert100 pipeline1 pipeline2"
#     (the reference methods to run, default all; copy2 gives the COPY lines:
#     copyN = COPY over N connections, 100 documents per transaction;
#     copy2k7 = copy2 with 7 documents per transaction, about the batches
#     planqd forms here, each committed before its replies;
#     insertN = prepared INSERTs, one document per transaction, N connections;
#     insert100 = the same, 100 documents per transaction, 1 connection;
#     pipelineN = insertN in libpq pipeline mode, 16 documents in flight each)
#   BENCH_PEER=0 (skip section 3b, the Python peer: bench/peer.py with Debian's
#     python3-zmq and python3-psycopg, BENCH_WORKERS processes; its drivers
#     give up after BENCH_PEER_TIMEOUT=3600 s, the others after BENCH_TIMEOUT=900)
#   BENCH_PGSS=1 (load pg_stat_statements, print the top statements)
#   BENCH_PERF=1 (perf record -a of the planq and copy2 phases, with BENCH_KEEP)
#   BENCH_KEEP=1 (keep the work dir)  BENCH_SKIP_EXTRA=1 (throughput + references only)
#   BENCH_PLANQD_OPTS="--batch-max 1" (extra planqd flags)
#   BENCH_VIEW_DOCS=20000 BENCH_VIEW_RUNS=3 (the views phase, bench/views.sh;
#     BENCH_SKIP_VIEWS=1 skips it, BENCH_SKIP_EXTRA=1 too)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_init bench
DOCS=${BENCH_DOCS:-5000}
DRIVERS=${BENCH_DRIVERS:-4}
CONC=${BENCH_CONC:-8}
WORKERS=${BENCH_WORKERS:-2}
HZ=$(getconf CLK_TCK)
DRIVER_PIDS=()
STATS="python3 $ROOT/bench/stats.py"

. "$ROOT/bench/views.sh"

stop_planqd() {
	[ -n "$PLANQD_PID" ] || return 0
	local kids
	kids=$(pgrep -P "$PLANQD_PID" 2>/dev/null || true)
	kill -TERM "$PLANQD_PID" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 "$PLANQD_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$PLANQD_PID" 2>/dev/null || true
	wait "$PLANQD_PID" 2>/dev/null || true
	for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
	PLANQD_PID=
	# each run's log kept apart (the next start empties planqd.log)
	PLANQD_RUNS=$(( ${PLANQD_RUNS:-0} + 1 ))
	cp "$WORK/planqd.log" "$WORK/planqd.$PLANQD_RUNS.log" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	for p in "${DRIVER_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	[ -z "${PERF_PID:-}" ] || kill -INT "$PERF_PID" 2>/dev/null || true
	stop_planqd
	[ -z "${VIEWS_PLANQD_PID:-}" ] || kill -TERM "$VIEWS_PLANQD_PID" 2>/dev/null || true
	[ -z "${PEER_PID:-}" ] || { kill -TERM "$PEER_PID" 2>/dev/null; wait "$PEER_PID" 2>/dev/null; } || true
	if [ -n "${PLANQD_B_PID:-}" ]; then
		pkill -KILL -P "$PLANQD_B_PID" 2>/dev/null || true
		kill -KILL "$PLANQD_B_PID" 2>/dev/null || true
	fi
	bench_finish $rc
}
trap cleanup EXIT INT TERM

# ---- helpers ----------------------------------------------------------------
row_count() {
	local q="" t
	for t in $TABLES; do q="$q + (SELECT count(*) FROM $t)"; done
	sql -c "SELECT 0 $q"
}

# table_bytes FILE: "table total index toast" per table, in bytes: heap,
# TOAST and indexes (pg_total_relation_size); of which the indexes
# (pg_indexes_size) and the TOAST table with its index
table_bytes() {
	local q="" t
	for t in $TABLES; do
		q="$q UNION ALL SELECT '$t', pg_total_relation_size('$t'), pg_indexes_size('$t'),
		   coalesce((SELECT pg_total_relation_size(nullif(reltoastrelid, 0))
		               FROM pg_class WHERE oid = '$t'::regclass), 0)"
	done
	sql -F ' ' -c "${q# UNION ALL }" >"$1"
}

truncate_all() {	# (the cascade also empties plan_change_pairs and plan_change_rows)
	sql -c "SET client_min_messages = warning; TRUNCATE $(echo $TABLES | tr ' ' ',') RESTART IDENTITY CASCADE; CHECKPOINT;"
}

start_planqd() {	# extra flags…
	: >"$WORK/planqd.log"
	"$PLANQ_BIN/planqd" --listen "$EP" --db "$PLANQ_DB" --workers "$WORKERS" \
		--runtime-dir "$WORK/run" ${BENCH_PLANQD_OPTS:-} "$@" 2>>"$WORK/planqd.log" &
	PLANQD_PID=$!
	# every worker READY (connected, and its warm-up call made: a document
	# sent before that waits for it, and its latency would time planqd's
	# start, not its service)
	for _ in $(seq 200); do
		kill -0 "$PLANQD_PID" 2>/dev/null || { cat "$WORK/planqd.log" >&2; return 1; }
		[ "$(workers_ready)" -ge "$WORKERS" ] && return 0
		sleep 0.05
	done
	log "workers did not become ready"; return 1
}
workers_ready() {
	"$PLANQ_BIN/planq" status --socket "$WORK/run/control.sock" --json 2>/dev/null |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["workers_ready"])' 2>/dev/null || echo 0
}

worker_pids() { pgrep -P "$PLANQD_PID" || true; }
postmaster_pid() { head -n 1 "$PGDIR/data/postmaster.pid"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

proc_line() {	# role pid -> "role pid own_ticks child_ticks own_kernel child_kernel"
	local role=$1 pid=$2 s
	s=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	echo "$role $pid $(( ${12} + ${13} )) $(( ${14} + ${15} )) ${13} ${15}"
}

snap() {	# file: CPU ticks of planqd, its workers, the postmaster and its children
	local pm wb p role
	pm=$(postmaster_pid)
	wb=" $(sql -c "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE application_name LIKE 'planq-worker%'") "
	{
		if [ -n "$PLANQD_PID" ]; then
			proc_line planqd "$PLANQD_PID"
			for p in $(worker_pids); do proc_line worker "$p"; done
		fi
		proc_line postmaster "$pm"
		for p in $(pgrep -P "$pm"); do
			role=pg_other
			case "$wb" in *" $p "*) role=pg_worker_backend ;; esac
			proc_line "$role" "$p"
		done
		# the whole machine: busy ticks of all CPUs (others' tests included)
		awk '/^cpu / {print "machine 0", $2 + $3 + $4 + $7 + $8 + $9, 0}' /proc/stat
	} >"$1"
}

run_drivers() {	# name manifest n conc [rate_total] -> $WORK/name.* files
	local name=$1 man=$2 n=$3 conc=$4 rate=${5:-0} i r
	DRIVER_PIDS=()
	for (( i = 0; i < n; i++ )); do
		r=0; [ "$rate" != 0 ] && r=$(awk -v a="$rate" -v b="$n" 'BEGIN{printf "%.3f", a/b}')
		"$BENCH_BIN/driver" --to "$EP" --manifest "$man" --concurrency "$conc" \
			--shard "$i/$n" --rate "$r" --lat "$WORK/$name.lat.$i" \
			--trace "$WORK/$name.trace.$i" \
			--timeout "${BENCH_TIMEOUT:-900}" ${DRIVER_EXTRA:-} >"$WORK/$name.drv.$i" &
		DRIVER_PIDS+=($!)
	done
	local rc=0
	for p in "${DRIVER_PIDS[@]}"; do wait "$p" || rc=1; done
	DRIVER_PIDS=()
	[ $rc = 0 ] || { log "a driver failed:"; cat "$WORK/$name".drv.* >&2; }
	$STATS drivers "$WORK/$name".drv.* >"$WORK/$name.rate"
	$STATS lat "$WORK/$name".lat.* >"$WORK/$name.latency"
}

field() { tr ' ' '\n' <"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }

# planq_ms_per_doc CPU N: planqd's, the workers' and the database's CPU
# seconds in CPU (the "name=seconds" line of `$STATS cpu`) per document
planq_ms_per_doc() {
	echo "$1" | tr ' ' '\n' | awk -F= -v n="$2" '$1 == "planqd" || $1 == "worker" || $1 == "pg_total" {t += $2; printf "%s %.2f, ", $1, 1000 * $2 / n} $1 == "pg_kernel" {printf "(pg in the kernel %.2f), ", 1000 * $2 / n} END {printf "all %.2f", 1000 * t / n}'
}

# batches_line: the batches the running planqd handed to its workers (one
# transaction each) and their mean size
batches_line() {
	"$PLANQ_BIN/planq" status --socket "$WORK/run/control.sock" --json |
		python3 -c 'import json, sys; c = json.load(sys.stdin)["counters"]; b = c["batches"]
print("%d batches, %d documents, %.1f per batch" % (b, c["batch_documents"], c["batch_documents"] / b if b else 0))' ||
		echo "n/a"
}

# BENCH_PERF=1: a system-wide perf profile (cpu-clock, call graphs) of the
# throughput phase and of the COPY, 2 connections load, in the work dir
PERF_PID=
perf_start() {	# name
	[ "${BENCH_PERF:-0}" = 1 ] || return 0
	perf record -a -g -e cpu-clock -o "$WORK/perf.$1.data" >"$WORK/perf.$1.log" 2>&1 &
	PERF_PID=$!
	sleep 0.5
}
perf_stop() {
	[ -n "$PERF_PID" ] || return 0
	kill -INT "$PERF_PID" 2>/dev/null || true
	wait "$PERF_PID" 2>/dev/null || true
	PERF_PID=
}

# the reference methods (section 3): name -> "method connections docs_per_txn"
REF_ALL="copy1 copy2 copy2k7 insert1 insert4 insert100 pipeline1 pipeline2"
declare -A REF_ARGS=(
	[copy1]="copy 1 100" [copy2]="copy 2 100" [copy2k7]="copy 2 7"
	[insert1]="insert 1 1" [insert4]="insert 4 1" [insert100]="insert 1 100"
	[pipeline1]="pipeline 1 1" [pipeline2]="pipeline 2 1"
)
declare -A REF_LABEL=(
	[copy1]="COPY of pre-generated rows, 1 connection"
	[copy2]="COPY, 2 connections (both cores busy)"
	[copy2k7]="COPY, 2 connections, 7 documents per transaction"
	[insert1]="INSERTs, one transaction per document, 1 connection"
	[insert4]="INSERTs, one transaction per document, 4 connections"
	[insert100]="INSERTs, 100 documents per transaction, 1 connection"
	[pipeline1]="libpq pipeline mode, one transaction per document, 1 connection"
	[pipeline2]="libpq pipeline mode, one transaction per document, 2 connections"
)
REFS=${BENCH_REFS-$REF_ALL}
for r in $REFS; do
	[ -n "${REF_ARGS[$r]:-}" ] || { echo "BENCH_REFS: unknown method $r (known: $REF_ALL)" >&2; exit 2; }
done
declare -A REF_ROWS=() REF_WAL=() REF_CLIENT=()

# the table's key: the id of the row's document (0: none), and the joins to it
declare -A KEYJOIN=(
	[documents]="t.id|"
	[plans]="t.document_id|"
	[plan_texts]="p.document_id|JOIN plans p ON p.id = t.plan_id"
	[issues]="p.document_id|JOIN plans p ON p.id = t.plan_id"
	[strategies]="p.document_id|JOIN issues i ON i.id = t.issue_id JOIN plans p ON p.id = i.plan_id"
	[initiatives]="p.document_id|JOIN plans p ON p.id = t.plan_id"
	[budgets]="p.document_id|JOIN initiatives n ON n.id = t.initiative_id JOIN plans p ON p.id = n.plan_id"
	[reforms]="p.document_id|JOIN plans p ON p.id = t.plan_id"
	[evaluations]="p.document_id|JOIN plans p ON p.id = t.plan_id"
	[council_reflections]="p.document_id|JOIN plans p ON p.id = t.plan_id"
	[contacts]="p.document_id|JOIN plans p ON p.id = t.plan_id"
	[ingest_events]="t.document_id|"
)

export_rows() {	# dir -> T.cols (non-generated columns, table order), T.dat (key, columns)
	local dir=$1 t cols
	mkdir -p "$dir"
	for t in $TABLES; do
		sql -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
			WHERE attrelid = '$t'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''" \
			>"$dir/$t.cols"
		cols=$(sed -E 's/([a-z_0-9"]+)/t.\1/g' "$dir/$t.cols")
		sql -c "\\copy (SELECT coalesce(${KEYJOIN[$t]%%|*}, 0), $cols FROM $t t ${KEYJOIN[$t]#*|} ORDER BY 1) TO '$dir/$t.dat'"
	done
}

run_ref() {	# name: truncate, load with bench/refload -> $WORK/refs/name.{out,times}
	local name=$1 m n k lsn0 lsn1
	read -r m n k <<<"${REF_ARGS[$name]}"
	log "   $name: ${REF_LABEL[$name]}"
	truncate_all
	[ "$name" != copy2 ] || { snap "$WORK/cpu.copy.0"; table_bytes "$WORK/bytes.copy.0"; perf_start copy2; }
	lsn0=$(sql -c "SELECT pg_current_wal_lsn()")
	# in a subshell that reports refload's CPU (bash's times, children's line)
	( "$BENCH_BIN/refload" --db "$PLANQ_DB" --dir "$WORK/refs" --tables "$TABLES" \
		--method "$m" --conns "$n" --docs-per-txn "$k" >"$WORK/refs/$name.out"
	  times >"$WORK/refs/$name.times" )
	[ "$name" != copy2 ] || perf_stop
	# its backends have exited and been reaped (pg_reaped counts them)
	for _ in $(seq 50); do
		[ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'planq-refload'")" = 0 ] && break
		sleep 0.1
	done
	lsn1=$(sql -c "SELECT pg_current_wal_lsn()")
	[ "$name" != copy2 ] || { snap "$WORK/cpu.copy.1"; table_bytes "$WORK/bytes.copy.1"; }
	REF_WAL[$name]=$(sql -c "SELECT pg_wal_lsn_diff('$lsn1', '$lsn0')")
	REF_ROWS[$name]=$(row_count)
	REF_CLIENT[$name]=$(awk 'FNR == 2 {for (i = 1; i <= 2; i++) {split($i, a, /[ms]/); t += a[1] * 60 + a[2]}} END {printf "%.2f", t}' "$WORK/refs/$name.times")
	[ "${REF_ROWS[$name]}" = "$PLANQ_ROWS" ] ||
		log "WARNING: $name loaded ${REF_ROWS[$name]} rows, planq stored $PLANQ_ROWS"
}

# ---- machine, corpus, cluster --------------------------------------------------
log "work dir $WORK; $DOCS documents, $DRIVERS drivers x $CONC in flight, $WORKERS workers"
python3 bench/gen.py --out "$WORK/m" --docs "$DOCS" --seed 6 --prefix m
python3 bench/gen.py --out "$WORK/l" --docs 200 --seed 7 --prefix l --fixed-size 10000
python3 bench/gen.py --out "$WORK/h" --docs $(( DOCS / 2 )) --seed 8 --prefix h

PG_EXTRA_OPTS=${BENCH_PG_OPTS:-}
if [ "${BENCH_PGSS:-0}" = 1 ]; then
	PG_EXTRA_OPTS="$PG_EXTRA_OPTS -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
fi
export PG_EXTRA_OPTS
pg_start "$PGDIR"
"$PLANQ_BIN/planq" db migrate --db "$PLANQ_DB" >/dev/null
[ "${BENCH_PGSS:-0}" = 1 ] && sql -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
PGVER=$(sql -c "SHOW server_version")
# WAL warm-up: a new cluster has no WAL segments to recycle, so whichever
# method ran first would pay for creating and zero-filling ~18 of them
# (16 MB each) and the next one would reuse them.  Write ~700 MB of WAL
# once and checkpoint: every phase then writes into recycled segments.
log "0. WAL warm-up (~700 MB, so that no phase pays for new WAL segments)"
sql -c "CREATE TABLE bench_wal_warmup AS SELECT repeat('w', 1900) AS pad FROM generate_series(1, 350000)" \
    -c "DROP TABLE bench_wal_warmup" -c "CHECKPOINT" >/dev/null
DURAB=$(sql -c "SELECT format('fsync=%s synchronous_commit=%s wal_level=%s shared_buffers=%s', current_setting('fsync'), current_setting('synchronous_commit'), current_setting('wal_level'), current_setting('shared_buffers'))")
MBYTES=$(awk -F'\t' '{s+=$3} END {printf "%.1f", s/1e6}' "$WORK/m/manifest.tsv")

# ---- 1. light load: one 10 KB plan at a time -----------------------------------
log "1. light load: 200 plans of 10 KB, one at a time"
start_planqd
run_drivers light "$WORK/l/manifest.tsv" 1 1
W10=0; for p in $(worker_pids); do h=$(hwm_kb "$p"); [ "$h" -gt "$W10" ] && W10=$h; done
stop_planqd

# ---- 2. throughput --------------------------------------------------------------
log "2. throughput: $DOCS documents ($MBYTES MB)"
truncate_all
[ "${BENCH_PGSS:-0}" = 1 ] && sql -c "SELECT pg_stat_statements_reset()" >/dev/null
start_planqd
R0=$(row_count)
table_bytes "$WORK/bytes.planq.0"
LSN0=$(sql -c "SELECT pg_current_wal_lsn()")
snap "$WORK/cpu.planq.0"
perf_start planq
run_drivers peak "$WORK/m/manifest.tsv" "$DRIVERS" "$CONC"
perf_stop
snap "$WORK/cpu.planq.1"
LSN1=$(sql -c "SELECT pg_current_wal_lsn()")
table_bytes "$WORK/bytes.planq.1"
R1=$(row_count)
PLANQ_ROWS=$(( R1 - R0 ))
PLANQ_WAL=$(sql -c "SELECT pg_wal_lsn_diff('$LSN1', '$LSN0')")
PLANQ_DOCS=$(sql -c "SELECT count(*) FROM documents")
PLANQ_PLANS=$(sql -c "SELECT count(*) FROM plans")
PLANQD_HWM=$(hwm_kb "$PLANQD_PID")
WHWM=""; for p in $(worker_pids); do WHWM="$WHWM $(hwm_kb "$p")"; done
BHWM=""; for p in $(sql -c "SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'planq-worker%'"); do BHWM="$BHWM $(hwm_kb "$p")"; done
# the batches planqd formed (one transaction each): what copy2k7 compares with
BATCHES=$(batches_line)
if [ "${BENCH_PGSS:-0}" = 1 ]; then
	sql -F ' | ' -c "SELECT calls, round(total_exec_time::numeric, 0) AS total_ms,
		round(mean_exec_time::numeric, 3) AS mean_ms, toplevel, left(regexp_replace(query, '\s+', ' ', 'g'), 90)
		FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 20" >"$WORK/pgss.txt"
	sql -c "SELECT * FROM pg_stat_wal" >>"$WORK/pgss.txt"
	sql -F ' | ' -c "SELECT relname, seq_scan, seq_tup_read, idx_scan, n_tup_ins, last_autoanalyze IS NOT NULL AS analyzed
		FROM pg_stat_user_tables ORDER BY seq_tup_read DESC" >>"$WORK/pgss.txt"
fi
stop_planqd
PEAK=$(field "$WORK/peak.rate" docs_per_s)
PEAK_EL=$(field "$WORK/peak.rate" elapsed)
ACKED=$(field "$WORK/peak.rate" acked)

# ---- 3. the references: PostgreSQL's own loading methods, the same rows ------
# what planq stored, exported per table with each row's document id first, then
# loaded back by bench/refload with each method in BENCH_REFS into the
# truncated tables (same ids, indexes, constraints, triggers, durability)
if [ -n "$REFS" ]; then
log "3. references ($REFS): export what planq stored, then TRUNCATE and load it back per method"
export_rows "$WORK/refs"
REF_MB=$(du -cm "$WORK/refs"/*.dat | tail -n 1 | cut -f1)
for r in $REFS; do run_ref "$r"; done
# the loads gave explicit ids: move the identity sequences past them
for t in documents plans issues strategies initiatives ingest_events; do
	sql -c "SELECT setval(pg_get_serial_sequence('$t', 'id'), (SELECT max(id) FROM $t))" >/dev/null
done
fi

# ---- 3b. the Python peer: the same corpus, loaded as a user would without planq
# bench/peer.py: a ROUTER socket the same drivers send to, `planq parse` per
# document, each document and its rows in one transaction, $WORKERS processes
# (= connections, as planq's workers); into the truncated tables
PEER_PID=
if [ "${BENCH_PEER:-1}" != 0 ]; then
	log "3b. the Python peer (bench/peer.py, $WORKERS processes): the same $DOCS documents"
	truncate_all
	/usr/bin/python3 "$ROOT/bench/peer.py" --listen "$EP" --db "$PLANQ_DB" \
		--planq "$PLANQ_BIN/planq" --procs "$WORKERS" 2>"$WORK/peer.log" &
	PEER_PID=$!
	for _ in $(seq 300); do
		kill -0 "$PEER_PID" 2>/dev/null || { cat "$WORK/peer.log" >&2; exit 1; }
		[ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'planq-peer'")" -ge "$WORKERS" ] && break
		sleep 0.1
	done
	LSN0=$(sql -c "SELECT pg_current_wal_lsn()")
	snap "$WORK/cpu.peer.0"
	# at ~10 docs/s (2026-12-06) the corpus takes minutes: the drivers wait longer
	BENCH_TIMEOUT=${BENCH_PEER_TIMEOUT:-3600} run_drivers peer "$WORK/m/manifest.tsv" "$DRIVERS" "$CONC"
	kill -TERM "$PEER_PID" 2>/dev/null || true
	wait "$PEER_PID" || log "WARNING: the peer exited with status $?"
	PEER_PID=
	# its backends have exited and been reaped (pg_reaped counts them)
	for _ in $(seq 50); do
		[ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'planq-peer'")" = 0 ] && break
		sleep 0.1
	done
	snap "$WORK/cpu.peer.1"
	LSN1=$(sql -c "SELECT pg_current_wal_lsn()")
	PEER_WAL=$(sql -c "SELECT pg_wal_lsn_diff('$LSN1', '$LSN0')")
	PEER_ROWS=$(row_count)
	PEER_DOCS=$(sql -c "SELECT count(*) FROM documents")
	PEER_PLANS=$(sql -c "SELECT count(*) FROM plans")
	PEER_DPS=$(field "$WORK/peer.rate" docs_per_s)
	PEER_EL=$(field "$WORK/peer.rate" elapsed)
	PEER_SELF=$(sed -n 's/^peer cpu: //p' "$WORK/peer.log")
	if grep -v -e '^peer cpu: ' -e '^peer: listening' "$WORK/peer.log" >"$WORK/peer.errors"; then
		log "the peer said (first lines; all in the work dir's peer.log):"
		head -n 5 "$WORK/peer.errors" >&2
	fi
fi

if [ -f "$WORK/refs/copy2.out" ]; then
	COPY_EL=$(field "$WORK/refs/copy2.out" elapsed)
	COPY_ROWS=${REF_ROWS[copy2]}
	COPY_WAL=${REF_WAL[copy2]}
	REF_CPU=${REF_CLIENT[copy2]}
fi

if [ "${BENCH_SKIP_EXTRA:-0}" != 1 ]; then
# ---- 4. p99 at half the peak rate -----------------------------------------------
HALF=$(awk -v p="$PEAK" 'BEGIN {printf "%.1f", p / 2}')
# The reference loads (and the peer) TRUNCATEd the tables and filled them
# again without statistics; planq's workers keep them analysed after a
# burst (planq_analyze_stale).  Start this phase from that state, so that it
# times acks, not a first ANALYZE of the reloaded tables (~1.5 s of one core
# here, when the workers' first call found them stale: bench/RESULTS.md,
# 2026-12-07 "lat").  VACUUM too: the ~570,000 rows just loaded in a few
# seconds would otherwise set off autovacuum's insert-triggered vacuums
# of the large tables during this phase, on the same two cores.
sql -c "VACUUM (ANALYZE)" >/dev/null
log "4. half of peak: $HALF docs/s paced, $(( DOCS / 2 )) new documents"
start_planqd
snap "$WORK/cpu.half.0"
run_drivers half "$WORK/h/manifest.tsv" "$DRIVERS" 64 "$HALF"
snap "$WORK/cpu.half.1"
# at this load batches are small (no worker waits for company,
# batch_wait_busy_pct), and a small transaction costs more per document
HALF_BATCHES=$(batches_line)
stop_planqd

# ---- 5. one 8 MiB document ------------------------------------------------------
log "5. one 8 MiB plan"
python3 bench/gen.py --out "$WORK/b" --big $(( 8 * 1024 * 1024 - 4096 )) --seed 9 --prefix b
start_planqd
W0=0; for p in $(worker_pids); do h=$(hwm_kb "$p"); [ "$h" -gt "$W0" ] && W0=$h; done
run_drivers big "$WORK/b/manifest.tsv" 1 1
WBIG=0; for p in $(worker_pids); do h=$(hwm_kb "$p"); [ "$h" -gt "$WBIG" ] && WBIG=$h; done
BIG_STATUS=$(grep -o 'stored=[0-9]* duplicate=[0-9]* rejected=[0-9]*' "$WORK/big.drv.0")
BIG_LAT=$(field "$WORK/big.latency" p50_ms)
BIG_REASON=$(sql -c "SELECT coalesce(left(reason, 160), 'ok') FROM documents ORDER BY id DESC LIMIT 1")
stop_planqd

# ---- 6. overload: unpaced, far more in flight than the queue holds; planqd RSS
OVER_N=$(awk -v p="$PEAK" -v d="$DOCS" 'BEGIN {n = int(p * 2 * 20); if (n > 4 * d) n = 4 * d; if (n < 1000) n = 1000; print n}')
log "6. overload: $OVER_N new documents, unpaced, $DRIVERS x 2000 in flight (queue_max is 64)"
python3 bench/gen.py --out "$WORK/o" --docs "$OVER_N" --seed 10 --prefix o
start_planqd
RSS_START=$(rss_kb "$PLANQD_PID")
( while kill -0 "$PLANQD_PID" 2>/dev/null; do echo "$(date +%s.%N) $(rss_kb "$PLANQD_PID")"; sleep 0.5; done ) >"$WORK/rss.over" &
SAMPLER=$!
run_drivers over "$WORK/o/manifest.tsv" "$DRIVERS" 2000
kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true
OVER_HWM=$(hwm_kb "$PLANQD_PID")
stop_planqd
OVER_RSS=$(awk '{print $2}' "$WORK/rss.over" | sort -n | awk '{v[NR]=$1} END {printf "samples=%d min=%d median=%d max=%d", NR, v[1], v[int((NR+1)/2)], v[NR]}')
OVER_SERIES=$(awk 'NR == 1 {t0 = $1} {if ((NR - 1) % 8 == 0) printf "%.0fs:%d ", $1 - t0, $2 / 1024}' "$WORK/rss.over")

# ---- 8. scale-out: two planqd on one database, the same documents to both -----
# as on two hosts: each instance its own runtime dir and $WORKERS workers;
# here both share this machine's cores.  Pair figures: distinct documents
# stored per second, and replies (stored + duplicate + rejected) per second.
log "8. scale-out: two planqd, the same $DOCS documents sent to both"
truncate_all
start_planqd
EP_B=tcp://127.0.0.1:$(( PORT + 1 ))
"$PLANQ_BIN/planqd" --listen "$EP_B" --db "$PLANQ_DB" --workers "$WORKERS" \
	--runtime-dir "$WORK/run-b" 2>>"$WORK/planqd-b.log" &
PLANQD_B_PID=$!
for _ in $(seq 200); do
	[ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'planq-worker%'")" -ge $(( 2 * WORKERS )) ] && break
	sleep 0.1
done
HALF_D=$(( (DRIVERS + 1) / 2 ))
T0=$(date +%s.%N)
DRIVER_PIDS=()
for ep in "$EP" "$EP_B"; do
	for (( i = 0; i < HALF_D; i++ )); do
		"$BENCH_BIN/driver" --to "$ep" --manifest "$WORK/m/manifest.tsv" --concurrency "$CONC" \
			--shard "$i/$HALF_D" --lat "$WORK/pair.lat.${ep##*:}.$i" \
			--timeout "${BENCH_TIMEOUT:-900}" >"$WORK/pair.drv.${ep##*:}.$i" &
		DRIVER_PIDS+=($!)
	done
done
for p in "${DRIVER_PIDS[@]}"; do wait "$p" || log "a pair driver failed"; done
DRIVER_PIDS=()
T1=$(date +%s.%N)
kill -TERM "$PLANQD_B_PID" 2>/dev/null || true; wait "$PLANQD_B_PID" 2>/dev/null || true
stop_planqd
PAIR_EL=$(awk -v a="$T0" -v b="$T1" 'BEGIN {printf "%.3f", b - a}')
PAIR_DOCS=$(sql -c "SELECT count(*) FROM documents")
PAIR_DUPS=$(sql -c "SELECT count(*) - count(DISTINCT sha256) FROM documents")
PAIR_REPLIES=$(cat "$WORK"/pair.drv.* | grep -o 'acked=[0-9]*' | awk -F= '{s += $2} END {print s}')
PAIR_STORED=$(cat "$WORK"/pair.drv.* | grep -o ' stored=[0-9]*' | awk -F= '{s += $2} END {print s}')
PAIR_LAT=$($STATS lat "$WORK"/pair.lat.*)

# ---- 7. parse only, one core ----------------------------------------------------
log "7. parse only"
PARSE=$("$BENCH_BIN/parsebench" "$WORK/m/manifest.tsv" 1)

# ---- 9. views: a full read of every view at BENCH_VIEW_DOCS documents ---------
if [ "${BENCH_SKIP_VIEWS:-0}" != 1 ]; then
	log "9. views: ${BENCH_VIEW_DOCS:-20000} documents, then a full read of every view (bench/views.sh)"
	views_phase
fi
fi

# ---- the table --------------------------------------------------------------------
CPU_P=$($STATS cpu "$WORK/cpu.planq.0" "$WORK/cpu.planq.1" "$HZ")
CPU_C=n/a COPY_DPS=n/a
if [ -f "$WORK/refs/copy2.out" ]; then
	CPU_C=$($STATS cpu "$WORK/cpu.copy.0" "$WORK/cpu.copy.1" "$HZ")
	COPY_DPS=$(awk -v n="$ACKED" -v t="$COPY_EL" 'BEGIN {printf "%.1f", n / t}')
fi
trow() { printf '%-66s | %9s | %9s | %6s\n' "$@"; }
div() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN {if (b + 0 > 0) printf f, a / b; else print "n/a"}'; }
{
echo
echo "planq bench $(date -u +%Y-%m-%dT%H:%MZ)  nproc=$(nproc)  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')  PostgreSQL $PGVER"
echo "  $DURAB; corpus $DOCS docs $MBYTES MB (seed 6); $WORKERS workers; $DRIVERS drivers x $CONC in flight"
echo "  load avg at end: $(cut -d' ' -f1-3 /proc/loadavg) (other users of this machine make figures noisy)"
echo
trow method docs/s rows/s ratio
printf '%s-+-%s-+-%s-+-%s\n' "$(printf '%066d' 0 | tr 0 -)" --------- --------- ------
trow "planq ($WORKERS workers, ack after commit)" "$PEAK" \
	"$(div "$PLANQ_ROWS" "$PEAK_EL" %.0f)" "$(div "$PEAK" "$COPY_DPS" %.2f)"
if [ -n "${PEER_DPS:-}" ]; then
	trow "Python peer ($WORKERS procs: planq parse per doc, psycopg, 1 txn/doc)" "$PEER_DPS" \
		"$(div "$PEER_ROWS" "$PEER_EL" %.0f)" "$(div "$PEER_DPS" "$COPY_DPS" %.2f)"
fi
REF_DETAIL= REF_BAD=
for r in $REFS; do
	el=$(field "$WORK/refs/$r.out" elapsed)
	dps=$(div "$ACKED" "$el" %.1f)
	trow "${REF_LABEL[$r]}" "$dps" "$(div "${REF_ROWS[$r]}" "$el" %.0f)" "$(div "$dps" "$COPY_DPS" %.2f)"
	REF_DETAIL="$REF_DETAIL $r ${el}s $(( ${REF_WAL[$r]} / 1024 / 1024 ))MB ${REF_CLIENT[$r]}s;"
	[ "${REF_ROWS[$r]}" = "$PLANQ_ROWS" ] || REF_BAD="$REF_BAD $r=${REF_ROWS[$r]}"
done
echo "ratio = docs/s / the docs/s of COPY, 2 connections (planq's $WORKERS workers hold $WORKERS database"
echo "connections); every method loads the rows planq stored: its docs/s = $ACKED documents / its time"
[ -z "${PEER_DPS:-}" ] || echo "the peer parses and stores the same corpus sent by the same drivers: docs/s counted as planq's"
echo
if [ -n "$REFS" ]; then
	echo "rows: planq inserted $PLANQ_ROWS rows for $ACKED acked documents in $PEAK_EL s;" \
		"COPY, 2 connections ${COPY_ROWS:-n/a} rows in ${COPY_EL:-n/a} s ($REF_MB MB of COPY text);" \
		"$([ -z "$REF_BAD" ] && echo "every method loaded $PLANQ_ROWS rows" || echo "ROW COUNT MISMATCH:$REF_BAD")"
	echo "methods (refload's time, WAL, refload's CPU):${REF_DETAIL%;}"
else
	echo "rows: planq inserted $PLANQ_ROWS rows for $ACKED acked documents in $PEAK_EL s; no reference method run (BENCH_REFS)"
fi
echo "acks: $(cut -d' ' -f4- "$WORK/peak.rate")"
echo "batches handed to planq's workers in the throughput phase: $BATCHES"
if [ -n "${PEER_DPS:-}" ]; then
	if [ "$PEER_DOCS $PEER_PLANS $PEER_ROWS" = "$PLANQ_DOCS $PLANQ_PLANS $PLANQ_ROWS" ]; then
		same="the same as planq"
	else
		same="DIFFERENT from planq's $PLANQ_DOCS documents, $PLANQ_PLANS plans, $PLANQ_ROWS rows"
	fi
	echo "peer: $PEER_DOCS documents, $PEER_PLANS plans, $PEER_ROWS rows ($same) in $PEER_EL s;" \
		"acks: $(cut -d' ' -f4- "$WORK/peer.rate")"
	echo "peer: WAL $(( PEER_WAL / 1024 / 1024 )) MB; latency $(cat "$WORK/peer.latency")"
	echo "CPU s peer run: $($STATS cpu "$WORK/cpu.peer.0" "$WORK/cpu.peer.1" "$HZ")   (elapsed $PEER_EL s;" \
		"the peer's own processes, planq parse included, are in others_on_machine: $PEER_SELF)"
fi
echo "WAL:  planq $(( PLANQ_WAL / 1024 / 1024 )) MB ($(( PLANQ_WAL / ACKED )) B/doc); COPY, 2 connections $([ -n "${COPY_WAL:-}" ] && echo "$(( COPY_WAL / 1024 / 1024 )) MB" || echo n/a)"
$STATS bytes "$ACKED" "$WORK/bytes.planq.0" "$WORK/bytes.planq.1" "$PLANQ_WAL" \
	"$WORK/bytes.copy.0" "$WORK/bytes.copy.1" "${COPY_WAL:-}"
echo "latency at peak ($DRIVERS x $CONC in flight): $(cat "$WORK/peak.latency")"
echo "latency light (1 in flight, 10 KB plans):      $(cat "$WORK/light.latency")   $(field "$WORK/light.rate" docs_per_s) docs/s"
if [ "${BENCH_SKIP_EXTRA:-0}" != 1 ]; then
echo "latency at half peak ($HALF docs/s paced):   $(cat "$WORK/half.latency")   achieved $(field "$WORK/half.rate" docs_per_s) docs/s; $HALF_BATCHES"
echo "CPU ms per document at half of peak: $(planq_ms_per_doc "$($STATS cpu "$WORK/cpu.half.0" "$WORK/cpu.half.1" "$HZ")" $(( DOCS / 2 )))"
fi
echo "CPU s planq run: $CPU_P   (elapsed $PEAK_EL s, $(nproc) cores)"
echo "CPU s COPY run (2 connections): $CPU_C refload=${REF_CPU:-n/a}   (elapsed ${COPY_EL:-n/a} s)"
echo "CPU ms per document: planq $(planq_ms_per_doc "$CPU_P" "$ACKED"); COPY $(echo "$CPU_C" | tr ' ' '\n' | awk -F= -v n="$ACKED" -v c="${REF_CPU:-0}" '$1 == "pg_total" {p = $2} $1 == "pg_kernel" {k = $2} END {if (p == "") printf "n/a"; else printf "pg_total %.2f, (pg in the kernel %.2f), refload %.2f, all %.2f", 1000 * p / n, 1000 * k / n, 1000 * c / n, 1000 * (p + c) / n}')"
echo "peak RSS (VmHWM) kB: planqd $PLANQD_HWM; workers$WHWM; worker backends$BHWM"
if [ "${BENCH_SKIP_EXTRA:-0}" != 1 ]; then
echo "worker RSS (VmHWM) kB: 10 KB plans $W10; fresh $W0; after one 8 MiB plan $WBIG ($BIG_STATUS, ${BIG_LAT} ms, reason: $BIG_REASON)"
echo "planqd RSS under overload (kB): start $RSS_START; $OVER_RSS; VmHWM $OVER_HWM; acked $(field "$WORK/over.rate" docs_per_s) docs/s; $(cut -d' ' -f4- "$WORK/over.rate" | tr ' ' '\n' | grep -E 'retry|failed' | tr '\n' ' ')"
echo "planqd RSS series (s:MB): $OVER_SERIES"
echo "scale-out, 2 planqd x $WORKERS workers, same $DOCS docs to both: $(awk -v n="$PAIR_DOCS" -v t="$PAIR_EL" 'BEGIN {printf "%.1f", n / t}') distinct docs/s stored, $(awk -v n="$PAIR_REPLIES" -v t="$PAIR_EL" 'BEGIN {printf "%.1f", n / t}') replies/s; $PAIR_DOCS rows for $PAIR_REPLIES replies ($PAIR_STORED stored), sha256 twice: $PAIR_DUPS; $PAIR_LAT"
echo "$PARSE"
views_report
fi
if [ -f "$WORK/pgss.txt" ]; then
	echo; echo "pg_stat_statements (track=all), top by total time:"; cat "$WORK/pgss.txt"
fi
} | tee "$WORK/report.txt"
if [ -n "${BENCH_OUT:-}" ]; then cp "$WORK/report.txt" "$BENCH_OUT"; fi
exit 0
