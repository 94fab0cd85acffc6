#!/usr/bin/env bash
# The Python client against a real planqd and PostgreSQL, with the same
# semantics as `planq send`: `python3 -m planq_client send` prints the same
# lines and summary and exits the same way; Client.send and send_many store,
# match replies by id, pass rejections on; a dead endpoint fails at once
# after the tries, like planq send; "retry" while the database is down (no
# spool) is retried and then failed; CurveZMQ with planq keygen's files.
. "$(dirname "$0")/../lib/common.sh"

PY=${PLANQ_PYTHON:-/usr/bin/python3}
export PYTHONPATH=$ROOT/clients/python
pyclient() { "$PY" -m planq_client "$@"; }

setup_db
printf 'db_retry_seconds = 1\n' >"$TMP/planqd.conf"
planqd_start --workers=2 --config "$TMP/planqd.conf"

# ---- the command line, beside planq send ---------------------------------
mkdir -p "$TMP/docs/sub" "$TMP/docs/.hidden"
cp "$ROOT"/samples/0[1-3]*.txt "$TMP/docs/"
cp "$ROOT"/samples/04*.txt "$TMP/docs/sub/"
cp "$ROOT"/samples/05*.txt "$TMP/docs/.hidden/"
printf '会議録\n\n○議長 ただいまから本日の会議を開きます。\n' >"$TMP/docs/sub/minutes.txt"
pyclient send --to "$ENDPOINT" "$TMP/docs" >"$TMP/py1.out" 2>"$TMP/py1.err"
assert_eq "python send: exit 1 (one rejected)" 1 "$?"
assert_eq "python send: summary line" "sent 5 documents: 4 stored, 0 duplicate, 0 spooled, 1 rejected, 0 failed" "$(tail -n 1 "$TMP/py1.out")"
check "python send: stored lines" grep -Eq "^stored document=[0-9]+ plan=[0-9]+ $TMP/docs/01_kita_r3_table.txt\$" "$TMP/py1.out"
check "python send: rejected line with reason" grep -Eq "^rejected document=[0-9]+ reason=\"not a plan[^\"]*\" $TMP/docs/sub/minutes.txt\$" "$TMP/py1.out"
check "python send: hidden directory skipped" bash -c "! grep -q hidden '$TMP/py1.out'"
assert_eq "5 documents in the database" 5 "$(sql 'SELECT count(*) FROM documents')"
assert_eq "source_url is file:// + path" "file://$TMP/docs/01_kita_r3_table.txt" \
	"$(sql "SELECT source_url FROM documents WHERE source_url LIKE '%01_kita%'")"
assert_match "fetched_at is the file's mtime" "^$(date -u -r "$TMP/docs/01_kita_r3_table.txt" +%Y-%m-%d)" \
	"$(sql "SELECT fetched_at AT TIME ZONE 'UTC' FROM documents WHERE source_url LIKE '%01_kita%'")"
# the same files through planq send and through the client again: the same
# lines (duplicates and the rejection, with the same ids), same exit status
"$PLANQ" send --to "$ENDPOINT" "$TMP/docs" >"$TMP/c2.out" 2>/dev/null
c_rc=$?
pyclient send --to "$ENDPOINT" "$TMP/docs" >"$TMP/py2.out" 2>/dev/null
assert_eq "resend: same exit status as planq send" "$c_rc" "$?"
assert_eq "resend: same lines as planq send" "$(sort "$TMP/c2.out")" "$(sort "$TMP/py2.out")"
check "resend: all duplicates but the rejection" grep -q '^sent 5 documents: 0 stored, 4 duplicate, 0 spooled, 1 rejected, 0 failed$' "$TMP/py2.out"
pyclient send --to "$ENDPOINT" --quiet "$ROOT/samples/01_kita_r3_table.txt" >"$TMP/py3.out"
assert_eq "--quiet: summary only, exit 0" "0 sent 1 documents: 0 stored, 1 duplicate, 0 spooled, 0 rejected, 0 failed" "$? $(cat "$TMP/py3.out")"
pyclient send --to "$ENDPOINT" "$TMP/missing.txt" >"$TMP/py4.out" 2>/dev/null
assert_eq "unreadable file: exit 1" 1 "$?"
check "unreadable file: failed line" grep -q "^failed reason=\"No such file or directory\" $TMP/missing.txt\$" "$TMP/py4.out"
pyclient send --to "$ENDPOINT" --concurrency 0 x >/dev/null 2>&1
assert_eq "usage error: exit 2" 2 "$?"
printf '' | pyclient send --to "$ENDPOINT" - >"$TMP/py5.out"
check "stdin: an empty body is rejected with planqd's reason" grep -q '^rejected reason="document body is empty' "$TMP/py5.out"

# ---- the API -------------------------------------------------------------
cat >"$TMP/api.py" <<'PYEOF'
import sys
from planq_client import Client, Document
endpoint, samples = sys.argv[1], sys.argv[2]
ok = True
def expect(name, cond):
    global ok
    print(("ok   " if cond else "FAIL ") + name)
    ok = ok and cond
