#!/usr/bin/env bash
# The protocol as documented is the protocol as built: each difference a
# client written from docs/PROTOCOL.md and docs/CLIENT.md alone ran into
# (issue 16, part 5) is checked here against a real planqd and PostgreSQL,
# from Python with raw pyzmq, the way a crawler author would try it.
#   1 charset= is a hint        2 NUL in the envelope      3 socket types
#   4 frame count wording, v    5 the frame limit          6 nothing stored
#   7 fetched_at, db_retry_seconds
# (8, the CLIENT.md Python example, is run by test_client_docs.sh.)
. "$(dirname "$0")/../lib/common.sh"

PY=${PLANQ_PYTHON:-/usr/bin/python3}
PROBE=("$PY" "$ROOT/tests/tools/protocol_probe.py")
setup_db
MPORT=$(random_port)
planqd_start --workers=1 --max-body=64K --metrics "127.0.0.1:$MPORT"
metric() {
	curl -fsS --max-time 5 "http://127.0.0.1:$MPORT/metrics" |
		awk -v k="$1" '$1 == k { print $2 }'
}
# probe [--req] FRAME…: the reply frames as JSON, {"frames": null} if none
probe_frames() {
	local opts=()
	while [[ ${1:-} == --* ]]; do opts+=("$1"); shift; done
	"${PROBE[@]}" --timeout 10 "${opts[@]}" "$ENDPOINT" "$@"
}
nframes() { jq -r '.frames | length' <<<"$1"; }
last() { jq -r ".frames[-1] | fromjson | .$2" <<<"$1"; }
docs() { sql 'SELECT count(*) FROM documents'; }

plan=$ROOT/samples/01_kita_r3_table.txt
plan2=$ROOT/samples/02_minato_h30_markers.txt

# ---- 1. charset= is a hint: a wrong label is overridden ------------------
iconv -f UTF-8 -t CP932 "$plan" >"$TMP/kita.sjis"
r=$(probe_frames '{"v":1,"id":"cs1","content_type":"text/plain; charset=utf-8"}' "@$TMP/kita.sjis")
assert_eq "1 Shift_JIS labelled utf-8: stored" stored "$(last "$r" status)"
assert_eq "1 ... decoded as CP932 all the same" CP932 \
	"$(sql "SELECT charset FROM documents WHERE client_id = 'cs1'")"
iconv -f UTF-8 -t EUC-JP "$plan2" >"$TMP/minato.euc"
r=$(probe_frames '{"v":1,"id":"cs2","content_type":"text/plain; charset=euc-jp"}' "@$TMP/minato.euc")
assert_eq "1 EUC-JP labelled euc-jp: stored" stored "$(last "$r" status)"
assert_match "1 ... decoded as EUC-JP" '^EUC-JP' \
	"$(sql "SELECT charset FROM documents WHERE client_id = 'cs2'")"
check "1 PROTOCOL.md calls charset= a hint" grep -q 'its `charset=` is a hint' "$ROOT/docs/PROTOCOL.md"
check "1 PROTOCOL.md no longer says it decides" bash -c "! grep -q 'charset=. decides' '$ROOT/docs/PROTOCOL.md'"

# ---- 2. a NUL in the envelope --------------------------------------------
before=$(docs)
r=$(probe_frames '{"v":1,"id":"nul1","source_url":"http://a.test/\u0000x"}' "@$plan")
assert_eq "2 NUL in source_url: rejected" rejected "$(last "$r" status)"
assert_eq "2 ... with the documented reason" 'envelope "source_url" contains a NUL character' "$(last "$r" reason)"
assert_eq "2 ... and the id kept" nul1 "$(last "$r" id)"
r=$(probe_frames '{"v":1,"id":"nul2","crawler":{"tags":["a","b\u0000"]}}' "@$plan")
assert_eq "2 NUL in an unknown key: reason names it" 'envelope "crawler" contains a NUL character' "$(last "$r" reason)"
assert_eq "2 ... id kept" nul2 "$(last "$r" id)"
r=$(probe_frames '{"v":1,"id":"n\u0000l"}' "@$plan")
assert_eq "2 NUL in the id itself: reason" 'envelope "id" contains a NUL character' "$(last "$r" reason)"
assert_eq "2 ... reply id is null (no id to echo)" null "$(last "$r" id)"
check "2 no library flag name in the log of replies" bash -c "! grep -q JSON_ALLOW_NUL '$TMP/planqd.log'"
assert_eq "2 nothing stored" "$before" "$(docs)"

