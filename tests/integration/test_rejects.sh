#!/usr/bin/env bash
# Bad input never crashes or wedges the daemon: each malformed message gets
# one "rejected" reply with a reason a person can act on, and planqd keeps
# serving good documents afterwards.
. "$(dirname "$0")/../lib/common.sh"

setup_db
planqd_start --workers=1 --max-body=64K

reject() {	# NAME REASON-REGEX FRAME…
	local name=$1 re=$2; shift 2
	local reply status reason
	reply=$("$RAWSEND" "$ENDPOINT" "$@" | tail -n 1)
	status=$(jq -r .status <<<"$reply" 2>/dev/null)
	reason=$(jq -r .reason <<<"$reply" 2>/dev/null)
	assert_eq "$name: rejected" rejected "$status"
	assert_match "$name: reason" "$re" "$reason"
}

doc="$ROOT/samples/$(ls "$ROOT/samples" | grep '\.txt$' | head -n 1)"
env='{"v":1,"id":"t1","source_url":"http://example.test/a"}'
reject "missing frame" "exactly 2 frames" "$env"
reject "extra frame" "exactly 2 frames" "$env" "@$doc" "extra"
reject "envelope not JSON" "not valid JSON" "this is not json" "@$doc"
reject "envelope not an object" "must be a JSON object" '[1,2]' "@$doc"
reject "no version" 'no "v"' '{"id":"x"}' "@$doc"
reject "unknown version" "unsupported protocol version v=2" '{"v":2}' "@$doc"
reject "id of wrong type" '"id" must be a string' '{"v":1,"id":42}' "@$doc"
reject "content_type of wrong type" '"content_type" must be a string' '{"v":1,"content_type":["x"]}' "@$doc"
reject "empty body" "body is empty" "$env" ""
reject "oversize body" "over the limit of 65536 bytes" "$env" "%70000"

reply=$("$RAWSEND" "$ENDPOINT" '{"v":1,"id":"keep-me"' "@$doc")
assert_eq "id kept when it can be read" "null" "$(jq -r .id <<<"$reply")"
reply=$("$RAWSEND" "$ENDPOINT" '{"v":3,"id":"keep-me"}' "@$doc")
assert_eq "id echoed on rejection" "keep-me" "$(jq -r .id <<<"$reply")"
reply=$("$RAWSEND" --req "$ENDPOINT" '{"v":1,"id":"req"}' "")
assert_eq "REQ clients get replies too" rejected "$(jq -r .status <<<"$reply")"

# content that is not a plan is stored as rejected, with the reason
printf '会議録\n\n○議長 ただいまから本日の会議を開きます。\n○委員 質問します。\n' >"$TMP/minutes.txt"
out=$("$PLANQ" send --to "$ENDPOINT" "$TMP/minutes.txt")
assert_eq "non-plan: send exits 1" 1 "$?"
assert_match "non-plan: rejected line" '^rejected document=[0-9]+ reason="not a plan' "$out"
assert_eq "non-plan: stored as rejected" 1 "$(sql "SELECT count(*) FROM documents WHERE outcome = 'rejected' AND reason LIKE 'not a plan%'")"
assert_eq "non-plan: no plan row" 0 "$(sql 'SELECT count(*) FROM plans')"
out=$("$PLANQ" send --to "$ENDPOINT" "$TMP/minutes.txt")
assert_match "non-plan resent: rejected again" '^rejected document=' "$out"
assert_eq "non-plan resent: no new row" 1 "$(sql 'SELECT count(*) FROM documents')"

head -c 3000 /dev/urandom >"$TMP/junk.bin"
out=$("$PLANQ" send --to "$ENDPOINT" "$TMP/junk.bin")
assert_match "binary junk: rejected" '^rejected document=[0-9]+ reason="(undecodable|not a plan)' "$out"

# after all that, the daemon is healthy
out=$("$PLANQ" send --to "$ENDPOINT" "$doc")
assert_match "good document still stored" '^stored document=' "$out"
check "planqd alive" kill -0 "$PLANQD_PID"
check "planqd stops cleanly" planqd_stop
finish
