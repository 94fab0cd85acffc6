#!/usr/bin/env bash
# deploy/run-local.sh: what `make run` does after building.  Starts (or
# reuses) a private PostgreSQL cluster under ./var/pg, migrates it, runs
# planqd, sends the sample plans in samples/, shows what landed, and keeps
# running until Ctrl-C, then stops everything it started.
#
#   PLANQ_LISTEN=tcp://127.0.0.1:5570   where planqd listens
#   PLANQ_RUN_DIR=./var                 cluster, logs, control socket
#   PLANQ_BIN=./bin                     the programs to run
#
# One run per directory: a second one says where the first runs and exits.
# The cluster of an interrupted run (still running, or stopped with a stale
# postmaster.pid) is reused; a planqd it left behind is stopped.  Ctrl-C,
# SIGTERM and a closed terminal (SIGHUP) all stop planqd and PostgreSQL,
# even when the output goes to a pipe whose reader is gone.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
listen=${PLANQ_LISTEN:-tcp://127.0.0.1:5570}
var=${PLANQ_RUN_DIR:-$root/var}
bin=${PLANQ_BIN:-$root/bin}
mkdir -p "$var"
var=$(cd "$var" && pwd)
. tests/lib/pg.sh

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# ---- one run at a time -----------------------------------------------------
# fd 9 holds the lock for as long as this script lives; no child inherits it
# (9>&- on each), so a run killed with SIGKILL frees it at once
exec 9>>"$var/run.lock"
if ! flock -n 9; then
	echo "make run: another make run is already running in this directory:" >&2
	sed 's/^/  /' "$var/run.info" >&2 2>/dev/null || true
	echo "Stop it with Ctrl-C in its terminal (or kill -INT on its pid above)," >&2
	echo "or use that one: bin/planq send --to ENDPOINT FILE…" >&2
	exit 1
fi
cat >"$var/run.info" <<INFO
pid $$ (started $(date '+%F %T'))
planqd listening on $listen
cluster $var/pg, control socket $var/run/control.sock
INFO

# a planqd left by a run that was killed: stop it (it may hold the port)
stop_leftover_planqd() {
	local pid
	pid=$(cat "$var/planqd.pid" 2>/dev/null) || return 0
	[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$bin/planqd" || return 0
	echo "stopping planqd (pid $pid) left by an earlier make run"
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
}

planqd_pid=
tail_pid=
stopping=
# Runs on Ctrl-C, SIGTERM, SIGHUP and at exit.  Output may go nowhere (the
# pipe's reader died first, or the terminal is gone): nothing here may
# stop the cleanup, so errors and SIGPIPE are ignored.
stop_all() {
	trap '' INT TERM HUP PIPE
	set +e
	[ -n "$stopping" ] && return
	stopping=1
	if [ -n "$planqd_pid" ] && kill -0 "$planqd_pid" 2>/dev/null; then
		kill -TERM "$planqd_pid" 2>/dev/null
		wait "$planqd_pid" 2>/dev/null
	fi
	rm -f "$var/planqd.pid"
	[ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
	say "stopping PostgreSQL" 2>/dev/null
	pg_stop "$var/pg" 9>&-
	rm -f "$var/run.info"
	echo "stopped; the data stays in $var for the next \`make run\`" 2>/dev/null
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

stop_leftover_planqd
say "PostgreSQL cluster under $var/pg"
pg_start "$var/pg" 9>&-
echo "running on socket $PGHOST port $PGPORT"
"$bin/planq" db migrate --db "$PLANQ_DB" 9>&-

say "planqd on $listen"
: >"$var/planqd.log"
"$bin/planqd" --listen "$listen" --db "$PLANQ_DB" --runtime-dir "$var/run" \
	2>>"$var/planqd.log" 9>&- &
planqd_pid=$!
echo "$planqd_pid" >"$var/planqd.pid"
# planqd's log on this terminal too (it dies with the terminal; the file stays)
tail -n +1 -f --pid="$planqd_pid" "$var/planqd.log" >&2 9>&- &
tail_pid=$!
for _ in $(seq 150); do
	grep -q 'ready (pid' "$var/planqd.log" 2>/dev/null && break
	kill -0 "$planqd_pid" 2>/dev/null || { echo "planqd failed to start; see $var/planqd.log"; exit 1; }
	sleep 0.1
done

say "sending the sample plans"
"$bin/planq" send --to "$listen" samples/*.txt 9>&- || true

say "what landed"
"$bin/planq" report --db "$PLANQ_DB" budgets 9>&- ||
	psql -X -P pager=off -c 'SELECT * FROM plan_budget_totals ORDER BY org_name, fiscal_year' 9>&-

status_hint="bin/planq status"
[ "$var" = "$root/var" ] || status_hint="PLANQ_CONTROL=$var/run/control.sock bin/planq status"
cat <<MSG

planqd is running (pid $planqd_pid) and listening on $listen.
  send more documents:  bin/planq send --to $listen FILE|DIR …
  its status:           $status_hint
  open psql:            psql "$PLANQ_DB"
  reports:              bin/planq report --db "$PLANQ_DB" plans
  its log:              $var/planqd.log
Ctrl-C stops planqd (it answers what is in flight first) and PostgreSQL.
MSG
wait "$planqd_pid" || true
