# tests/lib/pg.sh: starts and stops a private PostgreSQL cluster for tests
# and `make run`.  Source it, then:
#   pg_start DIR      initdb into DIR (if empty), start on a unix socket in DIR
#                     with a random port; exports PGHOST PGPORT PGUSER
#                     PGDATABASE and PLANQ_DB (a DSN for planq).  A cluster
#                     still running in DIR (an interrupted `make run`) is
#                     reused; a postmaster.pid left by a dead one is removed
#   pg_stop DIR       fast shutdown
#   pg_restart DIR    stop + start on the same port
#   pg_kill DIR       SIGKILL the postmaster (crash test)
# initdb refuses to run as root, so as root the cluster belongs to the
# unprivileged "postgres" user (created by Debian's postgresql package).

PG_BINDIR=${PG_BINDIR:-$(pg_config --bindir 2>/dev/null)}
if [ ! -x "$PG_BINDIR/initdb" ]; then
	PG_BINDIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi

pg__as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# the postgres user must be able to reach DIR: open the search bit of
# each ancestor it cannot traverse (mktemp makes 0700 directories)
pg__open_path() {
	local d=$1
	while [ "$d" != / ] && [ -n "$d" ]; do
		runuser -u postgres -- test -x "$d" 2>/dev/null || chmod o+x "$d"
		d=$(dirname "$d")
	done
}

pg__random_port() {
	local p
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$(( 20000 + RANDOM % 12000 ))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"; return 0
		fi
	done
	echo $(( 20000 + RANDOM % 12000 ))
}

# the pid of the postmaster serving DIR's cluster, if one runs (a pid in a
# postmaster.pid whose process is gone, or is not that postmaster, is not)
pg_running_pid() {
	local dir=$1 pid
	pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null) || return 1
	[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir/data" || return 1
	echo "$pid"
}

# A postmaster.pid (or socket lock) whose pid now belongs to some other
# process (after a reboot, say) makes postgres refuse to start: remove it.
# One whose process is gone is left to postgres itself, which checks that
# no backend of the dead server still holds its shared memory.
pg__remove_stale_locks() {
	local dir=$1 f pid
	for f in "$dir/data/postmaster.pid" "$dir"/.s.PGSQL.*.lock; do
		[ -f "$f" ] || continue
		pid=$(head -n 1 "$f" 2>/dev/null)
		[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || continue
		tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir/data" && continue
		echo "pg: removing $f: its pid $pid is another program now" >&2
		rm -f "$f"
	done
}

pg__launch() {
	local dir=$1 port=$2
	pg__as_owner sh -c "echo $port > '$dir/port'"
	pg__as_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-p $port -k $dir -c listen_addresses='' -c max_connections=200 ${PG_EXTRA_OPTS:-}" \
		start >/dev/null 9>&-
}

pg_start() {
	local dir=$1 port
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$dir"
		chmod 700 "$dir"
		pg__open_path "$(dirname "$dir")"
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		pg__as_owner "$PG_BINDIR/initdb" -D "$dir/data" -U planq \
			-A trust -E UTF8 --no-locale --no-instructions >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; return 1; }
	fi
	if pg_running_pid "$dir" >/dev/null; then
		# still up (an interrupted run): use it as it is
		port=$(sed -n 4p "$dir/data/postmaster.pid")
		echo "pg: reusing the server already running in $dir (port $port)" >&2
	else
		pg__remove_stale_locks "$dir"
		if [ -f "$dir/port" ]; then port=$(cat "$dir/port"); else port=$(pg__random_port); fi
		if ! pg__launch "$dir" "$port"; then
			# the port may have been taken since the last run: another one
			grep -q 'could not bind\|could not create' "$dir/server.log" 2>/dev/null &&
				port=$(pg__random_port) && pg__launch "$dir" "$port" ||
				{ tail -n 20 "$dir/server.log" >&2; return 1; }
		fi
	fi
	for _ in $(seq 300); do
		"$PG_BINDIR/pg_isready" -q -h "$dir" -p "$port" && break
		sleep 0.1
	done
	export PGHOST=$dir PGPORT=$port PGUSER=planq
	export PGDATABASE=planq
	if ! psql -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname='planq'" | grep -q 1; then
		psql -d postgres -qc "CREATE DATABASE planq" >/dev/null || return 1
	fi
	export PLANQ_DB="host=$dir port=$port user=planq dbname=planq"
}

pg_stop() {
	local dir=$1
	pg_running_pid "$dir" >/dev/null || return 0
	pg__as_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1
}

pg_restart() {
	pg_stop "$1" && pg_start "$1"
}

pg_kill() {
	local dir=$1 pid
	pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null) || return 0
	kill -9 "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}
