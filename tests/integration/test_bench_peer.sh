#!/usr/bin/env bash
# test_bench_peer.sh: bench/peer.py, the Python peer `make bench` sets
# beside planq, stays a correct peer as the schema moves: the fixtures and
# samples are sent one at a time with `planq send` to planqd (database
# planq) and to the peer (database peer, same cluster, same migrations),
# then all of them again, four in flight, as resends; both databases
# must then hold the same documents, plans, rows (test_plan_fingerprint),
# current versions and ingest_events, and the senders must have heard the
# same answers.  The differences bench/peer.py declares are left out:
# documents.charset (NULL: `planq parse` does not print it) and the
# client's ids (`planq send` makes them from its pid).  Every column of
# every row is compared, the digest of the plan JSON (014) and the values
# kept for the views (013) included.
# Needs Debian's python3-zmq and python3-psycopg (deploy/install-deps.sh).
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/plansql.sh"
PY=/usr/bin/python3

if ! "$PY" -c 'import zmq, psycopg' 2>"$TMP/import.err"; then
	fail "python3-zmq and python3-psycopg are installed (deploy/install-deps.sh test)" \
		"$(cat "$TMP/import.err")"
	finish
fi

setup_db
PEER_DB="host=$PGHOST port=$PGPORT user=planq dbname=peer"
sql "CREATE DATABASE peer" >/dev/null
"$PLANQ" db migrate --db "$PEER_DB" >>"$TMP/migrate.log" 2>&1 ||
	{ cat "$TMP/migrate.log"; echo "migrate of the peer's database failed"; exit 1; }
install_plan_fingerprint
PGDATABASE=peer install_plan_fingerprint

docs=()
for j in "$ROOT"/tests/fixtures/parser/*.json "$ROOT"/tests/fixtures/layouts/*.json "$ROOT"/samples/*.json; do
	for d in "${j%.json}".*; do
		case $d in *.json|*.ctype) ;; *) docs+=("$d") ;; esac
	done
done

# send ENDPOINT NAME: the documents one at a time, then again four at a time
send_all() {
	"$PLANQ" send --to "$1" --concurrency 1 "${docs[@]}" >"$TMP/$2.once" 2>>"$TMP/$2.err"
	"$PLANQ" send --to "$1" --concurrency 4 "${docs[@]}" >"$TMP/$2.again" 2>>"$TMP/$2.err"
}

planqd_start --workers=2
# each worker's warm-up call (workers/warmup.c) drew ids from the sequences
# and rolled back: the peer's database starts from the same positions
q -c "SELECT format('SELECT setval(%L, %s, %s);', schemaname || '.' || sequencename,
                    coalesce(last_value, 1), (last_value IS NOT NULL)::text)
        FROM pg_sequences WHERE schemaname = 'public'" | PGDATABASE=peer q >/dev/null
send_all "$ENDPOINT" planq
check "planqd stops cleanly" planqd_stop

PEER_EP=tcp://127.0.0.1:$(random_port)
"$PY" "$ROOT/bench/peer.py" --listen "$PEER_EP" --db "$PEER_DB" --planq "$PLANQ" \
	--procs 2 2>"$TMP/peer.err" &
PEER_PID=$!
wait_for "grep -q 'peer: listening' '$TMP/peer.err'" 30 ||
	{ fail "the peer started" "$(cat "$TMP/peer.err")"; finish; }
send_all "$PEER_EP" peer
kill -TERM "$PEER_PID"
wait "$PEER_PID"
assert_eq "the peer exits 0 on SIGTERM" 0 $?
check "... and says its CPU time" grep -q '^peer cpu: self=[0-9.]* children=[0-9.]*$' "$TMP/peer.err"
check "... and met no error" sh -c "! grep -v -e '^peer cpu:' -e '^peer: listening' '$TMP/peer.err'"

check "at least 40 documents sent" test "${#docs[@]}" -ge 40
# what the senders heard: status, ids, reason and file, one per document
# (in completion order: sorted)
for s in once again; do
	assert_eq "the answers to the documents sent $s: planq's" "" \
		"$(diff <(sort "$TMP/planq.$s") <(sort "$TMP/peer.$s"))"
done
check "answers of every kind were heard" sh -c "grep -q '^stored ' '$TMP/peer.once' &&
	grep -q '^rejected .*not a plan' '$TMP/peer.once' && grep -q '^duplicate ' '$TMP/peer.again'"
check "the second round was only duplicate and rejected answers" sh -c \
	"! grep -q '^stored ' '$TMP/peer.again'"

# both databases, table by table, document by document
dump() {	# database -> what must be equal
	PGDATABASE=$1 q <<'SQL'
SELECT 'count ' || t || ' ' || n FROM (VALUES
	('documents', (SELECT count(*) FROM documents)), ('plans', (SELECT count(*) FROM plans)),
	('plan_texts', (SELECT count(*) FROM plan_texts)), ('issues', (SELECT count(*) FROM issues)),
	('strategies', (SELECT count(*) FROM strategies)), ('initiatives', (SELECT count(*) FROM initiatives)),
	('budgets', (SELECT count(*) FROM budgets)), ('reforms', (SELECT count(*) FROM reforms)),
	('evaluations', (SELECT count(*) FROM evaluations)),
	('council_reflections', (SELECT count(*) FROM council_reflections)),
	('contacts', (SELECT count(*) FROM contacts)), ('ingest_events', (SELECT count(*) FROM ingest_events))) AS c(t, n);
SELECT 'doc ' || concat_ws(' | ', d.id, encode(d.sha256, 'hex'), d.size, d.outcome, d.reason,
	d.source_url, d.source_host, d.fetched_at, d.content_type, d.parser_version,
	d.envelope - 'id', d.client_id = d.envelope->>'id', p.id, p.is_current,
	test_plan_fingerprint(p.id))
  FROM documents d LEFT JOIN plans p ON p.document_id = d.id ORDER BY d.id;
SELECT 'event ' || concat_ws(' | ', e.kind, encode(d.sha256, 'hex'), e.source_url, e.reason)
  FROM ingest_events e LEFT JOIN documents d ON d.id = e.document_id
 ORDER BY 1;
SQL
}
dump planq >"$TMP/planq.db"
dump peer >"$TMP/peer.db"
assert_eq "the peer's database holds what planq's holds" "" "$(diff "$TMP/planq.db" "$TMP/peer.db")"
check "... rows in every table" sh -c "! grep -q '^count .* 0$' '$TMP/peer.db'"
check "... and current versions" grep -q '| t |' "$TMP/peer.db"
assert_eq "the peer left charset NULL (planq parse does not print it)" 0 \
	"$(PGDATABASE=peer q -c "SELECT count(*) FROM documents WHERE charset IS NOT NULL")"
finish
