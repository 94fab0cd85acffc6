#!/usr/bin/env bash
# bench/views.sh: the views phase of `make bench`: how long a full read of
# every reporting view takes once BENCH_VIEW_DOCS (20,000) generated
# documents are stored (bench/RESULTS.md, docs/REPORTING.md).
#
# bench/run.sh sources this file and calls views_phase after its other
# phases, then views_report inside its table.  Run alone, it sets up its
# own cluster and prints the same lines:
#   bash bench/views.sh              (make bench-views)
#   BENCH_VIEW_DOCS=2000 bash bench/views.sh
#   BENCH_VIEW_RUNS=5 (reads per view; the median is printed, default 3)
#   BENCH_KEEP=1 (standalone: keep the cluster and corpus under the work dir)
#
# What it does, on a database it empties first (TRUNCATE of every planq
# table):
#  1. gen.py --docs BENCH_VIEW_DOCS --seed 11, sent through planqd (2
#     workers, 4 drivers x 8 in flight): the plans, their versions and rows
#     of a few years of Osaka's plans, many times over.
#  2. After the last reply, planqd runs until its idle workers have stored
#     plan_changes' rows for every pair of plan versions
#     (planq_store_plan_changes, workers/maintain.c; the line says how long
#     that took), then stops.  At once, before anyone runs ANALYZE by hand
#     ("fresh"): one full read of every view, to see what the planner does
#     with whatever statistics the ingest left (the workers' calls of
#     planq_analyze_stale() during the load and after it; autovacuum
#     may or may not have analysed the tables by then; the line says which
#     tables each had).
#  3. ANALYZE (the whole database); one read of plan_changes as if no pair
#     were stored (a transaction that empties the stored rows, rolled
#     back); then BENCH_VIEW_RUNS full reads of every view ("analysed"),
#     median.
# A full read is `COPY (SELECT * FROM view) TO STDOUT` from a new psql to
# /dev/null, timed around the psql process (so it includes connecting,
# ~10 ms), which makes the server produce and send every row and column.
# search_plans('防災') is timed the same way, as the one function analysts
# call like a view.

# views_time QUERY: seconds one full read of QUERY takes (rows to /dev/null)
views_time() {
	local t0 t1
	t0=$(date +%s.%N)
	sql -c "COPY ($1) TO STDOUT" >/dev/null
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}'
}

# views_list: "name<TAB>query" for every view of the schema, then the search
views_list() {
	sql -F $'\t' -c "SELECT c.relname, 'SELECT * FROM ' || quote_ident(c.relname)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'v' ORDER BY 1"
	printf "%s\t%s\n" "search_plans('防災')" "SELECT * FROM search_plans('防災')"
}

# views_median N VALUES…: the median of N values
views_median() {
	shift
	printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}

# views_load DIR EP: the corpus into the database through a planqd at EP
views_load() {
	local dir=$1 ep=$2 pid i rc=0 pids=()
	: >"$dir/planqd.log"
	"$PLANQ_BIN/planqd" --listen "$ep" --db "$PLANQ_DB" --workers 2 \
		--runtime-dir "$dir/run" 2>>"$dir/planqd.log" &
	pid=$!
	VIEWS_PLANQD_PID=$pid	# for the caller's cleanup on an interrupt
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || { cat "$dir/planqd.log" >&2; return 1; }
		[ "$(sql -c "SELECT count(*) FROM pg_stat_activity
			WHERE application_name LIKE 'planq-worker%'")" -ge 2 ] && break
		sleep 0.1
	done
	for (( i = 0; i < 4; i++ )); do
		"$BENCH_BIN/driver" --to "$ep" --manifest "$dir/corpus/manifest.tsv" \
			--concurrency 8 --shard "$i/4" --timeout "${BENCH_TIMEOUT:-1800}" \
			>"$dir/drv.$i" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	[ $rc = 0 ] && views_changes_caught_up "$dir"
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	VIEWS_PLANQD_PID=
	[ $rc = 0 ] || { cat "$dir"/drv.* >&2; return 1; }
}

