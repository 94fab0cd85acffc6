#!/usr/bin/env bash
# deploy/setup-database.sh: prepares a PostgreSQL server for planq: creates
# the database (if missing), applies the migrations (`planq db migrate`) and
# creates/refreshes the planq_ingest and planq_report roles (`planq db roles`).
# Safe to run again after every upgrade.
#
#   sudo -u postgres deploy/setup-database.sh [--dbname planq]
#        [--admin "host=db.example port=5432 user=postgres"] [--planq PATH]
#
# --admin is a libpq keyword/value string for a superuser (or a role with
# CREATEDB and CREATEROLE); without it libpq's environment (PGHOST, PGPORT,
# PGUSER, …) and the local socket are used.  Passwords and pg_hba.conf
# stay the administrator's business; the script prints what to add.
set -euo pipefail

dbname=planq
admin=
planq=

usage() {
	sed -n '2,13s/^# \{0,1\}//p' "$0"
	exit "${1:-2}"
}

while [ $# -gt 0 ]; do
	case $1 in
	--dbname) dbname=${2:?}; shift 2 ;;
	--dbname=*) dbname=${1#*=}; shift ;;
	--admin) admin=${2:?}; shift 2 ;;
	--admin=*) admin=${1#*=}; shift ;;
	--planq) planq=${2:?}; shift 2 ;;
	--planq=*) planq=${1#*=}; shift ;;
	-h|--help) usage 0 ;;
	*) echo "setup-database: unknown argument '$1'" >&2; usage 2 ;;
	esac
done

if [ -z "$planq" ]; then
	here=$(cd "$(dirname "$0")" && pwd)
	for p in "$here/../bin/planq" "$(command -v planq || true)"; do
		if [ -n "$p" ] && [ -x "$p" ]; then planq=$p; break; fi
	done
fi
[ -n "$planq" ] && [ -x "$planq" ] ||
	{ echo "setup-database: cannot find the planq program; use --planq PATH" >&2; exit 1; }
if ! [[ "$dbname" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
	echo "setup-database: --dbname must be a plain identifier" >&2
	exit 2
fi

psql_admin() {
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$admin dbname=postgres" "$@"
}

exists=$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$dbname'")
if [ "$exists" != 1 ]; then
	echo "setup-database: creating database $dbname"
	psql_admin -c "CREATE DATABASE \"$dbname\" ENCODING 'UTF8' TEMPLATE template0"
else
	echo "setup-database: database $dbname exists"
fi

dsn="$admin dbname=$dbname"
"$planq" db migrate --db "$dsn"
"$planq" db roles --db "$dsn"
psql_admin -c "GRANT CONNECT ON DATABASE \"$dbname\" TO planq_ingest, planq_report"
echo "setup-database: schema version $("$planq" db version --db "$dsn")"

cat <<EOF
setup-database: done.  planqd's workers connect as planq_ingest, analysts
as planq_report.  With planqd on this host under systemd (OS user planq),
peer authentication needs a user-name map, for example:
  pg_ident.conf:  planq  planq  planq_ingest
  pg_hba.conf:    local  $dbname  planq_ingest  peer  map=planq
and in /etc/planq/planqd.conf:
  db = host=/var/run/postgresql dbname=$dbname user=planq_ingest
Over the network, give planq_ingest a password (ALTER ROLE … PASSWORD) and
keep it in a libpq passfile (db = … passfile=/etc/planq/pgpass).
EOF
