#!/usr/bin/env bash
# tests/chaos/chaos.sh: a seeded fault campaign against real processes
# (`make chaos`; docs/OPERATIONS.md, "Chaos campaign").
#
#   CHAOS_SECONDS   how long faults are injected (default 180)
#   CHAOS_SEED      the seed (default: drawn and printed); the same seed
#                   gives the same fault schedule and the same documents
#   CHAOS_MEAN_GAP  mean seconds between fault moments (default 6)
#   CHAOS_RATE      new documents a second at most (default 100; 0: as
#                   fast as planqd answers, about 1,000/s on two cores)
#   CHAOS_RSS_MAX_MB  planqd's largest acceptable RSS (default 256)
#   CHAOS_KEEP      where the run's logs are kept (build/chaos/seed-SEED)
#   CHAOS_FAILOVER  1: the database is a primary with a synchronous
#                   standby (tests/lib/replica.sh), planqd is given both
#                   hosts, and the schedule adds failovers: the primary's
#                   postmaster SIGKILLed, the standby promoted, a new
#                   standby built from it (default 0: one server)
#   CHAOS_FULL      how the spool's filesystem is made full: tmpfs (a
#                   128 MB tmpfs filled up; the default where this host
#                   can mount one) or fsize (RLIMIT_FSIZE 0 on planqd,
#                   which also stops its log lines until it is lifted)
#
# A private PostgreSQL and planqd (its spool on a 128 MB tmpfs when this
# host lets us mount one) take documents from tests/chaos/sender.py, which
# keeps 64 in flight (plans, duplicates, non-plans, bad messages) and logs
# every reply.  tests/chaos/schedule.py draws the faults from the seed:
# worker SIGKILL, planqd SIGKILL and restart on the same spool, PostgreSQL
# immediate stop or postmaster SIGKILL and start, a lock that makes the
# database slow, the spool's filesystem full, SIGHUP with another worker
# count, clients that vanish mid-send; alone or several at once.  The
# schedule is printed first.  When it is over, the faults are undone, the
# sender gets its last answers, the spool drains, and tests/chaos/verdict.py
# checks the invariant against the sender's log and the database.  planqd
# dying by itself, a process left behind, or planqd's RSS over the bound
# fail the run as well.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"
. "$ROOT/tests/lib/plansql.sh"	# q
. "$ROOT/tests/lib/replica.sh"

