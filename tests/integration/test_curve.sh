#!/usr/bin/env bash
# CurveZMQ on the front socket: planq keygen writes a usable key pair; a
# crawler whose public certificate is in curve_clients_dir gets "stored"; an
# unknown key gets no answer at all (the handshake fails); a key removed from
# the directory is refused after a SIGHUP; without keys planqd refuses to
# listen beyond loopback unless allow_plaintext = 1.
. "$(dirname "$0")/../lib/common.sh"

setup_db
doc="$ROOT/samples/$(ls "$ROOT/samples" | grep '\.txt$' | head -n 1)"
doc2="$ROOT/samples/$(ls "$ROOT/samples" | grep '\.txt$' | sed -n 2p)"
doc3="$ROOT/samples/$(ls "$ROOT/samples" | grep '\.txt$' | sed -n 3p)"

# -- keygen
mkdir -p "$TMP/keys" "$TMP/clients"
key=$("$PLANQ" keygen "$TMP/keys/server")
assert_eq "keygen prints a 40-character Z85 public key" "40 1" \
	"${#key} $(printf '%s\n' "$key" | wc -l)"
assert_eq "secret file is 0600" 600 "$(stat -c %a "$TMP/keys/server_secret")"
check "public file has no secret" bash -c "! grep -q secret-key '$TMP/keys/server'"
check "public key in the certificate" grep -qF -- "$key" "$TMP/keys/server"
"$PLANQ" keygen "$TMP/keys/server" >/dev/null 2>"$TMP/keygen2.err"
assert_eq "keygen refuses to overwrite" 1 "$?"
"$PLANQ" keygen "$TMP/keys/alice" >/dev/null
"$PLANQ" keygen "$TMP/keys/bob" >/dev/null
"$PLANQ" keygen "$TMP/keys/mallory" >/dev/null
cp "$TMP/keys/alice" "$TMP/keys/bob" "$TMP/clients/"

cat >"$TMP/planqd.conf" <<EOF
curve_secret_file = $TMP/keys/server_secret
curve_clients_dir = $TMP/clients
EOF
planqd_start --config "$TMP/planqd.conf"
check "planqd logs its public key" grep -qF "public key $key" "$TMP/planqd.log"

# a refused handshake means silence: wait 3 s for it; 30 s for real replies
send_as() {	# send_as CLIENT FILE [server key]
	local t=30
	case $1 in mallory|bob) t=3 ;; esac
	[ "${3:-}" = "$TMP/keys/mallory" ] && t=3
	"$PLANQ" send --to "$ENDPOINT" --timeout $t --retries 0 \
		--server-key "${3:-$TMP/keys/server}" \
		--client-cert "$TMP/keys/$1_secret" "$2" 2>&1
}

# -- a known key, server key given as a file and as Z85
out=$(send_as alice "$doc")
assert_match "known key: stored" '^stored document=' "$out"
out=$("$PLANQ" send --to "$ENDPOINT" --timeout 30 --server-key "$key" \
	--client-cert "$TMP/keys/bob_secret" "$doc2" 2>&1)
assert_match "known key, Z85 server key: stored" '^stored document=' "$out"

# -- an unknown key: the handshake fails, nothing comes back
out=$(send_as mallory "$doc3"); rc=$?
assert_eq "unknown key: send fails" 1 "$rc"
assert_match "unknown key: no reply" 'no reply' "$out"
assert_eq "unknown key: nothing stored" 0 "$(sql "SELECT count(*) FROM documents WHERE source_url = 'file://$doc3'")"

# -- plaintext against a Curve server gets nothing either
out=$("$PLANQ" send --to "$ENDPOINT" --timeout 3 --retries 0 "$doc3" 2>&1)
assert_match "plaintext client: no reply" 'no reply' "$out"

# -- the wrong server key: the client cannot complete the handshake
out=$(send_as alice "$doc3" "$TMP/keys/mallory"); rc=$?
assert_eq "wrong server key: send fails" 1 "$rc"

# -- revocation: bob's file removed, SIGHUP
rm "$TMP/clients/bob"
kill -HUP "$PLANQD_PID"
check "reload logged" wait_for "grep -q 'curve: 1 client key allowed' '$TMP/planqd.log'" 10
out=$(send_as bob "$doc3"); rc=$?
assert_eq "revoked key: send fails" 1 "$rc"
out=$(send_as alice "$doc3")
assert_match "remaining key still works" '^stored document=' "$out"

# -- a bad --client-cert / missing half is a usage error, not a hang
"$PLANQ" send --to "$ENDPOINT" --server-key "$key" "$doc" >/dev/null 2>"$TMP/half.err"
assert_eq "--server-key alone: exit 2" 2 "$?"
"$PLANQ" send --to "$ENDPOINT" --server-key "$key" \
	--client-cert "$TMP/keys/alice" "$doc" >/dev/null 2>"$TMP/cert.err"
check "public cert as --client-cert: still works (loads NAME_secret)" test $? -eq 0
check "planqd stops cleanly" planqd_stop

# -- no keys: loopback only, unless allow_plaintext = 1
PORT=$(random_port)
timeout 20 "$PLANQ_BIN/planqd" --listen "tcp://0.0.0.0:$PORT" --db "$PLANQ_DB" \
	--runtime-dir "$TMP/run2" --workers 1 >"$TMP/open.log" 2>&1
rc=$?
check "0.0.0.0 without keys: refuses to start" test "$rc" -ne 0 -a "$rc" -ne 124
check "says what to configure" grep -q 'curve_secret_file.*allow_plaintext' "$TMP/open.log"

echo "allow_plaintext = 1" >"$TMP/plain.conf"
planqd_start --config "$TMP/plain.conf" --listen "tcp://0.0.0.0:$(random_port)"
check "allow_plaintext = 1: starts, with a warning" grep -q 'without CurveZMQ' "$TMP/planqd.log"
check "planqd stops cleanly (plaintext)" planqd_stop

cat >"$TMP/nodir.conf" <<EOF
curve_secret_file = $TMP/keys/server_secret
curve_clients_dir = $TMP/no-such-dir
EOF
timeout 20 "$PLANQ_BIN/planqd" --config "$TMP/nodir.conf" --listen "tcp://127.0.0.1:$(random_port)" \
	--db "$PLANQ_DB" --runtime-dir "$TMP/run3" --workers 1 >"$TMP/nodir.log" 2>&1
check "missing clients dir: refuses to start" test $? -eq 1
check "missing clients dir: says so" grep -q 'curve_clients_dir .*no-such-dir' "$TMP/nodir.log"
finish
