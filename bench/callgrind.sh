#!/usr/bin/env bash
# bench/callgrind.sh: instructions per document in one PostgreSQL backend,
# planq's batch function (planq_ingest_rows, the worker's call) against
# COPY of the same rows (`make
# bench-callgrind`; bench/RESULTS.md).  Counted by valgrind's callgrind,
# so the figures do not move with the machine's load as CPU times do.
#   BENCH_CG_DOCS=400   documents of bench/gen.py's corpus (seed 6)
#   BENCH_CG_BATCH=10   planqd's --batch-max while the calls are captured
#   BENCH_KEEP=1        keep the work dir (the callgrind.out.* files, for
#                       callgrind_annotate: per function)
# 1. A private cluster (tests/lib/pg.sh), `planq db migrate`, and in front
#    of planq_ingest_rows a wrapper with the same arguments that keeps
#    each call's arguments (table bench_calls) and calls the real function,
#    renamed: planqd with one worker stores the corpus, and the worker's
#    own batches are captured as it sent them.
# 2. Every table's stored rows are written out (COPY TO, server side).
# 3. The server is stopped and `postgres --single` runs under callgrind
#    on that data directory three times, each from emptied tables (TRUNCATE
#    … RESTART IDENTITY): "start" does only that; "planq" then replays
#    every captured call in order, one transaction each, as the worker did;
#    "copy" loads the written rows with COPY FROM, table after table, in
#    one transaction.  Per document: (run − start) / documents captured.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_init callgrind
DOCS=${BENCH_CG_DOCS:-400}
BATCH=${BENCH_CG_BATCH:-10}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$PLANQD_PID" ]; then
		kill -TERM "$PLANQD_PID" 2>/dev/null || true
		wait "$PLANQD_PID" 2>/dev/null || true
	fi
	bench_finish $rc
}
trap cleanup EXIT INT TERM

# ---- 1. capture the worker's calls -------------------------------------------
log "work dir $WORK; $DOCS documents, batches of up to $BATCH, one worker"
python3 bench/gen.py --out "$WORK/m" --docs "$DOCS" --seed 6 --prefix m >/dev/null
pg_start "$PGDIR"
"$PLANQ_BIN/planq" db migrate --db "$PLANQ_DB" >/dev/null
sql <<SQL
ALTER FUNCTION planq_ingest_rows RENAME TO bench_ingest_batch_real;
CREATE TABLE bench_calls (n bigserial PRIMARY KEY, a1 bytea[], a2 bytea[],
	a3 jsonb[], a4 text[], a5 text[], a6 text[], a7 planq_plan_fact_row[], a8 text,
	a9 planq_plan_rowset);
-- stored as sent, uncompressed: reading a call back costs a copy, no pglz
DO \$\$
DECLARE c text;
BEGIN
	FOR c IN SELECT attname FROM pg_attribute WHERE attrelid = 'bench_calls'::regclass
	          AND attnum > 1 AND NOT attisdropped LOOP
		EXECUTE format('ALTER TABLE bench_calls ALTER COLUMN %I SET STORAGE EXTERNAL', c);
	END LOOP;
END \$\$;
CREATE FUNCTION planq_ingest_rows(p1 bytea[], p2 bytea[], p3 jsonb[], p4 text[],
	p5 text[], p6 text[], p7 planq_plan_fact_row[], p8 text, p9 planq_plan_rowset)
RETURNS TABLE (idx integer, status text, document_id bigint, plan_id bigint, reason text)
LANGUAGE plpgsql AS \$\$
BEGIN
	INSERT INTO bench_calls (a1, a2, a3, a4, a5, a6, a7, a8, a9)
	VALUES (p1, p2, p3, p4, p5, p6, p7, p8, p9);
	RETURN QUERY SELECT * FROM bench_ingest_batch_real(p1, p2, p3, p4, p5, p6,
		p7, p8, p9);
END \$\$;
SQL
"$PLANQ_BIN/planqd" --listen "$EP" --db "$PLANQ_DB" --workers 1 --batch-max "$BATCH" \
	--runtime-dir "$WORK/run" 2>"$WORK/planqd.log" &
PLANQD_PID=$!
for _ in $(seq 200); do
	[ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'planq-worker%'")" -ge 1 ] && break
	sleep 0.1
done
"$BENCH_BIN/driver" --to "$EP" --manifest "$WORK/m/manifest.tsv" --concurrency 32 \
	--shard 0/1 --lat "$WORK/lat" --timeout 900 >"$WORK/driver.out"
