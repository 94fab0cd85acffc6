#!/usr/bin/env bash
# A real Prometheus (Debian's package, on loopback, a random port, its own
# data directory under the test's temp dir, stopped at the end) scrapes a
# real planqd with deploy/prometheus's job and rules: the series planqd
# exports appear with the values of the traffic sent, the rules load and
# evaluate, every query of deploy/grafana/planq.json runs and finds its
# series, and stopping planqd makes PlanqdDown pending.
. "$(dirname "$0")/../lib/common.sh"

command -v prometheus >/dev/null || { fail "prometheus missing: run deploy/install-deps.sh test"; finish; }
PROM_PID=
trap '[ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null; cleanup' EXIT

setup_db
MPORT=$(random_port)
planqd_start --workers=2 --metrics "127.0.0.1:$MPORT"
n=$(ls "$ROOT"/samples/*.txt | wc -l)
"$PLANQ" send --to "$ENDPOINT" "$ROOT"/samples/*.txt >/dev/null 2>&1
check "samples sent" test $? -eq 0
"$RAWSEND" "$ENDPOINT" '{"v":2,"id":"bad"}' body >/dev/null 2>&1

# deploy/prometheus's job, pointed at this planqd, scraped every second
mkdir -p "$TMP/prom"
cp "$ROOT/deploy/prometheus/planq.rules.yml" "$TMP/prom/"
sed -e "s/127.0.0.1:9570/127.0.0.1:$MPORT/" \
    -e 's/scrape_interval: 15s/scrape_interval: 1s/' \
    -e 's/evaluation_interval: 15s/evaluation_interval: 1s/' \
    "$ROOT/deploy/prometheus/prometheus.yml" >"$TMP/prom/prometheus.yml"
check "the test config still has the deploy job" grep -q "job_name: planq" "$TMP/prom/prometheus.yml"
PPORT=$(random_port)
PROM=http://127.0.0.1:$PPORT
prometheus --config.file="$TMP/prom/prometheus.yml" --storage.tsdb.path="$TMP/prom/data" \
	--web.listen-address="127.0.0.1:$PPORT" >"$TMP/prometheus.log" 2>&1 &
PROM_PID=$!
wait_for "curl -fsS '$PROM/-/ready'" 60 || { fail "prometheus did not become ready"; tail "$TMP/prometheus.log"; finish; }

q() {	# q PROMQL: the first sample's value, or empty
	curl -fsS --max-time 5 -G "$PROM/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // empty'
}
wait_for "[ \"\$(q 'up{job=\"planq\"}')\" = 1 ]" 30
assert_eq "up{job=planq} = 1" 1 "$(q 'up{job="planq"}')"
assert_eq "stored documents as sent" "$n" "$(q 'planq_documents_total{job="planq",status="stored"}')"
assert_eq "the rejection by reason" 1 "$(q 'planq_rejections_total{job="planq",reason="bad_envelope"}')"
assert_eq "two idle workers" 2 "$(q 'planq_workers{job="planq",state="idle"}')"
assert_eq "histogram count = replies" "$((n + 1))" "$(q 'planq_ack_latency_milliseconds_count{job="planq"}')"
# every series planqd exports is in Prometheus
want=$(curl -fsS "http://127.0.0.1:$MPORT/metrics" | awk '/^planq_/ { sub(/[{ ].*/, "", $1); print $1 }' | sort -u)
have=$(curl -fsS -G "$PROM/api/v1/label/__name__/values" --data-urlencode 'match[]={job="planq"}' | jq -r '.data[]' | sort -u)
check "planqd exports series ($(wc -l <<<"$want"))" test "$(wc -l <<<"$want")" -gt 20
assert_eq "every planq_* series of /metrics is scraped" "" "$(comm -23 <(echo "$want") <(echo "$have"))"
for m in planq_frame_limit_bytes planq_front_disconnects_total planq_database_down planq_spool_records; do
	check "$m is there" grep -qx "$m" <<<"$have"
done

# the rules: loaded, healthy, evaluated
rules=$(curl -fsS "$PROM/api/v1/rules")
assert_eq "9 alert rules loaded" 9 "$(jq '[.data.groups[].rules[] | select(.type == "alerting")] | length' <<<"$rules")"
wait_for "[ \$(curl -fsS '$PROM/api/v1/rules' | jq '[.data.groups[].rules[] | select(.health != \"ok\")] | length') = 0 ]" 20
assert_eq "every rule evaluates (health ok)" 0 \
	"$(curl -fsS "$PROM/api/v1/rules" | jq '[.data.groups[].rules[] | select(.health != "ok")] | length')"
assert_eq "nothing fires on a healthy planqd" 0 "$(curl -fsS "$PROM/api/v1/alerts" | jq '.data.alerts | length')"

# every query of the Grafana dashboard runs and, but for the parser's
# future warnings counter, finds series
G=$ROOT/deploy/grafana/planq.json
wait_for "[ -n \"\$(q 'count(rate(planq_documents_received_total[1m]) >= 0)')\" ]" 30
while IFS= read -r expr; do
	e=${expr//\$__rate_interval/1m}
	e=${e//\$instance/.*}
	res=$(curl -sS -G "$PROM/api/v1/query" --data-urlencode "query=$e")
	assert_eq "dashboard query runs: $expr" success "$(jq -r .status <<<"$res")"
	check "... and has data" test "$(jq '.data.result | length' <<<"$res")" -gt 0
done < <(jq -r '.panels[].targets[].expr' "$G")

# planqd stops: PlanqdDown becomes pending (it fires after 1 minute)
planqd_stop
wait_for "curl -fsS '$PROM/api/v1/alerts' | jq -e '.data.alerts[] | select(.labels.alertname == \"PlanqdDown\")'" 30
assert_eq "planqd stopped: PlanqdDown pending" pending \
	"$(curl -fsS "$PROM/api/v1/alerts" | jq -r '.data.alerts[] | select(.labels.alertname == "PlanqdDown") | .state')"

kill "$PROM_PID"; wait "$PROM_PID" 2>/dev/null; PROM_PID=
check "prometheus stopped" bash -c "! curl -fsS --max-time 2 '$PROM/-/ready' >/dev/null 2>&1"
finish
