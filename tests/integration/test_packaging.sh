#!/usr/bin/env bash
# test_packaging.sh: what an installation is made of.  The unit passes
# `systemd-analyze verify` and scores an exposure of at most 2.0 in
# `systemd-analyze security`; `make install DESTDIR=…` puts every file in
# place; the man pages render without warnings; the example config is
# accepted by planqd; a config file with a password must not be readable by
# others; deploy/setup-database.sh prepares a fresh database.  With
# PLANQ_TEST_DEB=1 or CI=true, also `make deb` and a look inside the .debs
# (planq, and python3-planq-client: apt would install it, and it imports).
. "$(dirname "$0")/../lib/common.sh"

UNIT=$ROOT/systemd/planqd.service
DEST=$TMP/root
MAN_ROOT=$DEST/usr/local/share/man

if ! command -v systemd-analyze >/dev/null; then
	echo "systemd-analyze missing: run deploy/install-deps.sh"
	exit 1
fi

# ---- make install --------------------------------------------------------
# installs the binaries of PLANQ_BIN as they are (-o all: no rebuild, so an
# ASan or private build is never rebuilt with other flags)
make -s -C "$ROOT" -o all BINDIR="$PLANQ_BIN" install DESTDIR="$DEST" \
	>"$TMP/install.log" 2>&1
check "make install DESTDIR= succeeds" test $? -eq 0 ||
	cat "$TMP/install.log"
for f in bin/planqd bin/planq-worker bin/planq \
	share/man/man8/planqd.8 share/man/man1/planq.1 \
	share/man/man5/planqd.conf.5 share/man/man8/planq-worker.8 lib/systemd/system/planqd.service \
	lib/sysusers.d/planq.conf lib/tmpfiles.d/planq.conf \
	share/planq/sql/B014_baseline.sql share/planq/sql/roles.sql \
	share/planq/sql/repeatable.list share/planq/sql/functions/planq_ingest.sql \
	share/planq/sql/views/plans_current.sql \
	share/planq/setup-database.sh share/doc/planq/planqd.conf.example \
	share/doc/planq/README.md; do
	check "installed $f" test -s "$DEST/usr/local/$f"
done
check "binaries are executable" test -x "$DEST/usr/local/bin/planqd" -a \
	-x "$DEST/usr/local/bin/planq-worker" -a -x "$DEST/usr/local/bin/planq"
check "installed unit starts \$(PREFIX)/bin/planqd" grep -q \
	'^ExecStart=/usr/local/bin/planqd --config /etc/planq/planqd.conf$' \
	"$DEST/usr/local/lib/systemd/system/planqd.service"
"$DEST/usr/local/bin/planq" --help >/dev/null 2>&1
check "installed planq runs" test $? -eq 0

# ---- man pages -----------------------------------------------------------
for page in planqd.8 planq-worker.8 planq.1 planqd.conf.5; do
	src=$ROOT/docs/man/$page
	warn=$(groff -man -Tutf8 -ww -z "$src" 2>&1)
	assert_eq "groff renders $page without warnings" "" "$warn"
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$src" 2>"$TMP/man.err")
	assert_eq "man -l $page without warnings" "" "$(cat "$TMP/man.err")"
	assert_match "man -l $page renders a NAME section" 'NAME' "$out"
done
# every key planqd knows is documented in planqd.conf(5)
keys=$(grep -o '{ "[a-z_]*", offsetof(struct config' "$ROOT/daemon/config.c" |
	sed 's/{ "\([a-z_]*\)".*/\1/')
missing=
for k in listen $keys; do
	grep -q "^\.B $k\$" "$ROOT/docs/man/planqd.conf.5" || missing="$missing $k"
done
assert_eq "planqd.conf(5) documents every key" "" "$missing"

# ---- systemd-analyze verify ----------------------------------------------
# verify needs ExecStart's binary and the Documentation= man pages: check a
# copy that starts the build's planqd, with MANPATH at the installed pages
sed "s|/usr/bin/planqd|$PLANQ_BIN/planqd|" "$UNIT" >"$TMP/planqd.service"
out=$(MANPATH=$MAN_ROOT systemd-analyze verify "$TMP/planqd.service" 2>&1)
rc=$?
assert_eq "systemd-analyze verify: clean" "0 " "$rc $out"
mkdir -p "$TMP/inst"
sed "s|/usr/local/bin/planqd|$DEST/usr/local/bin/planqd|" \
	"$DEST/usr/local/lib/systemd/system/planqd.service" >"$TMP/inst/planqd.service"
