# tests/lib/replica.sh: a PostgreSQL primary and a streaming standby, for
# the failover tests (tests/faults/test_failover.sh), the replica-report
# test and the chaos campaign.  Source it after tests/lib/pg.sh (common.sh
# sources both).  Real servers: initdb, pg_basebackup -R, streaming
# replication over unix sockets in DIR/a and DIR/b, random ports.
#   replica_start DIR sync|async
#       DIR/a is the primary, DIR/b a hot standby made with pg_basebackup -R
#       that streams from it as application_name planq_standby.  sync: the
#       primary names it in synchronous_standby_names (ALTER SYSTEM, as
#       operators do, so pg_basebackup copies the setting into the standby's
#       postgresql.auto.conf: the trap replica_promote defuses) and every
#       commit waits for its flush (synchronous_commit = on).  Waits until
#       the standby streams.  Creates the database planq on the primary.
#       Exports REPLICA_DSN (host=A,B port=PA,PB … target_session_attrs=
#       read-write), REPLICA_PRIMARY_DSN, REPLICA_STANDBY_DSN (one host
#       each), and points PGHOST/PGPORT/PLANQ_DB at the pair's primary
#       (PLANQ_DB = REPLICA_DSN).  DIR/standby.auto.conf.as-copied is the
#       standby's postgresql.auto.conf as pg_basebackup wrote it.
#   replica_stall_standby, replica_resume_standby
#       SIGSTOP / SIGCONT the primary's walsender: the standby falls behind.
#       A synchronous standby then confirms nothing: commits wait.
#   replica_kill_primary
#       SIGKILL the primary's postmaster and every process of it at once
#       (the host is gone); REPLICA_KILLED_AT is the time (epoch seconds).
#   replica_promote
#       what an operator does: clear synchronous_standby_names on the standby
#       (it has no standby of its own; left set, every commit on the new
#       primary would wait for ever), pg_ctl promote, wait until it takes
#       writes, point PGHOST/PGPORT at it; REPLICA_PROMOTED_AT.  The roles
#       swap: REPLICA_PRIMARY is the promoted server, REPLICA_STANDBY the
#       dead one's directory.
#   replica_failover
#       replica_kill_primary, then replica_promote: the fault the chaos
#       campaign injects.
#   replica_rebuild_standby [sync|async]
#       after a failover: a new standby in the dead primary's directory
#       (REPLICA_STANDBY, same port), made from the new primary with
#       pg_basebackup -R and, when the pair is (now) sync, named in its
#       synchronous_standby_names once it streams.  REPLICA_DSN stays the
#       same.  Then the pair can fail over again.
#   replica_stop
#       stop what still runs of the pair (common.sh's cleanup calls it).

REPLICA_APP=planq_standby
REPLICA_DIR=
REPLICA_MODE=

# replica__psql DIR SQL: one statement on the server of cluster DIR
replica__psql() {
	psql -X -Atq -v ON_ERROR_STOP=1 -h "$1" -p "$(cat "$1/port")" -d planq -c "$2"
}

replica__dsn() {	# replica__dsn HOSTS PORTS
	echo "host=$1 port=$2 user=planq dbname=planq"
}

replica__wait_streaming() {
	local a=$1 mode=$2 i state
	for ((i = 0; i < 300; i++)); do
		state=$(replica__psql "$a" "SELECT sync_state FROM pg_stat_replication
		    WHERE application_name = '$REPLICA_APP' AND state = 'streaming'" 2>/dev/null)
		[ "$state" = "$mode" ] && return 0
		sleep 0.1
	done
	echo "replica: the standby does not stream ($mode) from $a" >&2
	return 1
}

# names the standby in the primary's synchronous_standby_names
replica__name_standby() {
	replica__psql "$1" "ALTER SYSTEM SET synchronous_standby_names = '$REPLICA_APP'" &&
		replica__psql "$1" "SELECT pg_reload_conf()" >/dev/null
}

# replica__basebackup FROM TO: a standby of FROM's server in TO/data
replica__basebackup() {
	local from=$1 to=$2
	mkdir -p "$to"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$to"
		chmod 700 "$to"
	fi
	pg__as_owner "$PG_BINDIR/pg_basebackup" -D "$to/data" -R -X stream -c fast \
		-d "host=$from port=$(cat "$from/port") user=planq application_name=$REPLICA_APP" \
		>"$REPLICA_DIR/basebackup.log" 2>&1 ||
		{ cat "$REPLICA_DIR/basebackup.log" >&2; return 1; }
}

# the roles: PRIMARY_DIR STANDBY_DIR
replica__roles() {
	REPLICA_PRIMARY=$1 REPLICA_STANDBY=$2
	REPLICA_PRIMARY_DSN=$(replica__dsn "$1" "$(cat "$1/port")")
	REPLICA_STANDBY_DSN=$(replica__dsn "$2" "$(cat "$2/port")")
	export REPLICA_PRIMARY REPLICA_STANDBY REPLICA_PRIMARY_DSN REPLICA_STANDBY_DSN
	replica__use "$1"
}

replica_start() {
	local dir=$1 mode=${2:-sync} a b
	case $mode in sync | async) ;; *) echo "replica_start: sync or async" >&2; return 2 ;; esac
	mkdir -p "$dir"
	REPLICA_DIR=$(cd "$dir" && pwd) REPLICA_MODE=$mode
	a=$REPLICA_DIR/a b=$REPLICA_DIR/b
	pg_start "$a" || return 1
	if [ "$mode" = sync ]; then
		replica__name_standby "$a" || return 1
	fi
	replica__basebackup "$a" "$b" || return 1
	# what the standby inherited, before anyone touches it (the trap)
	cp "$b/data/postgresql.auto.conf" "$REPLICA_DIR/standby.auto.conf.as-copied"
	pg_start "$b" || return 1
	replica__wait_streaming "$a" "$mode" || return 1
	REPLICA_DSN="$(replica__dsn "$a,$b" "$(cat "$a/port"),$(cat "$b/port")") target_session_attrs=read-write"
	export REPLICA_DSN
	replica__roles "$a" "$b"
}

