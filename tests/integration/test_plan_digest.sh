#!/usr/bin/env bash
# test_plan_digest.sh: the plan digest the worker computes in C
# (rows/plan_digest.c, sent as plans.parsed_sha256 since
# sql/015_plan_facts.sql) is byte-equal to planq_plan_digest() of the same
# JSON in PostgreSQL (the SHA-256 of jsonb's text), which `planq reparse`
# compares a new parse with and bench/peer.py stores: for the parser's JSON
# of every fixture document, sample and fuzz-corpus file, and for the
# values whose jsonb text test_plan_digest checks by hand.  One mismatch
# would make `planq reparse` see that plan as changed every time.
. "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
UNIT=${PLANQ_UNIT:-$ROOT/build/release/tests}

setup_db
"$UNIT/test_plan_digest" --dump >"$TMP/dump.tsv" 2>"$TMP/dump.err"
check "test_plan_digest --dump ran cleanly" test $? -eq 0
assert_eq "every line is label, digest, JSON" 0 \
	"$(awk -F'\t' 'NF != 3 || $2 !~ /^[0-9a-f]+$/ || length($2) != 64 ||
	                $3 !~ /^[A-Za-z0-9+\/=]+$/' "$TMP/dump.tsv" | wc -l)"
n=$(wc -l <"$TMP/dump.tsv")
check "the plans of at least the fixtures, samples and corpus ($n)" test "$n" -ge 60

psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE TABLE test_digest (label text, c_digest text, json_b64 text);
\\copy test_digest FROM '$TMP/dump.tsv'
SQL
assert_eq "all $n JSON texts loaded" "$n" "$(sql "SELECT count(*) FROM test_digest")"
bad=$(sql "SELECT label FROM test_digest
	WHERE c_digest IS DISTINCT FROM encode(planq_plan_digest(
	      convert_from(decode(json_b64, 'base64'), 'UTF8')::jsonb), 'hex')
	ORDER BY label")
assert_eq "C digest = planq_plan_digest for every one" "" "$bad"
# the test can fail: a JSON whose digest is not its own is caught
assert_eq "a wrong digest is seen" 1 \
	"$(sql "SELECT count(*) FROM (SELECT * FROM test_digest LIMIT 1) t
	        WHERE md5(c_digest) IS DISTINCT FROM encode(planq_plan_digest(
	              convert_from(decode(json_b64, 'base64'), 'UTF8')::jsonb), 'hex')")"
finish