out=$(MANPATH=$MAN_ROOT systemd-analyze verify "$TMP/inst/planqd.service" 2>&1)
rc=$?
assert_eq "systemd-analyze verify (installed unit): clean" "0 " "$rc $out"

# ---- systemd-analyze security --------------------------------------------
systemd-analyze security --offline=true "$UNIT" >"$TMP/security.txt" 2>&1
score=$(sed -n 's/.*Overall exposure level for planqd.service: \([0-9.]*\).*/\1/p' \
	"$TMP/security.txt")
echo "exposure: ${score:-?}"
check "security exposure is reported" test -n "$score"
check "security exposure $score <= 2.0" \
	awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'
for want in 'Type=notify' 'NotifyAccess=main' 'WatchdogSec=30' 'KillMode=mixed' \
	'User=planq' 'ExecReload=/bin/kill -HUP $MAINPID' 'Restart=on-failure'; do
	check "unit has $want" grep -qxF "$want" "$UNIT"
done
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)$/\1/p' "$UNIT")
check "TimeoutStopSec ($stop) > default drain_timeout (30)" test "${stop:-0}" -gt 30

# ---- configuration -------------------------------------------------------
# the example config is accepted (planqd exits at once: the worker path is
# wrong on purpose, after the file has been parsed)
cp "$ROOT/deploy/planqd.conf.example" "$TMP/example.conf"
out=$("$PLANQ_BIN/planqd" --config "$TMP/example.conf" \
	--worker-path /nonexistent/planq-worker 2>&1)
assert_match "example config parses" 'worker program /nonexistent' "$out"

printf 'db = host=/nonexistent dbname=x password=secret\n' >"$TMP/secret.conf"
chmod 0644 "$TMP/secret.conf"
out=$("$PLANQ_BIN/planqd" --config "$TMP/secret.conf" \
	--worker-path /nonexistent/planq-worker 2>&1)
rc=$?
assert_eq "world-readable config with a password: exit 2" 2 "$rc"
assert_match "... and says chmod 600" 'chmod 600' "$out"
chmod 0600 "$TMP/secret.conf"
out=$("$PLANQ_BIN/planqd" --config "$TMP/secret.conf" \
	--worker-path /nonexistent/planq-worker 2>&1)
assert_match "mode 0600 config with a password is accepted" \
	'worker program /nonexistent' "$out"
printf 'db = postgresql://u:pw@localhost/x\n' >"$TMP/uri.conf"
chmod 0604 "$TMP/uri.conf"
out=$("$PLANQ_BIN/planqd" --config "$TMP/uri.conf" 2>&1)
assert_match "URI password, mode 0604: refused" 'holds a database password' "$out"

# ---- deploy/setup-database.sh --------------------------------------------
pg_start "$TMP/pg" || { echo "cannot start PostgreSQL"; exit 1; }
"$ROOT/deploy/setup-database.sh" --planq "$PLANQ" --dbname planqsetup \
	--admin "host=$PGHOST port=$PGPORT user=$PGUSER" >"$TMP/setup.log" 2>&1
check "setup-database.sh succeeds" test $? -eq 0 || cat "$TMP/setup.log"
"$ROOT/deploy/setup-database.sh" --planq "$PLANQ" --dbname planqsetup \
	--admin "host=$PGHOST port=$PGPORT user=$PGUSER" >>"$TMP/setup.log" 2>&1
check "setup-database.sh is idempotent" test $? -eq 0 || cat "$TMP/setup.log"
v=$("$PLANQ" db version --db "host=$PGHOST port=$PGPORT user=$PGUSER dbname=planqsetup" 2>/dev/null)
check "setup-database.sh migrated (version $v)" test "${v:-0}" -gt 0
roles=$(psql -X -Atq -d planqsetup -c "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'planq\_%'")
assert_eq "setup-database.sh created the roles" "planq_ingest,planq_report" "$roles"