PY=/usr/bin/python3
CHAOS=$ROOT/tests/chaos
RUN_SECONDS=${CHAOS_SECONDS:-180}
SEED=${CHAOS_SEED:-$((($(date +%s%N) / 1000) % 1000000))}
MEAN_GAP=${CHAOS_MEAN_GAP:-6}
RATE=${CHAOS_RATE:-100}
RSS_MAX_MB=${CHAOS_RSS_MAX_MB:-256}
KEEP=${CHAOS_KEEP:-$ROOT/build/chaos/seed-$SEED}
FAILOVER=${CHAOS_FAILOVER:-0}
SAMPLES=("$ROOT"/samples/*.txt)
NOTPLANS=("$ROOT"/tests/fixtures/layouts/notplan_council_minutes.txt
	"$ROOT"/tests/fixtures/layouts/notplan_greeting_speech.txt
	"$ROOT"/tests/fixtures/layouts/notplan_vision_prose.txt
	"$ROOT"/tests/fixtures/layouts/notplan_404.html
	"$ROOT"/tests/fixtures/layouts/notplan_binary_junk.bin
	"$ROOT"/tests/fixtures/layouts/undecodable_highbytes.bin)
SPOOLFS=$TMP/spoolfs
CONF=$TMP/planqd.conf
LOCKERS=()
DB_STARTER=
SENDER=
MONITOR=
PLANQD_DIED=0
declare -A INJECTED=()

echo "# chaos: seed $SEED, faults for $RUN_SECONDS s (mean gap $MEAN_GAP s)"
REPLAY="make chaos CHAOS_SEED=$SEED CHAOS_SECONDS=$RUN_SECONDS${CHAOS_MEAN_GAP:+ CHAOS_MEAN_GAP=$MEAN_GAP}"
[ "$FAILOVER" = 1 ] && REPLAY="$REPLAY CHAOS_FAILOVER=1"
echo "# replay: $REPLAY"

# ---- the faults -------------------------------------------------------------

# the cluster that is the primary now (with CHAOS_FAILOVER, it changes)
db_dir() {
	if [ "$FAILOVER" = 1 ]; then echo "$REPLICA_PRIMARY"; else echo "$TMP/pg"; fi
}

pg_stop_immediate() {
	pg__as_owner "$PG_BINDIR/pg_ctl" -D "$(db_dir)/data" -m immediate -w -t 60 \
		stop >/dev/null 2>&1
}

# PostgreSQL starts in the background (the schedule goes on meanwhile);
# the next database fault waits for it
start_db() {
	# its own output: not the event's file, which the next event truncates
	{ pg_start_retry "$(db_dir)" || touch "$TMP/db_start.failed"; } \
		>>"$TMP/pg_start.err" 2>&1 &
	DB_STARTER=$!
}

db_started() {
	[ -n "$DB_STARTER" ] || return 0
	wait "$DB_STARTER"
	DB_STARTER=
	[ ! -e "$TMP/db_start.failed" ] || { rm -f "$TMP/db_start.failed"
		fail "PostgreSQL starts again" "$(tail -n 3 "$TMP/pg_start.err")"; }
}

# the primary killed, the standby promoted (in this shell: PGHOST and the
# roles change), and a new standby built from it in the background, which
# the next database fault waits for as it waits for a start
fail_over() {
	replica_failover || { fail "failover: the standby is promoted"; return; }
	echo "killed $(basename "$REPLICA_STANDBY"), promoted $(basename "$REPLICA_PRIMARY") in" \
		"$(awk -v a="$REPLICA_KILLED_AT" -v b="$REPLICA_PROMOTED_AT" 'BEGIN { printf "%.2f", b - a }') s"
	{ replica_rebuild_standby sync || touch "$TMP/db_start.failed"; } \
		>>"$TMP/pg_start.err" 2>&1 &
	DB_STARTER=$!
}

planqd_up() { [ -n "$PLANQD_PID" ] && kill -0 "$PLANQD_PID" 2>/dev/null; }

start_planqd() {
	planqd_restart --config "$CONF" --spool "$SPOOL"
	echo "$PLANQD_PID" >"$TMP/planqd.pid"
}

# planqd must only die by our hand: anything else is a failure (and, as
# systemd would, it is started again so the campaign goes on)
watch_planqd() {
	local rc
	[ -n "$PLANQD_PID" ] && ! kill -0 "$PLANQD_PID" 2>/dev/null || return 0
	wait "$PLANQD_PID"
	rc=$?
	PLANQD_DIED=$((PLANQD_DIED + 1))
	fail "planqd exited by itself" "status $rc at $(elapsed) s (planqd.log below)"
	grep -v ' status=' "$TMP/planqd.log" | tail -n 15 | sed 's/^/#   | /'
	start_planqd
}

fill_spool_fs() {
	if [ "$FULL_MODE" = tmpfs ]; then
		dd if=/dev/zero of="$SPOOLFS/filler" bs=1M >/dev/null 2>&1
		dd if=/dev/zero of="$SPOOLFS/filler2" bs=4k >/dev/null 2>&1
		echo "filesystem full: $(df -k --output=avail "$SPOOLFS" | tail -n 1) KiB free"
	elif planqd_up; then
		prlimit --pid "$PLANQD_PID" --fsize=0:unlimited &&
			echo "RLIMIT_FSIZE 0 on planqd $PLANQD_PID"
	fi
}

free_spool_fs() {
	if [ "$FULL_MODE" = tmpfs ]; then
		rm -f "$SPOOLFS/filler" "$SPOOLFS/filler2"
	elif planqd_up; then
		prlimit --pid "$PLANQD_PID" --fsize=unlimited:unlimited
	fi
}

kill_worker() {
	local pids
	mapfile -t pids < <(pgrep -P "${PLANQD_PID:-0}" -f planq-worker | sort -n)
	[ ${#pids[@]} -gt 0 ] || { echo "no worker to kill"; return; }
	kill -KILL "${pids[$(($1 % ${#pids[@]}))]}" 2>/dev/null &&
		echo "pid ${pids[$(($1 % ${#pids[@]}))]}"
}

lock_table() {
	psql -X -q -c "SET lock_timeout = '5s'; BEGIN; LOCK TABLE $1 IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep($2); COMMIT;" \
		>/dev/null 2>&1 7>&- &
	LOCKERS+=($!)
}

set_workers() {
	sed -i "s/^workers = .*/workers = $1/" "$CONF"
	planqd_up && kill -HUP "$PLANQD_PID"
}

