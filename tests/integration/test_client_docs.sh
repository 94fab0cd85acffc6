#!/usr/bin/env bash
# Every example of docs/CLIENT.md runs, against a real planqd and
# PostgreSQL: the envelope and reply JSON, the planq send commands, the
# install commands (pip into a venv; the .deb's name), the Scrapy project in
# five lines (a real `scrapy crawl` of the fixture site), the client without
# Scrapy, python3 -m planq_client, and the minimal pyzmq example, also
# against a dead endpoint and a server whose reply has no "status" (it used
# to raise KeyError, and its poll timeout could go negative and wait for
# ever).  tcp://127.0.0.1:5570 stands for the test's endpoint and
# http://127.0.0.1:8000/ for the fixture site.
. "$(dirname "$0")/../lib/common.sh"

DOC=$ROOT/docs/CLIENT.md
PY=${PLANQ_PYTHON:-/usr/bin/python3}
BLOCKS=("$PY" "$ROOT/tests/tools/doc_blocks.py" "$DOC")
SERVE_PID=
trap '[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; cleanup' EXIT
# the examples say `python3` and `planq`: Debian's python3, this build's planq
mkdir -p "$TMP/path"
ln -s "$PY" "$TMP/path/python3"
export PATH=$TMP/path:$PLANQ_BIN:$PATH
export PYTHONPATH=$ROOT/clients/python

setup_db
planqd_start --workers=2
"$PY" "$ROOT/tests/fixtures/crawl/serve.py" "$ROOT" "$ROOT/tests/fixtures/crawl/routes.json" \
	"$TMP/port" "$TMP/requests.log" 2>"$TMP/serve.err" &