kill -TERM "$PLANQD_PID"; wait "$PLANQD_PID" || true; PLANQD_PID=
CALLS=$(sql -c "SELECT count(*) FROM bench_calls")
NDOCS=$(sql -c "SELECT sum(cardinality(a2)) FROM bench_calls")
ROWS=0; for t in $TABLES; do ROWS=$(( ROWS + $(sql -c "SELECT count(*) FROM $t") )); done
log "captured $CALLS calls, $NDOCS documents; $ROWS rows stored; $(grep -o 'stored=[0-9]* duplicate=[0-9]* rejected=[0-9]*' "$WORK/driver.out" | head -n 1)"
[ "$NDOCS" -gt 0 ] || { log "nothing captured"; exit 1; }

# ---- 2. the stored rows, for COPY ---------------------------------------------
# (the files live in the cluster's directory: the server writes and reads them)
mkdir -p "$PGDIR/rows"; chown postgres: "$PGDIR/rows" 2>/dev/null || true
COPYIN=""
for t in $TABLES; do
	cols=$(sql -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
		WHERE attrelid = '$t'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''")
	sql -c "COPY (SELECT $cols FROM $t) TO '$PGDIR/rows/$t.copy'"
	COPYIN="${COPYIN}COPY $t ($cols) FROM '$PGDIR/rows/$t.copy';

"
done
pg_stop "$PGDIR"

# ---- 3. one backend under callgrind ---------------------------------------------
TRUNC="TRUNCATE $(echo $TABLES | tr ' ' ','), bench_calls_done RESTART IDENTITY CASCADE;

"
# bench_calls_done: an empty table truncated with the others, so that the
# start-up run truncates exactly what the others do
printf 'CREATE TABLE IF NOT EXISTS bench_calls_done (n bigint);\n\n' >"$WORK/setup.sql"
{ cat "$WORK/setup.sql"; printf '%s' "$TRUNC"; } >"$WORK/start.sql"
{
	cat "$WORK/setup.sql"; printf '%s' "$TRUNC"
	for (( n = 1; n <= CALLS; n++ )); do
		printf 'BEGIN;\n\nSELECT count(*) FROM bench_calls c, bench_ingest_batch_real(c.a1, c.a2, c.a3, c.a4, c.a5, c.a6, c.a7, c.a8, c.a9) b WHERE c.n = %d;\n\nCOMMIT;\n\n' "$n"
	done
} >"$WORK/planq.sql"
{ cat "$WORK/setup.sql"; printf '%s' "$TRUNC"; printf 'BEGIN;\n\n%sCOMMIT;\n\n' "$COPYIN"; } >"$WORK/copy.sql"
chown postgres: "$WORK"/*.sql 2>/dev/null || true
mkdir -p "$PGDIR/cg"; chown postgres: "$PGDIR/cg" 2>/dev/null || true

cg_run() {	# name -> instructions
	local name=$1
	pg__as_owner valgrind --tool=callgrind --callgrind-out-file="$PGDIR/cg/callgrind.out.$name" \
		"$PG_BINDIR/postgres" --single -j -D "$PGDIR/data" -c fsync=off planq \
		<"$WORK/$name.sql" >"$WORK/$name.log" 2>&1 ||
		{ tail -n 20 "$WORK/$name.log" >&2; return 1; }
	if grep -q 'ERROR:' "$WORK/$name.log"; then
		grep -m 3 'ERROR:' "$WORK/$name.log" >&2; return 1
	fi
	awk '/^(summary|totals):/ {print $2; exit}' "$PGDIR/cg/callgrind.out.$name"
}
log "callgrind: start-up"
I0=$(cg_run start)
log "callgrind: planq, $CALLS calls replayed"
IP=$(cg_run planq)
log "callgrind: COPY of the same rows"
IC=$(cg_run copy)
[ "${BENCH_KEEP:-0}" = 1 ] && cp "$PGDIR"/cg/callgrind.out.* "$WORK/"
awk -v s="$I0" -v p="$IP" -v c="$IC" -v n="$NDOCS" -v calls="$CALLS" -v rows="$ROWS" 'BEGIN {
	printf "callgrind, one backend (postgres --single), %d documents in %d calls, %d rows:\n", n, calls, rows
	printf "  instructions per document: planq_ingest_rows %.2f M, COPY of the same rows %.2f M (ratio %.2f)\n",
		(p - s) / n / 1e6, (c - s) / n / 1e6, (p - s) / (c - s)
	printf "  (start-up and TRUNCATE %.0f M subtracted; totals: start %.0f, planq %.0f, copy %.0f)\n", s / 1e6, s, p, c
}'
