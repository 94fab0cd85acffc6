#!/usr/bin/env bash
# Group commit: documents waiting together travel to one worker and commit
# in one transaction.  A document the database refuses must not take the
# others of its batch down, and a worker killed while holding a batch must
# not get the innocent documents of that batch quarantined.  While one
# worker is busy, a client's documents wait batch_wait_ms for each other;
# not while the workers are mostly idle (batch_wait_busy_pct).
. "$(dirname "$0")/../lib/common.sh"

setup_db
# the database refuses any plan whose document carries this marker (a real
# check_violation, raised the way a CHECK constraint would)
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM documents d WHERE d.id = NEW.document_id
	           AND position(convert_to('拒否テスト', 'UTF8') IN d.raw) > 0) THEN
		RAISE EXCEPTION 'test refuses this plan' USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER test_refuse BEFORE INSERT ON plans
	FOR EACH ROW EXECUTE FUNCTION test_refuse();
SQL

mkdir -p "$TMP/docs"
make_docs() {	# PREFIX COUNT: distinct variants of the samples
	local i f
	for i in $(seq 1 "$2"); do
		f=$(ls "$ROOT"/samples/*.txt | sed -n "$(( (i - 1) % 5 + 1 ))p")
		cp "$f" "$TMP/docs/$1-$i.txt"
		printf '\n<!-- %s %d -->\n' "$1" "$i" >>"$TMP/docs/$1-$i.txt"
	done
}

planqd_start --workers=1 -v

# -- a refused document inside a batch
make_docs good 7
cp "$ROOT/samples/02_minato_h30_markers.txt" "$TMP/docs/bad.txt"
printf '\n拒否テスト\n' >>"$TMP/docs/bad.txt"
lock_documents
"$PLANQ" send --to "$ENDPOINT" --timeout 60 "$TMP/docs/good-1.txt" >"$TMP/first.out" 2>&1 &
first=$!
wait_locked_worker_not_in "" >/dev/null
"$PLANQ" send --to "$ENDPOINT" --timeout 60 --concurrency 16 \
	"$TMP"/docs/good-[2-7].txt "$TMP/docs/bad.txt" >"$TMP/batch.out" 2>&1 &
batch=$!
wait_for "grep -q 'job .* to worker' '$TMP/planqd.log' && [ \$(grep -c 'outcome status' '$TMP/planqd.log') -ge 0 ]" 5
sleep 1	# let the seven wait together in planqd's queue
unlock_documents
wait "$first"; wait "$batch"
cat "$TMP/batch.out"
check "the seven travelled as one batch" grep -q 'and 6 more to worker' "$TMP/planqd.log"
assert_eq "good documents of the batch stored" 6 "$(grep -c '^stored ' "$TMP/batch.out")"
assert_match "the refused one is rejected with the server's message" \
	'rejected document=[0-9]+ reason="the database refused the parsed plan: [^"]*test refuses this plan' \
	"$(cat "$TMP/batch.out")"
assert_eq "its bytes are kept as rejected" 1 "$(sql "SELECT count(*) FROM documents WHERE outcome = 'rejected' AND reason LIKE 'the database refused%'")"
assert_eq "eight documents in all" 8 "$(sql 'SELECT count(*) FROM documents')"

# -- a worker killed while it holds a batch
make_docs kill 6
lock_documents
"$PLANQ" send --to "$ENDPOINT" --timeout 60 --concurrency 16 "$TMP"/docs/kill-*.txt \
	>"$TMP/kill.out" 2>&1 &
send=$!
victim=$(wait_locked_worker_not_in "")
check "a worker holds the batch" test -n "$victim"
kill -KILL "$victim"
wait_backend_gone "$victim"
unlock_documents
wait "$send"
assert_eq "send exits 0" 0 "$?"
assert_eq "all six stored" 6 "$(grep -c '^stored ' "$TMP/kill.out")"
check "no document was quarantined" sh -c "! grep -q quarantin '$TMP/planqd.log'"
assert_eq "each exactly once" 14 "$(sql 'SELECT count(*) FROM documents')"
check "planqd stops cleanly" planqd_stop

# -- batch_wait_ms: while a worker is busy, a client's documents queued for
# the idle one wait for the ones still coming and travel with them
queued() {
	"$PLANQ" status --socket "$TMP/run/control.sock" --json 2>/dev/null | jq -r '.queue.count'
}
# WAIT_MS NAME COUNT [BUSY_PCT]: planqd (2 workers, batch_max 4) with that
# batch_wait_ms and batch_wait_busy_pct (0: the wait at any load), COUNT
# documents NAME-i, the documents table locked and NAME-1 sent; sets FIRST
# (its send) and BUSY (the worker it holds)
hold_a_worker() {
	printf 'batch_max = 4\nbatch_wait_ms = %s\nbatch_wait_busy_pct = %s\n' \
		"$1" "${4:-0}" >"$TMP/wait.conf"
	planqd_start --workers=2 -v --config "$TMP/wait.conf"
	make_docs "$2" "$3"
	lock_documents
	"$PLANQ" send --to "$ENDPOINT" --timeout 60 "$TMP/docs/$2-1.txt" >"$TMP/$2-1.out" 2>&1 &
	FIRST=$!
	BUSY=$(wait_locked_worker_not_in "")
	check "a worker is busy with $2-1" test -n "$BUSY"
}
hold_a_worker 10000 wait 6
"$PLANQ" send --to "$ENDPOINT" --timeout 60 "$TMP/docs/wait-2.txt" >"$TMP/wait-2.out" 2>&1 &
second=$!
wait_for '[ "$(queued)" = 1 ]' 10
check "the second waits in the queue though a worker is idle" test "$(queued)" = 1
"$PLANQ" send --to "$ENDPOINT" --timeout 60 --concurrency 16 "$TMP"/docs/wait-[3-5].txt \
	>"$TMP/wait-3.out" 2>&1 &
rest=$!
wait_for "grep -q 'and 3 more to worker' '$TMP/planqd.log'" 10
check "it left with the next three, as one batch of batch_max" \
	grep -q 'and 3 more to worker' "$TMP/planqd.log"
unlock_documents
wait "$FIRST"; wait "$second"; wait "$rest"
assert_eq "the five stored" 5 "$(cat "$TMP"/wait-[123].out | grep -c '^stored ')"
# with every worker idle a document does not wait (batch_wait_ms is 10 s;
# this send gives up after 5)
"$PLANQ" send --to "$ENDPOINT" --timeout 5 "$TMP/docs/wait-6.txt" >"$TMP/wait-6.out" 2>&1
assert_eq "with no worker busy a lone document goes at once" 1 "$(grep -c '^stored ' "$TMP/wait-6.out")"
check "planqd stops cleanly" planqd_stop

# a document waits no longer than batch_wait_ms: it reaches the idle
# worker while the other is still held
hold_a_worker 200 short 2
"$PLANQ" send --to "$ENDPOINT" --timeout 60 "$TMP/docs/short-2.txt" >"$TMP/short-2.out" 2>&1 &
second=$!
other=$(wait_locked_worker_not_in "$BUSY")
check "after batch_wait_ms the lone document went to the other worker" test -n "$other"
unlock_documents
wait "$FIRST"; wait "$second"
assert_eq "both stored" 2 "$(cat "$TMP"/short-[12].out | grep -c '^stored ')"
check "planqd stops cleanly" planqd_stop

# the default batch_wait_busy_pct (90): with one worker of two held and the
# other idle, the workers are at most half busy, so a document goes to the
# idle worker at once (batch_wait_ms is 10 s; looked for during 5)
busy_workers() {
	"$PLANQ" status --socket "$TMP/run/control.sock" --json 2>/dev/null |
		jq -r '[.workers[] | select(.job != null)] | length'
}
hold_a_worker 10000 calm 2 90
"$PLANQ" send --to "$ENDPOINT" --timeout 60 "$TMP/docs/calm-2.txt" >"$TMP/calm-2.out" 2>&1 &
second=$!
wait_for '[ "$(busy_workers)" = 2 ]' 5
check "at moderate load a document goes to the idle worker at once" \
	test "$(busy_workers)" = 2
unlock_documents
wait "$FIRST"; wait "$second"
assert_eq "both stored" 2 "$(cat "$TMP"/calm-[12].out | grep -c '^stored ')"
check "planqd stops cleanly" planqd_stop
finish
