#!/usr/bin/env bash
# Observability: /metrics counts every reply by status and rejection class
# and its ack-latency histogram agrees; /healthz is 200 while planqd takes
# work and 503 "draining" after SIGTERM; `planq status` over the control
# socket lists the workers with live pids and the document in hand.
. "$(dirname "$0")/../lib/common.sh"

setup_db
MPORT=$(random_port)
MURL=http://127.0.0.1:$MPORT
planqd_start --workers=2 --metrics "127.0.0.1:$MPORT"
SOCK=$TMP/run/control.sock

scrape() { curl -fsS --max-time 5 "$MURL/metrics"; }
# the value of one sample line, e.g. metric 'planq_documents_total{status="stored"}'
metric() { scrape | awk -v k="$1" '$1 == k { print $2 }'; }
http_code() { curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$@"; }

# -- healthy and empty
assert_eq "healthz 200 while running" 200 "$(http_code "$MURL/healthz")"
assert_eq "healthz says ok" ok "$(curl -s --max-time 5 "$MURL/healthz")"
page=$(scrape)
assert_match "build_info" 'planq_build_info\{version="[^"]+"\} 1' "$page"
assert_match "content is prometheus text" '# TYPE planq_documents_total counter' "$page"
assert_eq "two idle workers" 2 "$(metric 'planq_workers{state="idle"}')"
assert_eq "unknown path 404" 404 "$(http_code "$MURL/nope")"
assert_eq "POST 405" 405 "$(http_code -X POST "$MURL/metrics")"

# -- traffic: every sample stored, then all duplicates, and two protocol rejects
n=$(ls "$ROOT"/samples/*.txt | wc -l)
"$PLANQ" send --to "$ENDPOINT" --concurrency 3 "$ROOT"/samples/*.txt >"$TMP/send1.out" 2>&1
assert_eq "samples sent" 0 "$?"
"$PLANQ" send --to "$ENDPOINT" "$ROOT"/samples/*.txt >"$TMP/send2.out" 2>&1
assert_eq "samples resent" 0 "$?"
"$RAWSEND" "$ENDPOINT" '{"v":2,"id":"v2","source_url":"https://example.test/v2"}' body >"$TMP/raw1.out" 2>&1
assert_match "v=2 rejected" '"status": ?"rejected"' "$(cat "$TMP/raw1.out")"
"$RAWSEND" "$ENDPOINT" '{"v":1}' >"$TMP/raw2.out" 2>&1
"$RAWSEND" "$ENDPOINT" '{"v":1,"id":"e1","source_url":"https://example.test/empty"}' "" >"$TMP/raw3.out" 2>&1

assert_eq "stored counter" "$n" "$(metric 'planq_documents_total{status="stored"}')"
assert_eq "duplicate counter" "$n" "$(metric 'planq_documents_total{status="duplicate"}')"
assert_eq "rejected counter" 3 "$(metric 'planq_documents_total{status="rejected"}')"
assert_eq "retry counter" 0 "$(metric 'planq_documents_total{status="retry"}')"
assert_eq "bad_envelope class" 1 "$(metric 'planq_rejections_total{reason="bad_envelope"}')"
assert_eq "frames class" 1 "$(metric 'planq_rejections_total{reason="frames"}')"
assert_eq "empty class" 1 "$(metric 'planq_rejections_total{reason="empty"}')"
assert_eq "other class" 0 "$(metric 'planq_rejections_total{reason="other"}')"
total=$((2 * n + 3))
assert_eq "received counter" "$total" "$(metric planq_documents_received_total)"
assert_eq "histogram count = replies" "$total" "$(metric planq_ack_latency_milliseconds_count)"
assert_eq "+Inf bucket = count" "$total" "$(metric 'planq_ack_latency_milliseconds_bucket{le="+Inf"}')"
buckets=$(scrape | awk '/^planq_ack_latency_milliseconds_bucket/ { print $2 }' | tr '\n' ' ')
check "buckets are cumulative" awk -v b="$buckets" 'BEGIN { n = split(b, a, " "); for (i = 2; i <= n; i++) if (a[i] + 0 < a[i-1] + 0) exit 1 }'
# every sample reached a worker twice (stored, then duplicate); the three
# rejections were the front's and never did
assert_eq "documents handed to workers" "$((2 * n))" "$(metric planq_batch_documents_total)"
batches=$(metric planq_batches_total)
# each batch held its worker from hand-over to reply (a commit each)
check "the workers' busy time is counted" test "$(metric planq_worker_busy_milliseconds_total)" -ge 1
check "at least one batch, none empty" test "$batches" -ge 1 -a "$batches" -le "$((2 * n))"
assert_eq "nothing queued" 0 "$(metric planq_queue_documents)"
assert_eq "nothing in flight" 0 "$(metric planq_in_flight_documents)"
assert_eq "no crashes" 0 "$(metric planq_worker_crashes_total)"
assert_eq "spool empty" 0 "$(metric planq_spool_records)"

# -- structured outcome lines
check "outcome line for a stored sample has source_url" \
	grep -Eq 'outcome status=stored job=[0-9]+ id=[^ ]+ document_id=[1-9][0-9]* bytes=[0-9]+ ms=[0-9]+ source_url=file://' "$TMP/planqd.log"
check "protocol rejection keeps id and source_url" \
	grep -Eq 'outcome status=rejected job=[0-9]+ id=e1 document_id=0 .* source_url=https://example.test/empty reason="document body is empty' "$TMP/planqd.log"

check "bad envelope still logs its id and source_url" \
	grep -Eq 'outcome status=rejected job=[0-9]+ id=v2 document_id=0 .* source_url=https://example.test/v2 reason="unsupported protocol version' "$TMP/planqd.log"

# -- planq status
check "control socket is mode 0600" test "$(stat -c %a "$SOCK")" = 600
"$PLANQ" status --socket "$SOCK" >"$TMP/status.out" 2>&1
assert_eq "status exits 0" 0 "$?"
cat "$TMP/status.out"
pids=$("$PLANQ" status --socket "$SOCK" --json | jq -r '.workers[].pid')
assert_eq "status lists two workers" 2 "$(wc -w <<<"$pids")"
for p in $pids; do
	check "worker pid $p exists" kill -0 "$p"
done
assert_eq "status pids are planqd's workers" "$(worker_pids | sort | tr '\n' ' ')" \
	"$(tr ' ' '\n' <<<"$pids" | sort | tr '\n' ' ')"
for p in $pids; do
	check "table shows pid $p" grep -Eq "^[0-9]+ +w[0-9]+\.[0-9]+-[0-9]+ +$p +idle" "$TMP/status.out"
done
assert_eq "status counters" "$n" "$(PLANQ_CONTROL=$SOCK "$PLANQ" status --json | jq .counters.stored)"
assert_eq "status batch documents" "$((2 * n))" "$("$PLANQ" status --socket "$SOCK" --json | jq .counters.batch_documents)"
check "status shows the batches" grep -Eq "^batches +$batches handed to workers, $((2 * n)) documents in them" "$TMP/status.out"
"$PLANQ" status --socket "$TMP/none.sock" >/dev/null 2>&1
assert_eq "status without planqd exits 1" 1 "$?"
ctl() {	# ctl REQUEST [HOLD_SECONDS]: raw control-socket client
	timeout 10 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
time.sleep(float(sys.argv[3]))
s.sendall(sys.argv[2].encode())
print(s.recv(65536).decode(), end="")' "$SOCK" "$1" "${2:-0}"
}
assert_match "unknown request answered with an error" '"error"' "$(ctl $'junk\n')"
ctl $'status\n' 5 >"$TMP/slow.out" 2>&1 &
slow=$!
sleep 0.3
check "a silent client does not block status" "$PLANQ" status --socket "$SOCK" --json
wait "$slow"
check "a silent client is dropped after its deadline" \
	bash -c "! grep -q phase '$TMP/slow.out'"

# -- draining: a worker held on a lock keeps planqd in the drain
lock_documents
{ cat "${ROOT}"/samples/01_*.txt; echo "<!-- metrics test -->"; } >"$TMP/fresh.txt"
"$PLANQ" send --to "$ENDPOINT" --timeout 60 "$TMP/fresh.txt" >"$TMP/send3.out" 2>&1 &
send=$!
wait_for "[ \"\$(metric planq_in_flight_documents)\" = 1 ]" 20
"$PLANQ" status --socket "$SOCK" >"$TMP/status-busy.out" 2>&1
cat "$TMP/status-busy.out"
# a busy worker shows what it does: parsing, or storing (waiting for the
# database, as here behind the lock)
check "status shows the busy worker and its document" \
	grep -Eq ' storing +[0-9]+ +[0-9]+ (ms|s) +file://.*fresh.txt' "$TMP/status-busy.out"
kill -TERM "$PLANQD_PID"
wait_for "[ \"\$(http_code $MURL/healthz)\" = 503 ]" 10
assert_eq "healthz 503 while draining" 503 "$(http_code "$MURL/healthz")"
assert_eq "healthz says draining" draining "$(curl -s --max-time 5 "$MURL/healthz")"
assert_eq "phase gauge" 1 "$(metric 'planq_phase{phase="draining"}')"
assert_eq "status phase" '"draining"' "$("$PLANQ" status --socket "$SOCK" --json | jq .phase)"
unlock_documents
wait "$PLANQD_PID"
assert_eq "planqd exits 0 after drain" 0 "$?"
PLANQD_PID=
wait "$send"
assert_eq "held document stored" 0 "$?"
check "control socket removed" test ! -e "$SOCK"
finish