# ---- 3. what each socket type gets --------------------------------------
env='{"v":1,"id":"s1"}'
r=$(probe_frames "$env" "@$plan")
assert_eq "3 DEALER [env, body]: one frame" 1 "$(nframes "$r")"
assert_eq "3 ... the JSON reply" s1 "$(last "$r" id)"
r=$(probe_frames '' '{"v":1,"id":"s2"}' "@$plan")
assert_eq "3 DEALER ['', env, body]: two frames" 2 "$(nframes "$r")"
assert_eq "3 ... the first empty" '' "$(jq -r '.frames[0]' <<<"$r")"
assert_eq "3 ... then the JSON reply" duplicate "$(last "$r" status)"
r=$(probe_frames '' "@$plan")
assert_eq "3 DEALER ['', body]: one frame" 1 "$(nframes "$r")"
assert_match "3 ... an empty envelope, not '1 frame'" '^envelope frame is empty' "$(last "$r" reason)"
r=$(probe_frames --req '{"v":1,"id":"s3"}' "@$plan")
assert_eq "3 REQ [env, body]: one frame" 1 "$(nframes "$r")"
assert_eq "3 ... the JSON reply" s3 "$(last "$r" id)"
r=$(probe_frames --req '{"v":1,"id":"s4"}')
assert_eq "3 REQ [env] alone: one frame (REQ strips the delimiter)" 1 "$(nframes "$r")"
assert_eq "3 ... message has 1 frame" 'message has 1 frame; send exactly 2 frames: the JSON envelope, then the document' "$(last "$r" reason)"

# ---- 4. frame count wording; "v" as 1.0 ---------------------------------
r=$(probe_frames '{"v":1,"id":"f1"}')
assert_eq "4 one frame: singular, as documented" 'message has 1 frame; send exactly 2 frames: the JSON envelope, then the document' "$(last "$r" reason)"
r=$(probe_frames '{"v":1,"id":"f3"}' "@$plan" extra)
assert_eq "4 three frames: plural" 'message has 3 frames; send exactly 2 frames: the JSON envelope, then the document' "$(last "$r" reason)"
r=$(probe_frames '{"v":1.0,"id":"v10"}' "@$plan2")
assert_eq "4 v=1.0 is the number 1: stored" stored "$(last "$r" status)"
r=$(probe_frames '{"v":"1","id":"vs"}' "@$plan")
assert_eq "4 v as a string: the documented reason" 'envelope "v" must be the number 1' "$(last "$r" reason)"
r=$(probe_frames '{"v":2.0,"id":"v20"}' "@$plan")
assert_match "4 v=2.0: unsupported version 2" '^unsupported protocol version v=2;' "$(last "$r" reason)"
r=$(probe_frames '{"v":1.5,"id":"v15"}' "@$plan")
assert_match "4 v=1.5: unsupported version 1.5" '^unsupported protocol version v=1\.5;' "$(last "$r" reason)"
for reason in '`message has 1 frame' 'message has N frames' 'envelope "v" must be the number 1' 'contains a NUL character'; do
	check "4 PROTOCOL.md lists: $reason" grep -qF -- "$reason" "$ROOT/docs/PROTOCOL.md"
done

# ---- 5. the frame limit: 2 x max_body + 64 KiB ---------------------------
limit=$((2 * 65536 + 65536))
assert_eq "5 planq_frame_limit_bytes" "$limit" "$(metric planq_frame_limit_bytes)"
check "5 planqd logs the limit at start" grep -q "front: a frame over $limit bytes (2 x max_body + 64 KiB) drops" "$TMP/planqd.log"
r=$(probe_frames '{"v":1,"id":"big1"}' "%$limit")
assert_eq "5 a frame at the limit: rejected with a reply" rejected "$(last "$r" status)"
assert_eq "5 ... naming both limits" "document is $limit bytes, over the limit of 65536 bytes (max_body); it was not stored; a frame over $limit bytes drops the connection without a reply" "$(last "$r" reason)"
d0=$(metric planq_front_disconnects_total)
# one byte more: no reply; the probe keeps its socket open for 5 s after
# its 2 s wait, so a disconnect counted meanwhile is planqd's doing
"${PROBE[@]}" --timeout 2 --hold 5 "$ENDPOINT" '{"v":1,"id":"big2"}' "%$((limit + 1))" >"$TMP/big2.out" &
probe_pid=$!
wait_for "[ \"\$(metric planq_front_disconnects_total)\" -gt $d0 ]" 7
check "5 a frame one byte over: planqd drops the connection (counted)" test "$(metric planq_front_disconnects_total)" -gt "$d0"
check "5 ... while the client still holds it open" kill -0 "$probe_pid"
wait "$probe_pid"
assert_eq "5 ... and no reply" '{"frames": null}' "$(cat "$TMP/big2.out")"
check "5 ... logged" grep -q "front: a client connection on $ENDPOINT ended: closed by the client, lost, or dropped by libzmq for a frame over $limit bytes" "$TMP/planqd.log"
check "5 PROTOCOL.md gives the real edge" grep -qF '2 × `max_body` + 64 KiB' "$ROOT/docs/PROTOCOL.md"
r=$(probe_frames '{"v":1,"id":"after"}' "@$plan")
assert_eq "5 planqd still answers" duplicate "$(last "$r" status)"