vanish() {
	timeout 20 "$PY" "$CHAOS/vanish.py" "$ENDPOINT" "$1" "$TMP/vanish.jsonl" \
		"${SAMPLES[0]}" "chaos seed $SEED vanish $2" >>"$TMP/vanish.err" 2>&1 &
}

# run_event ACTION ARGS…: one line of the schedule
run_event() {
	local action=$1; shift
	case $action in
	worker_kill) kill_worker "$1" ;;
	planqd_kill) kill -KILL "$PLANQD_PID"; wait "$PLANQD_PID" 2>/dev/null
		PLANQD_PID= ;;
	planqd_start) start_planqd; echo "pid $PLANQD_PID" ;;
	db_stop) db_started; pg_stop_immediate ;;
	db_kill) db_started; pg_kill "$(db_dir)" ;;
	failover) db_started; fail_over ;;
	db_start) start_db ;;
	db_lock) db_started; lock_table "$1" "$2" ;;
	spool_full) fill_spool_fs ;;
	spool_free) free_spool_fs ;;
	sighup) set_workers "$1" ;;
	vanish) vanish "$1" "$NEVENT" ;;
	esac
	case $action in
	planqd_start|db_start|spool_free) ;;
	*) INJECTED[$action]=$((${INJECTED[$action]:-0} + 1)) ;;
	esac
}

elapsed() { awk -v a="$EPOCHREALTIME" -v b="$T0" 'BEGIN { printf "%.1f", a - b }'; }

# waits until T seconds after T0, watching planqd meanwhile
wait_until() {
	local left
	while :; do
		left=$(awk -v t="$1" -v a="$EPOCHREALTIME" -v b="$T0" 'BEGIN { d = t - (a - b); print (d > 1 ? 1 : d) }')
		awk -v d="$left" 'BEGIN { exit !(d <= 0) }' && return
		sleep "$left"
		watch_planqd
	done
}

run_schedule() {
	local t action args
	NEVENT=0
	while read -r t action args; do
		wait_until "$t"
		watch_planqd
		NEVENT=$((NEVENT + 1))
		# not in $(…): the event changes this shell's state
		# shellcheck disable=SC2086
		run_event "$action" $args >"$TMP/event.out" 2>&1
		echo "# $(elapsed) s: $action $args $(tr '\n' ' ' <"$TMP/event.out")"
	done <"$TMP/schedule.txt"
}

# every fault undone, whatever the schedule left
undo_faults() {
	free_spool_fs 2>/dev/null
	db_started
	pg_running_pid "$(db_dir)" >/dev/null || pg_start_retry "$(db_dir)" ||
		fail "PostgreSQL starts at the end"
	for p in "${LOCKERS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	LOCKERS=()
	planqd_up || { watch_planqd; planqd_up || start_planqd; }
}

# ---- what is measured ------------------------------------------------------

monitor_rss() {
	local pid rss
	while :; do
		pid=$(cat "$TMP/planqd.pid" 2>/dev/null)
		rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		[ -n "$rss" ] && echo "$(elapsed) $pid $rss"
		sleep 0.5
	done >>"$TMP/rss.log"
}

# the plan rows of the first store of each sample, before any fault
# one plan of each sample stored before any fault: the rows every later
# plan of that sample must have (verdict.py compares fingerprints)
reference_plans() {
	local s f out
	: >"$TMP/reference.tsv"
	for s in "${SAMPLES[@]}"; do
		f=$TMP/ref-$(basename "$s")
		{ cat "$s"; printf '\n<!-- chaos reference %s -->\n' "$SEED"; } >"$f"
		out=$(timeout 60 "$PLANQ" send --to "$ENDPOINT" --timeout 30 "$f" 2>&1)
		[[ "$out" == stored* ]] || fail "reference plan $(basename "$s") stored" "$out"
		printf '%s\t%s\n' "$(basename "$s")" "$(sha256sum "$f" | cut -c1-64)" \
			>>"$TMP/reference.tsv"
	done
}

