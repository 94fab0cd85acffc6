#!/usr/bin/env bash
# deploy/run-local.sh: what `make run` does after building.  Starts (or
# reuses) a private PostgreSQL cluster under ./var/pg, migrates it, runs
# planqd in the foreground, sends the sample plans in samples/, shows what
# landed, and keeps running until Ctrl-C, then stops everything cleanly.
#   PLANQ_LISTEN=tcp://127.0.0.1:5570   where planqd listens
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
listen=${PLANQ_LISTEN:-tcp://127.0.0.1:5570}
mkdir -p var
. tests/lib/pg.sh

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "PostgreSQL cluster under var/pg"
pg_start "$root/var/pg"
echo "running on socket $PGHOST port $PGPORT"
bin/planq db migrate --db "$PLANQ_DB"

planqd_pid=
stop_all() {
	trap - INT TERM EXIT
	if [ -n "$planqd_pid" ] && kill -0 "$planqd_pid" 2>/dev/null; then
		kill -TERM "$planqd_pid" 2>/dev/null || true
		wait "$planqd_pid" 2>/dev/null || true
	fi
	say "stopping PostgreSQL"
	pg_stop "$root/var/pg"
	echo "stopped; the data stays in var/ for the next \`make run\`"
}
trap stop_all INT TERM EXIT

say "planqd on $listen"
: >var/planqd.log
bin/planqd --listen "$listen" --db "$PLANQ_DB" --runtime-dir "$root/var/run" \
	2> >(tee -a var/planqd.log >&2) &
planqd_pid=$!
for _ in $(seq 100); do
	grep -q 'ready (pid' var/planqd.log 2>/dev/null && break
	kill -0 "$planqd_pid" 2>/dev/null || { echo "planqd failed to start"; exit 1; }
	sleep 0.1
done

say "sending the sample plans"
bin/planq send --to "$listen" samples/*.txt || true

say "what landed"
if bin/planq report --db "$PLANQ_DB" budgets 2>/dev/null; then :; else
	psql -X -P pager=off -c 'SELECT * FROM plan_budget_totals ORDER BY org_name, fiscal_year'
fi

cat <<MSG

planqd is running (pid $planqd_pid) and listening on $listen.
  send more documents:  bin/planq send --to $listen FILE|DIR …
  open psql:            psql "$PLANQ_DB"
  reports:              bin/planq report --db "$PLANQ_DB" plans
Ctrl-C stops planqd (it answers what is in flight first) and PostgreSQL.
MSG
wait "$planqd_pid" || true