# ---- 6. protocol rejections are never stored ----------------------------
before=$(docs)
probe_frames 'not json' "@$plan" >/dev/null
probe_frames '{"v":1,"id":"o1"}' "%70000" >/dev/null
probe_frames '{"v":1,"id":"e1"}' "" >/dev/null
assert_eq "6 malformed, oversize, empty: nothing stored" "$before" "$(docs)"
check "6 CLIENT.md no longer says 'stored as rejected' for them" \
	bash -c "! grep -q 'stored as rejected (not a plan, malformed envelope' '$ROOT/docs/CLIENT.md'"

# ---- 7. fetched_at; db_retry_seconds -------------------------------------
iso_doc=$ROOT/samples/03_miyakojima_r5_web.txt
r=$(probe_frames '{"v":1,"id":"t1","fetched_at":1700000000}' "@$iso_doc")
assert_eq "7 fetched_at as a number: refused" 'envelope "fetched_at" must be a string' "$(last "$r" reason)"
r=$(probe_frames '{"v":1,"id":"t2","fetched_at":"1700000000"}' "@$iso_doc")
assert_eq "7 fetched_at \"1700000000\": stored" stored "$(last "$r" status)"
assert_eq "7 ... its column NULL, the value kept in the envelope" "t|1700000000" \
	"$(sql "SELECT fetched_at IS NULL, envelope->>'fetched_at' FROM documents WHERE client_id = 't2'")"
r=$(probe_frames '{"v":1,"id":"t3","fetched_at":"2024-05-01T09:12:44Z"}' "@$ROOT/samples/05_kensetsu_r6_markdown.txt")
assert_eq "7 ISO 8601 fetched_at: stored" 2024-05-01T09:12:44Z \
	"$(sql "SELECT to_char(fetched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM documents WHERE client_id = 't3'")"
check "7 SCHEMA.md no longer promises epoch seconds" bash -c "! grep -q 'ISO-8601 string or epoch seconds' '$ROOT/docs/SCHEMA.md'"
# db_retry_seconds: what planqd gives its workers is what the docs say
wpid=$(worker_pids | head -n 1)
given=$(tr '\0' '\n' <"/proc/$wpid/cmdline" | grep -A1 -x -- --db-retry-seconds | tail -n 1)
table=$(sed -n 's/^| `db_retry_seconds` | `\([0-9]*\)` |.*/\1/p' "$ROOT/docs/OPERATIONS.md")
assert_eq "7 OPERATIONS.md table default = planqd's" "$given" "$table"
check "7 OPERATIONS.md text says the same" bash -c "! grep -Eo 'db_retry_seconds. \(([0-9]+)\)' '$ROOT/docs/OPERATIONS.md' | grep -v '($given)'"
man=$(grep -A3 '^\.B db_retry_seconds' "$ROOT/docs/man/planqd.conf.5" | grep -o 'Default [0-9]*' | grep -o '[0-9]*$' || true)
[ -z "$man" ] || assert_eq "7 planqd.conf(5) default" "$given" "$man"
assert_eq "7 the example config's default" "#db_retry_seconds = $given" "$(grep '^#db_retry_seconds' "$ROOT/deploy/planqd.conf.example")"

check "planqd alive" kill -0 "$PLANQD_PID"
check "planqd stops cleanly" planqd_stop
finish