# Every document with its plan's fingerprint: the md5 of every row of the
# plan without ids, as tests/lib/plansql.sh's test_plan_fingerprint(), for
# all plans in one pass (per plan, it takes hours on 100,000 plans).
dump_documents() {
	q -F $'\t' >"$TMP/db.tsv" <<'SQL'
SELECT encode(d.sha256, 'hex'), d.id, d.outcome,
       coalesce(translate(d.reason, E'\t\n', '  '), ''),
       coalesce(p.id::text, ''), coalesce(f.fingerprint, '')
  FROM documents d LEFT JOIN plans p ON p.document_id = d.id
  LEFT JOIN (
    SELECT plan_id, md5(string_agg(x, E'\n' ORDER BY x)) AS fingerprint FROM (
      SELECT pl.id, 'plan ' || (to_jsonb(pl) - '{id,document_id,is_current,stored_at,parser_version}'::text[])::text
        FROM plans pl
      UNION ALL SELECT t.plan_id, 'text ' || (to_jsonb(t) - 'plan_id')::text FROM plan_texts t
      UNION ALL SELECT i.plan_id, 'issue ' || (to_jsonb(i) - '{id,plan_id}'::text[])::text FROM issues i
      UNION ALL SELECT i.plan_id, 'strategy ' || i.ordinal || ' ' || (to_jsonb(s) - '{id,issue_id}'::text[])::text
        FROM strategies s JOIN issues i ON i.id = s.issue_id
      UNION ALL SELECT n.plan_id, 'initiative ' || i.ordinal || ' ' || coalesce(s.ordinal::text, '-') || ' '
             || (to_jsonb(n) - '{id,plan_id,issue_id,strategy_id}'::text[])::text
        FROM initiatives n JOIN issues i ON i.id = n.issue_id
        LEFT JOIN strategies s ON s.id = n.strategy_id
      UNION ALL SELECT n.plan_id, 'budget ' || n.seq || ' ' || (to_jsonb(b) - 'initiative_id')::text
        FROM budgets b JOIN initiatives n ON n.id = b.initiative_id
      UNION ALL SELECT r.plan_id, 'reform ' || (to_jsonb(r) - 'plan_id')::text FROM reforms r
      UNION ALL SELECT e.plan_id, 'evaluation ' || (to_jsonb(e) - 'plan_id')::text FROM evaluations e
      UNION ALL SELECT c.plan_id, 'council ' || (to_jsonb(c) - 'plan_id')::text FROM council_reflections c
      UNION ALL SELECT c.plan_id, 'contact ' || (to_jsonb(c) - 'plan_id')::text FROM contacts c
    ) AS z(plan_id, x) GROUP BY plan_id) f ON f.plan_id = p.id
SQL
}

stop_db() {
	if [ "$FAILOVER" = 1 ]; then replica_stop; else pg_stop "$TMP/pg"; fi
}

left_behind() { pgrep -a -f "$TMP" | grep -v "^$$ " || true; }

keep_logs() {
	mkdir -p "$KEEP"
	cp "$TMP"/{schedule.txt,planqd.log,rss.log,sender.jsonl,verdict.txt,reference.tsv} \
		"$KEEP"/ 2>/dev/null
	cp "$TMP/vanish.jsonl" "$KEEP"/ 2>/dev/null
	gzip -f "$KEEP/sender.jsonl" "$KEEP/planqd.log" 2>/dev/null
	echo "# logs kept in ${KEEP#"$ROOT"/}"
}

chaos_cleanup() {
	[ -n "$SENDER" ] && kill "$SENDER" 2>/dev/null
	[ -n "$MONITOR" ] && kill "$MONITOR" 2>/dev/null
	for p in "${LOCKERS[@]}"; do kill "$p" 2>/dev/null; done
	[ -d "$TMP" ] && keep_logs
	stop_db 2>/dev/null
	mountpoint -q "$SPOOLFS" 2>/dev/null && umount -l "$SPOOLFS"
	cleanup
}
trap chaos_cleanup EXIT

# ---- the campaign ----------------------------------------------------------