# ---- Debian package (slow: only when asked) ------------------------------
if [ "${PLANQ_TEST_DEB:-}" = 1 ] || [ "${CI:-}" = true ]; then
	rm -f "$ROOT"/build/deb/*.deb
	make -s -C "$ROOT" deb >"$TMP/deb.log" 2>&1
	check "make deb succeeds" test $? -eq 0 || tail -n 40 "$TMP/deb.log"
	deb=$(ls "$ROOT"/build/deb/planq_*.deb 2>/dev/null | head -n 1)
	pydeb=$(ls "$ROOT"/build/deb/python3-planq-client_*_all.deb 2>/dev/null | head -n 1)
	check "a python3-planq-client .deb in build/deb/" test -n "$pydeb"
	check "a .deb in build/deb/" test -n "$deb"
	if [ -n "$deb" ]; then
		dpkg-deb -x "$deb" "$TMP/deb"
		dpkg-deb -e "$deb" "$TMP/debctl"
		for f in usr/bin/planqd usr/bin/planq-worker usr/bin/planq \
			lib/systemd/system/planqd.service \
			usr/lib/sysusers.d/planq.conf usr/lib/tmpfiles.d/planq.conf \
			usr/share/man/man8/planqd.8.gz usr/share/planq/sql/roles.sql \
			usr/share/planq/sql/functions/planq_ingest_batch.sql \
			usr/share/planq/sql/views/plans_current.sql \
			usr/share/doc/planq/planqd.conf.example; do
			check "deb ships $f" test -e "$TMP/deb/$f"
		done
		check "deb unit starts /usr/bin/planqd" grep -q \
			'^ExecStart=/usr/bin/planqd ' "$TMP/deb/lib/systemd/system/planqd.service"
		check "postinst creates the planq user" grep -q 'systemd-sysusers' \
			"$TMP/debctl/postinst"
		# --no-enable: enable only re-applies an admin's earlier choice,
		# guarded by "debian-installed" (absent from the default snippet)
		check "postinst does not enable the service on install" grep -q \
			"deb-systemd-helper debian-installed 'planqd.service'" \
			"$TMP/debctl/postinst"
		check "postinst does not start the service" \
			bash -c "! grep -Eq 'deb-systemd-invoke .*start' '$TMP/debctl/postinst'"
		if command -v lintian >/dev/null; then
			lintian --fail-on error "$deb" >"$TMP/lintian.log" 2>&1
			check "lintian: no errors" test $? -eq 0 || cat "$TMP/lintian.log"
		fi
	fi
	if [ -n "$pydeb" ]; then
		# the Python client: the module, what it depends on, that apt
		# would install it here, and that the installed tree imports and
		# runs (Debian's python3, nothing else on its path)
		dpkg-deb -x "$pydeb" "$TMP/pydeb"
		site=$TMP/pydeb/usr/lib/python3/dist-packages
		for f in __init__.py client.py scrapy.py __main__.py py.typed; do
			check "python3-planq-client ships planq_client/$f" test -f "$site/planq_client/$f"
		done
		deps=$(dpkg-deb -f "$pydeb" Depends)
		assert_match "python3-planq-client depends on python3 and python3-zmq" \
			'python3.*python3-zmq|python3-zmq.*python3' "$deps"
		apt-get install -s "$pydeb" >"$TMP/apt-sim.log" 2>&1
		check "apt would install python3-planq-client here" test $? -eq 0 || tail "$TMP/apt-sim.log"
		where=$(cd "$TMP" && PYTHONPATH=$site /usr/bin/python3 -c \
			'import planq_client, planq_client.scrapy; print(planq_client.__file__)' 2>&1)
		assert_eq "the packaged planq_client imports" "$site/planq_client/__init__.py" "$where"
		out=$(cd "$TMP" && PYTHONPATH=$site /usr/bin/python3 -m planq_client send --to \
			"tcp://127.0.0.1:$(random_port)" --timeout 0.2 --retries 0 "$ROOT/samples/01_kita_r3_table.txt" 2>/dev/null)
		assert_match "the packaged python3 -m planq_client send runs" \
			'^sent 1 documents: 0 stored, 0 duplicate, 0 spooled, 0 rejected, 1 failed$' "$(tail -n 1 <<<"$out")"
		if command -v lintian >/dev/null; then
			lintian --fail-on error "$pydeb" >"$TMP/lintian-py.log" 2>&1
			check "lintian python3-planq-client: no errors" test $? -eq 0 || cat "$TMP/lintian-py.log"
		fi
	fi
fi

finish
