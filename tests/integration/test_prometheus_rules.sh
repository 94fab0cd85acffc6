#!/usr/bin/env bash
# deploy/prometheus as operators use it: promtool (Debian's prometheus
# package) accepts the scrape configuration and the alert rules, and the
# rules' unit tests pass (each alert fires on its failure and stays silent
# on a healthy planqd); every alert has a firing case; the Grafana dashboard
# is valid JSON whose panels docs/OPERATIONS.md names.
. "$(dirname "$0")/../lib/common.sh"

P=$ROOT/deploy/prometheus
command -v promtool >/dev/null || { fail "promtool missing: run deploy/install-deps.sh test"; finish; }
out=$(promtool check config "$P/prometheus.yml" 2>&1)
check "promtool check config" test $? -eq 0 || echo "$out"
out=$(promtool check rules "$P/planq.rules.yml" 2>&1)
check "promtool check rules" test $? -eq 0 || echo "$out"
assert_match "8 rules" 'SUCCESS: 9 rules found' "$out"
out=$(cd "$P" && promtool test rules planq.rules.test.yml 2>&1)
check "promtool test rules" test $? -eq 0 || echo "$out"
for a in $(sed -n 's/^ *- alert: //p' "$P/planq.rules.yml"); do
	check "$a has a case where it fires" \
		grep -Pzq "alertname: $a\n *exp_alerts:\n *- exp_labels" "$P/planq.rules.test.yml"
	check "$a is described in OPERATIONS.md" grep -q "\`$a\`" "$ROOT/docs/OPERATIONS.md"
done
# a broken rule is caught: the check above is not a formality
sed 's/expr: up{job="planq"} == 0/expr: up{job="planq"} == == 0/' "$P/planq.rules.yml" >"$TMP/broken.yml"
promtool check rules "$TMP/broken.yml" >/dev/null 2>&1
check "promtool refuses a broken rule" test $? -ne 0

G=$ROOT/deploy/grafana/planq.json
check "dashboard is valid JSON" jq -e . "$G" >/dev/null
assert_eq "dashboard uid" planq "$(jq -r .uid "$G")"
n=$(jq '.panels | length' "$G")
check "dashboard has panels ($n)" test "$n" -ge 10
assert_eq "panel ids unique" "$n" "$(jq '[.panels[].id] | unique | length' "$G")"
assert_eq "every panel has a query" 0 "$(jq '[.panels[] | select((.targets | length) == 0)] | length' "$G")"
while IFS= read -r title; do
	check "panel \"$title\" named in OPERATIONS.md" grep -qF "**$title**" "$ROOT/docs/OPERATIONS.md"
done < <(jq -r '.panels[].title' "$G")
finish