mkdir -p "$SPOOLFS"
if [ "${CHAOS_FULL:-tmpfs}" = tmpfs ] &&
    mount -t tmpfs -o size=128m tmpfs "$SPOOLFS" 2>/dev/null; then
	FULL_MODE=tmpfs
else
	FULL_MODE=fsize
	echo "# a full spool is RLIMIT_FSIZE 0 on planqd (no tmpfs: CHAOS_FULL=${CHAOS_FULL:-tmpfs}, or mount refused)"
fi
SPOOL=$SPOOLFS/spool
schedule_kinds=()
[ "$FAILOVER" = 1 ] && schedule_kinds=(failover)
"$PY" "$CHAOS/schedule.py" "$SEED" "$RUN_SECONDS" "$MEAN_GAP" "${schedule_kinds[@]}" \
	>"$TMP/schedule.txt" ||
	{ echo "cannot draw the schedule"; exit 1; }
echo "# schedule ($(wc -l <"$TMP/schedule.txt") events):"
sed 's/^/#   /' "$TMP/schedule.txt"

if [ "$FAILOVER" = 1 ]; then
	# planqd gets both hosts (target_session_attrs=read-write)
	replica_start "$TMP/replica" sync || { fail "primary and standby start"; finish; }
	"$PLANQ" db migrate --db "$PLANQ_DB" >"$TMP/migrate.log" 2>&1 ||
		{ cat "$TMP/migrate.log"; fail "migrate"; finish; }
	echo "# database: $PLANQ_DB (synchronous standby)"
else
	setup_db
fi
cat >"$CONF" <<EOF
workers = 2
job_timeout = 5
db_timeout = 8
db_retry_seconds = 2
max_body = 64k
drain_timeout = 30
EOF
PORT=$(random_port)
ENDPOINT=tcp://127.0.0.1:$PORT
T0=$EPOCHREALTIME
start_planqd
wait_for "[ \$(ready_workers) -ge 2 ]" 30 || { fail "planqd ready"; finish; }
reference_plans
T0=$EPOCHREALTIME
monitor_rss &
MONITOR=$!
"$PY" "$CHAOS/sender.py" --endpoint "$ENDPOINT" --seed "$SEED" \
	--log "$TMP/sender.jsonl" --stop-file "$TMP/stop" --max-body 65536 \
	--rate "$RATE" \
	--samples "${SAMPLES[@]}" --notplans "${NOTPLANS[@]}" \
	>"$TMP/sender.err" 2>&1 7>&- &
SENDER=$!
run_schedule
wait_until "$RUN_SECONDS"
echo "# $(elapsed) s: schedule over; undoing what is left"
undo_faults
touch "$TMP/stop"
check "the sender gets a final answer for every document" wait_pid "$SENDER" 300
SENDER=
echo "# $(elapsed) s: sender done; waiting for the spool to drain"
check "the spool drains" wait_for "[ \$(spool_segs '$SPOOL') -eq 0 ]" 180
watch_planqd
dump_documents
check "planqd stops cleanly" planqd_stop
echo "# $(elapsed) s: planqd stopped"
kill "$MONITOR" 2>/dev/null
wait "$MONITOR" 2>/dev/null
MONITOR=
stop_db
wait_for "[ -z \"\$(left_behind)\" ]" 30
assert_eq "no process left behind" "" "$(left_behind)"
assert_eq "planqd never died by itself" 0 "$PLANQD_DIED"

"$PY" "$CHAOS/verdict.py" --sender "$TMP/sender.jsonl" --db "$TMP/db.tsv" \
	--reference "$TMP/reference.tsv" --vanish "$TMP/vanish.jsonl" \
	--rss "$TMP/rss.log" --rss-max-mb "$RSS_MAX_MB" >"$TMP/verdict.txt" 2>&1
sed -n 's/^#/#/p' "$TMP/verdict.txt"
while read -r word rest; do
	case $word in
	ok) pass "$rest" ;;
	FAIL) fail "$rest" ;;
	esac
done < <(grep -E '^(ok|FAIL) ' "$TMP/verdict.txt")
faults=
for k in "${!INJECTED[@]}"; do faults="$faults $k=${INJECTED[$k]}"; done
echo "# faults injected:$(echo "$faults" | tr ' ' '\n' | sort | tr '\n' ' ')"
echo "# seed $SEED: replay with $REPLAY"
log_summary 12
finish