# points psql (PGHOST/PGPORT) at cluster DIR and planq at the pair
replica__use() {
	export PGHOST=$1 PGPORT=$(cat "$1/port") PGUSER=planq PGDATABASE=planq
	export PLANQ_DB=$REPLICA_DSN
}

replica__walsenders() {
	replica__psql "$REPLICA_PRIMARY" "SELECT pid FROM pg_stat_replication
	    WHERE application_name = '$REPLICA_APP'"
}

replica_stall_standby() {
	local pids
	pids=$(replica__walsenders) && [ -n "$pids" ] || return 1
	echo "$pids" >"$REPLICA_DIR/stalled"
	# shellcheck disable=SC2086
	kill -STOP $pids
}

replica_resume_standby() {
	[ -f "$REPLICA_DIR/stalled" ] || return 0
	# shellcheck disable=SC2086
	kill -CONT $(cat "$REPLICA_DIR/stalled") 2>/dev/null
	rm -f "$REPLICA_DIR/stalled"
}

replica_kill_primary() {
	local pm children
	pm=$(pg_running_pid "$REPLICA_PRIMARY") || return 1
	# stopped, the postmaster starts no one while its children are listed
	kill -STOP "$pm"
	children=$(pgrep -P "$pm" | tr '\n' ' ')
	REPLICA_KILLED_AT=$(date +%s.%N)
	# shellcheck disable=SC2086
	kill -KILL "$pm" $children
	while kill -0 "$pm" 2>/dev/null; do sleep 0.05; done
	rm -f "$REPLICA_DIR/stalled"
	export REPLICA_KILLED_AT
}

replica_promote() {
	local a=$REPLICA_PRIMARY b=$REPLICA_STANDBY i
	replica__psql "$b" "ALTER SYSTEM RESET synchronous_standby_names" &&
		replica__psql "$b" "SELECT pg_reload_conf()" >/dev/null || return 1
	for ((i = 0; i < 100; i++)); do
		[ -z "$(replica__psql "$b" "SHOW synchronous_standby_names")" ] && break
		sleep 0.1
	done
	# -w: returns once the server has left recovery and takes writes
	pg__as_owner "$PG_BINDIR/pg_ctl" -D "$b/data" -w -t 60 promote >/dev/null || return 1
	REPLICA_PROMOTED_AT=$(date +%s.%N)
	export REPLICA_PROMOTED_AT
	[ "$(replica__psql "$b" "SELECT pg_is_in_recovery()")" = f ] || return 1
	# the roles swap: the old primary's place waits for replica_rebuild_standby
	replica__roles "$b" "$a"
}

replica_failover() {
	replica_kill_primary && replica_promote
}

replica_rebuild_standby() {
	local old=$REPLICA_STANDBY new=$REPLICA_PRIMARY
	REPLICA_MODE=${1:-$REPLICA_MODE}
	if pg_running_pid "$old" >/dev/null; then
		echo "replica: $old still runs: a standby already" >&2
		return 1
	fi
	# out of the way at once; removed in the background (it takes seconds)
	mv "$old/data" "$old/data.dead.$$.$RANDOM" &&
		{ rm -rf "$old"/data.dead.* & } || return 1
	replica__basebackup "$new" "$old" || return 1
	pg_start "$old" || return 1
	# named only once it streams: until then every commit would wait
	replica__wait_streaming "$new" async || return 1
	if [ "$REPLICA_MODE" = sync ]; then
		replica__name_standby "$new" && replica__wait_streaming "$new" sync || return 1
	fi
}

replica_stop() {
	[ -n "$REPLICA_DIR" ] || return 0
	replica_resume_standby
	pg_stop "$REPLICA_DIR/b" 2>/dev/null
	pg_stop "$REPLICA_DIR/a" 2>/dev/null
	return 0
}