with Client(endpoint, concurrency=4, timeout=30) as c:
    body = open(f"{samples}/03_miyakojima_r5_web.txt", "rb").read()
    r = c.send(body, source_url="https://example.test/03", fetched_at=1700000000)
    expect("send: duplicate of the CLI's row", r.status == "duplicate" and r.document_id and r.plan_id)
    expect("send: Reply.ok", r.ok)
    docs = [Document(body=b"%d: " % i + body, source_url=f"https://example.test/v{i}",
                     content_type="text/plain; charset=utf-8") for i in range(6)]
    replies = list(c.send_many(docs))
    expect("send_many: one reply per document", sorted(r.source_url for r in replies)
           == sorted(d.source_url for d in docs))
    expect("send_many: distinct ids", len({r.id for r in replies}) == 6)
    statuses = {r.status for r in replies}
    expect(f"send_many: each stored or rejected ({statuses})", statuses <= {"stored", "rejected"})
    r = c.send(b"\x00\x01\x02" * 100, source_url="https://example.test/bin")
    expect(f"binary: rejected with the worker's reason ({r.reason})",
           r.status == "rejected" and r.document_id and r.reason.startswith(("undecodable", "not a plan")))
sys.exit(0 if ok else 1)
PYEOF
"$PY" "$TMP/api.py" "$ENDPOINT" "$ROOT/samples" >"$TMP/api.out" 2>&1
check "API checks" test $? -eq 0
cat "$TMP/api.out"
assert_eq "API: the six versions are in the database" 6 \
	"$(sql "SELECT count(*) FROM documents WHERE source_url LIKE 'https://example.test/v%'")"

# ---- a dead endpoint: the same give-up as planq send ---------------------
dead=tcp://127.0.0.1:$(random_port)
"$PLANQ" send --to "$dead" --timeout 0.3 --retries 1 "$ROOT"/samples/0[1-3]*.txt >"$TMP/dead_c.out" 2>/dev/null
c_rc=$?
pyclient send --to "$dead" --timeout 0.3 --retries 1 "$ROOT"/samples/0[1-3]*.txt >"$TMP/dead_py.out" 2>/dev/null
assert_eq "dead endpoint: same exit status" "$c_rc" "$?"
assert_eq "dead endpoint: same lines as planq send" "$(sort "$TMP/dead_c.out")" "$(sort "$TMP/dead_py.out")"
check "dead endpoint: the others fail at once" grep -q "^failed reason=\"no reply from $dead in 0.6 s\"" "$TMP/dead_py.out"

# ---- retry while the database is down (no spool) -------------------------
pg_stop "$TMP/pg"
pyclient send --to "$ENDPOINT" --retries 1 "$ROOT/samples/04_fragment_council_md.txt" >"$TMP/retry.out" 2>"$TMP/retry.err"
assert_eq "database down: exit 1" 1 "$?"
check "database down: still retry after 2 attempts, with planqd's reason" \
	grep -q '^failed reason="still retry after 2 attempts: database unavailable' "$TMP/retry.out"
check "database down: the backoff was logged" grep -q 'answered retry' "$TMP/retry.err"
pg_start "$TMP/pg" >/dev/null || { fail "PostgreSQL did not come back"; finish; }
wait_for "'$PY' -m planq_client send --to '$ENDPOINT' --timeout 5 '$ROOT/samples/04_fragment_council_md.txt' | grep -q '^sent 1 documents: [01] stored, [01] duplicate'" 30
check "database back: the document goes through" test $? -eq 0

# ---- CurveZMQ ------------------------------------------------------------
mkdir -p "$TMP/keys" "$TMP/clients"
"$PLANQ" keygen "$TMP/keys/server" >"$TMP/server.key"
"$PLANQ" keygen "$TMP/keys/crawler" >/dev/null
cp "$TMP/keys/crawler" "$TMP/clients/"
planqd_stop
cat >"$TMP/curve.conf" <<EOF
curve_secret_file = $TMP/keys/server_secret
curve_clients_dir = $TMP/clients
EOF
planqd_start --workers=1 --config "$TMP/curve.conf"
pyclient send --to "$ENDPOINT" --server-key "$TMP/keys/server" --client-cert "$TMP/keys/crawler_secret" \
	"$ROOT/samples/05_kensetsu_r6_markdown.txt" >"$TMP/curve1.out" 2>&1
assert_match "curve: stored with the key files" '^stored document=' "$(head -n 1 "$TMP/curve1.out")"
pyclient send --to "$ENDPOINT" --server-key "$(cat "$TMP/server.key")" --client-cert "$TMP/keys/crawler_secret" \
	"$ROOT/samples/05_kensetsu_r6_markdown.txt" >"$TMP/curve2.out" 2>&1
assert_match "curve: the Z85 server key works too" '^duplicate document=' "$(head -n 1 "$TMP/curve2.out")"
# a Z85 key may begin with '-' (one key in 85 does): still taken as the value
pyclient send --to "$ENDPOINT" --server-key "-$(head -c 39 /dev/zero | tr '\0' a)" \
	--client-cert "$TMP/nonexistent" "$ROOT/samples/05_kensetsu_r6_markdown.txt" >"$TMP/dash.out" 2>&1
assert_match "a server key beginning with '-' is the option's value" \
	'client_cert .*nonexistent is neither a 40-character Z85 key' "$(cat "$TMP/dash.out")"
pyclient send --to "$ENDPOINT" --timeout 0.5 --retries 0 "$ROOT/samples/05_kensetsu_r6_markdown.txt" >"$TMP/curve3.out" 2>&1
assert_match "curve: a plaintext client gets silence" 'failed reason="no reply after 1 tries' "$(cat "$TMP/curve3.out")"

check "planqd stops cleanly" planqd_stop
finish