# views_changes_caught_up DIR: waits until the workers, idle after the
# load, have stored plan_changes' rows for every pair of plan versions
# (planq_store_plan_changes, workers/maintain.c), up to 10 minutes; how
# long that took goes to DIR/report.changes
views_changes_caught_up() {
	local t0 n left=1
	t0=$(date +%s.%N)
	for _ in $(seq 600); do
		left=$(sql -c "SELECT count(*) FROM plan_version_pairs v WHERE NOT EXISTS
			(SELECT 1 FROM plan_change_pairs s
			  WHERE s.from_plan_id = v.from_plan_id AND s.to_plan_id = v.to_plan_id)")
		[ "$left" = 0 ] && break
		sleep 1
	done
	n=$(sql -c "SELECT count(*) FROM plan_change_pairs")
	awk -v a="$t0" -v b="$(date +%s.%N)" -v n="$n" -v l="$left" \
		'BEGIN {printf "%d pairs stored by the idle workers %.1f s after the last reply (%d left)", n, b - a, l}' \
		>"$1/report.changes"
}

# views_unstored_changes: one full read of plan_changes as if no pair were
# stored (the view diffs every pair itself: what a read gets while the
# workers are still busy with a burst), in a transaction rolled back
views_unstored_changes() {
	psql -X -Atq -v ON_ERROR_STOP=1 -c "BEGIN" \
		-c "TRUNCATE plan_change_pairs, plan_change_rows" -c '\timing on' \
		-c "COPY (SELECT * FROM plan_changes) TO STDOUT" -c '\timing off' \
		-c "ROLLBACK" | grep -a '^Time: ' | awk '{printf "%.3f", $2 / 1000}'
}

# views_phase: steps 1-3 above; the figures go to $VIEWS_DIR/report
views_phase() {
	local n=${BENCH_VIEW_DOCS:-20000} runs=${BENCH_VIEW_RUNS:-3}
	local dir=$WORK/views ep name query t fresh times r
	dir=$WORK/views
	VIEWS_DIR=$dir
	mkdir -p "$dir"
	ep=tcp://127.0.0.1:$(( 30000 + RANDOM % 20000 ))
	python3 "$ROOT/bench/gen.py" --out "$dir/corpus" --docs "$n" --seed 11 --prefix v
	sql -c "SET client_min_messages = warning" \
		-c "TRUNCATE documents, ingest_events RESTART IDENTITY CASCADE"
	views_load "$dir" "$ep" || return 1
	rm -rf "$dir/corpus"
	sql -F ' ' -c "SELECT 'stored:', (SELECT count(*) FROM documents) || ' documents,',
		(SELECT count(*) FROM plans) || ' plans,',
		(SELECT count(*) FROM plans WHERE is_current) || ' current,',
		(SELECT count(*) FROM initiatives) || ' initiatives'" >"$dir/report.stored"
	sql -c "SELECT coalesce(string_agg(relname, ' ' ORDER BY relname), 'none')
		FROM pg_stat_user_tables WHERE last_autoanalyze IS NOT NULL" >"$dir/report.autoanalysed"
	# the workers' planq_analyze_stale() (workers/analyze.c): nobody else
	# runs ANALYZE by hand on this database before step 3
	sql -c "SELECT coalesce(string_agg(relname, ' ' ORDER BY relname), 'none')
		FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL" >"$dir/report.workers"
	# 2. fresh: one read each, whatever statistics there are
	views_list >"$dir/list"
	while IFS=$'\t' read -r name query; do
		printf '%s\t%s\n' "$name" "$(views_time "$query")"
	done <"$dir/list" >"$dir/fresh"
	# 3. analysed: the median of $runs reads
	sql -c "ANALYZE" >"$dir/analyze.log"
	views_unstored_changes >"$dir/report.unstored"
	while IFS=$'\t' read -r name query; do
		times=()
		for (( r = 0; r < runs; r++ )); do times+=("$(views_time "$query")"); done
		fresh=$(awk -F'\t' -v n="$name" '$1 == n {print $2}' "$dir/fresh")
		printf '%s\t%s\t%s\t%s\n' "$name" \
			"$(sql -c "SELECT count(*) FROM ($query) s")" "$fresh" \
			"$(views_median "$runs" "${times[@]}")"
	done <"$dir/list" >"$dir/analysed"
}

# views_report: the phase's lines for the bench table
views_report() {
	[ -f "${VIEWS_DIR:-}/analysed" ] || return 0
	echo "views at ${BENCH_VIEW_DOCS:-20000} documents ($(cat "$VIEWS_DIR/report.stored"));" \
		"full read = COPY (SELECT * FROM view) TO STDOUT, seconds; fresh = right after" \
		"the load (autoanalysed by then: $(cat "$VIEWS_DIR/report.autoanalysed");" \
		"analysed by the workers' planq_analyze_stale(): $(cat "$VIEWS_DIR/report.workers")), analysed =" \
		"after ANALYZE, median of ${BENCH_VIEW_RUNS:-3}"
	echo "  plan_changes' stored rows: $(cat "$VIEWS_DIR/report.changes");" \
		"a full read with none stored (the view diffs every pair, as while" \
		"the workers are busy): $(cat "$VIEWS_DIR/report.unstored") s"
	printf '  %-34s %9s %8s %9s\n' view rows fresh analysed
	awk -F'\t' '{printf "  %-34s %9s %8s %9s\n", $1, $2, $3, $4}' "$VIEWS_DIR/analysed"
	awk -F'\t' 'BEGIN {m = 0} {if ($3 > m) {m = $3; v = $1}; if ($4 > a) {a = $4; w = $1}}
		END {printf "  slowest: fresh %s %.3f s; analysed %s %.3f s\n", v, m, w, a}' \
		"$VIEWS_DIR/analysed"
}

# ---- standalone --------------------------------------------------------------
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	. "$(dirname "$0")/lib.sh"
	bench_init bench-views
	views_cleanup() {
		local rc=$?
		[ -z "${VIEWS_PLANQD_PID:-}" ] || kill -TERM "$VIEWS_PLANQD_PID" 2>/dev/null || true
		bench_finish $rc
	}
	trap views_cleanup EXIT
	pg_start "$PGDIR"
	"$PLANQ_BIN/planq" db migrate --db "$PLANQ_DB" >/dev/null
	PGVER=$(sql -c "SHOW server_version")
	views_phase
	echo
	echo "planq bench views $(date -u +%Y-%m-%dT%H:%MZ)  nproc=$(nproc)  PostgreSQL $PGVER"
	echo "  load avg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
	views_report
fi