SERVE_PID=$!
wait_for "[ -s '$TMP/port' ]" 10 || { fail "the fixture site did not start"; finish; }
SITE=http://127.0.0.1:$(cat "$TMP/port")/
local_() { sed -e "s|tcp://127.0.0.1:5570|$ENDPOINT|g" -e "s|http://127.0.0.1:8000/|$SITE|g"; }
ran=0
# block LANG [NAME] INDEX: the INDEX-th (0-based) block, made local
block() {
	local lang=$1 name= idx=$2
	if [ $# -eq 3 ]; then name=$2; idx=$3; fi
	"${BLOCKS[@]}" "$lang" ${name:+"$name"} |
		"$PY" -c "import sys; print(sys.stdin.read().split(chr(0))[$idx], end='')" | local_
}
cd "$ROOT"

# ---- json: the envelope is accepted, the reply has its keys -------------
env=$(block json 0)
r=$("$PY" tests/tools/protocol_probe.py "$ENDPOINT" "$env" "@samples/01_kita_r3_table.txt")
assert_match "json 1: the envelope example is accepted" '^(stored|duplicate)$' "$(jq -r '.frames[-1] | fromjson | .status' <<<"$r")"
assert_eq "json 2: the reply example has the reply's keys" "document_id id plan_id reason status" \
	"$(block json 1 | jq -r 'keys | join(" ")')"
ran=$((ran + 2))

# ---- sh ------------------------------------------------------------------
url=${SITE}plans/sjis.txt
export url
for i in 0 1 2 3; do
	code=$(block sh "$i")
	out=$(bash -c "$code" 2>&1)
	rc=$?
	check "sh $((i + 1)): exits 0: $(head -n 1 <<<"$code")" test "$rc" -eq 0 || echo "$out"
	assert_match "sh $((i + 1)): prints the summary" 'sent [0-9]+ documents: ' "$out"
	ran=$((ran + 1))
done
assert_eq "the curl example stored the Shift_JIS page with its charset" CP932 \
	"$(sql "SELECT charset FROM documents WHERE source_url = '$url'")"
# install: pip from the checkout into a venv, offline; the .deb's name
code=$(block sh install 0)
pipline=$(grep '^pip install' <<<"$code" | sed 's/#.*//')
"$PY" -m venv --system-site-packages "$TMP/venv" >/dev/null 2>&1
check "install: a venv" test -x "$TMP/venv/bin/pip"
# shellcheck disable=SC2086 # the words of the documented command
# in a copy of the checkout: setuptools writes its egg-info into the source
mkdir -p "$TMP/checkout/clients"
cp -r "$ROOT/clients/python" "$TMP/checkout/clients/"
(cd "$TMP/checkout" && PYTHONPATH= "$TMP/venv/bin/pip" ${pipline#pip } --no-build-isolation --no-index -q) >"$TMP/pip.log" 2>&1
check "install: $pipline (--no-build-isolation, as its comment says)" test $? -eq 0 || tail "$TMP/pip.log"
where=$(cd /tmp && PYTHONPATH= "$TMP/venv/bin/python" -c 'import planq_client, sys; print(planq_client.__file__)')
assert_match "install: the venv imports its own copy" "^$TMP/venv/" "$where"
check "install: the .deb name is python3-planq-client, Architecture all" \
	grep -Pzq 'Package: python3-planq-client\nArchitecture: all' "$ROOT/debian/control"
check "install: the apt line names that file" grep -q 'build/deb/python3-planq-client_\*_all.deb' <<<"$code"
ran=$((ran + 1))

# ---- the Scrapy project in five lines ------------------------------------
(cd "$TMP" && "$PY" -m scrapy startproject demo >/dev/null 2>&1)
check "scrapy startproject" test -f "$TMP/demo/demo/settings.py"
block python settings.py 0 >>"$TMP/demo/demo/settings.py"
block python spiders/plans.py 0 >"$TMP/demo/demo/spiders/plans.py"
printf 'ROBOTSTXT_OBEY = False\nLOG_LEVEL = "INFO"\nREQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"\n' >>"$TMP/demo/demo/settings.py"
(cd "$TMP/demo" && "$PY" -m scrapy crawl plans) >"$TMP/scrapy.log" 2>&1
check "scrapy crawl plans exits 0" test $? -eq 0 || tail -n 30 "$TMP/scrapy.log"
check "the crawl counted outcomes in its stats" grep -Eq "'planq/stored': [0-9]+" "$TMP/scrapy.log"
check "... and no failure" bash -c "! grep -q \"'planq/failed'\" '$TMP/scrapy.log'"
stat() { grep -o "'planq/$1': [0-9]*" "$TMP/scrapy.log" | awk '{print $2}'; }
assert_eq "the nine plan pages stored or duplicate" 9 "$(( $(stat stored || echo 0) + $(stat duplicate || echo 0) ))"
# "/" may come twice: a start URL is not remembered by Scrapy's duplicate
# filter, and the HTML plan page links to "/"
assert_match "the index pages and the minutes rejected" '^[34]$' "$(stat rejected)"
assert_match "the index page was sent too, and rejected as not a plan" '^not a plan' \
	"$(sql "SELECT reason FROM documents WHERE source_url = '$SITE'")"
ran=$((ran + 2))

# ---- the client without Scrapy -------------------------------------------
block python 0 >"$TMP/client_example.py"
out=$("$PY" "$TMP/client_example.py" 2>&1)
check "python 1 (without Scrapy) exits 0" test $? -eq 0 || echo "$out"
assert_match "python 1: send printed a final status" '^(stored|duplicate) [0-9]+ [0-9]+ None' "$out"
assert_eq "python 1: send_many printed both" 2 "$(grep -c '^file:///srv/crawl/samples/' <<<"$out")"
ran=$((ran + 1))

# ---- the minimal pyzmq example -------------------------------------------
block python 1 >"$TMP/minimal.py"
check "python 2: its poll timeout is never negative" grep -q 's.poll(max(1, int(left \* 1000)))' "$TMP/minimal.py"
out=$("$PY" "$TMP/minimal.py" samples/04_fragment_council_md.txt 2>&1)
assert_match "python 2: a final reply" "^samples/04_fragment_council_md.txt \{'id': '[^']+', 'status': '(stored|duplicate)'" "$out"
dead=tcp://127.0.0.1:$(random_port)
sed -e "s|$ENDPOINT|$dead|" -e 's/^ENDPOINT, TIMEOUT, RETRIES = \(.*\), 30.0, 3$/ENDPOINT, TIMEOUT, RETRIES = \1, 0.2, 1/' \
	"$TMP/minimal.py" >"$TMP/minimal_dead.py"
check "python 2 (dead server): TIMEOUT and RETRIES lowered" grep -q '0.2, 1$' "$TMP/minimal_dead.py"
out=$(timeout 60 "$PY" "$TMP/minimal_dead.py" samples/04_fragment_council_md.txt 2>&1)
assert_eq "python 2, dead server: gives up with None" "samples/04_fragment_council_md.txt None" "$out"
# a server answering without "status", then a REQ-style two-frame reply
cat >"$TMP/odd_server.py" <<'PYEOF'
import json, sys, zmq
ctx = zmq.Context(); s = ctx.socket(zmq.ROUTER); s.bind(sys.argv[1])
n = 0
while n < 2:
    peer, env, body = s.recv_multipart()
    doc_id = json.loads(env)["id"]
    if n == 0:
        s.send_multipart([peer, json.dumps({"id": doc_id}).encode()])
    else:
        s.send_multipart([peer, b"", json.dumps({"id": doc_id, "status": "stored"}).encode()])
    n += 1
s.close(); ctx.term()
PYEOF
odd=tcp://127.0.0.1:$(random_port)
"$PY" "$TMP/odd_server.py" "$odd" &
odd_pid=$!
sed -e "s|$ENDPOINT|$odd|" -e 's/^ENDPOINT, TIMEOUT, RETRIES = \(.*\), 30.0, 3$/ENDPOINT, TIMEOUT, RETRIES = \1, 0.5, 2/' \
	"$TMP/minimal.py" >"$TMP/minimal_odd.py"
out=$(timeout 60 "$PY" "$TMP/minimal_odd.py" samples/04_fragment_council_md.txt 2>&1)
assert_match "python 2: a reply without status is ignored, the resend's reply taken" \
	"^samples/04_fragment_council_md.txt \{'id': '[^']+', 'status': 'stored'\}$" "$out"
kill "$odd_pid" 2>/dev/null; wait "$odd_pid" 2>/dev/null
ran=$((ran + 1))

total=$("${BLOCKS[@]}" --list | wc -l)
assert_eq "every fenced example of CLIENT.md was run" "$total" "$ran"
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=
check "planqd stops cleanly" planqd_stop
finish
