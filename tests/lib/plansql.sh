# tests/lib/plansql.sh: helpers for the tests/integration/test_sql_*.sh
# scripts on top of tests/lib/common.sh: store a document through
# planq_ingest(), count a plan's rows, compute expectations from plan JSON.

# q [psql args]: unaligned, tuples only, stop on error; SQL from -c or stdin
q() { psql -X -Atq -v ON_ERROR_STOP=1 "$@"; }

# ingest RAWFILE PLANJSON|- [OUTCOME [REASON [ENVELOPE [PARSER_VERSION]]]]:
# one planq_ingest call; prints "status|document_id|plan_id|reason".
ingest() {
	local raw=$1 plan=${2:--} outcome=${3:-stored} reason=${4:-} env=${5:-'{}'}
	local pv=${6:-test-1} planval=""
	[ "$plan" = - ] || planval=$(cat "$plan")
	q -v raw="$(base64 -w0 "$raw")" -v plan="$planval" -v outcome="$outcome" \
	  -v reason="$reason" -v env="$env" -v pv="$pv" <<'SQL'
SELECT * FROM planq_ingest(NULL, decode(:'raw', 'base64'), :'env'::jsonb, 'UTF-8',
       :'outcome', nullif(:'reason', ''), nullif(:'plan', '')::jsonb, :'pv');
SQL
}

# the initiatives of a plan JSON (strategies' and the issues' own), as jq
JQ_INITS='[.issues[] | (.strategies[].initiatives[]), .initiatives[]]'

# jnum FILE JQEXPR: a value computed from a plan JSON
jnum() { jq -r "$2" "$1"; }

# plan_rows TABLE PLAN_ID: rows of TABLE belonging to one plan
plan_rows() {
	local table=$1 plan=$2
	case $table in
	strategies)
		q -c "SELECT count(*) FROM strategies s JOIN issues i ON i.id = s.issue_id WHERE i.plan_id = $plan" ;;
	budgets)
		q -c "SELECT count(*) FROM budgets b JOIN initiatives t ON t.id = b.initiative_id WHERE t.plan_id = $plan" ;;
	*)
		q -c "SELECT count(*) FROM $table WHERE plan_id = $plan" ;;
	esac
}

# ingest_batch SPEC…: one planq_ingest_batch call; SPEC is
# RAWFILE:PLANJSON|-:OUTCOME[:REASON].  Prints "idx|status|document_id|
# plan_id|reason" per document, by idx.  BATCH_ENV: the envelope of all.
ingest_batch() { ingest_batch_sql "$@" | q; }

# ingest_batch_sql SPEC…: the psql script of that call (the files are read
# by psql's \set), for sessions that do more around it
ingest_batch_sql() {
	local k=0 spec raw plan outcome reason n env
	for spec in "$@"; do
		k=$((k + 1))
		IFS=: read -r raw plan outcome reason <<<"$spec"
		printf '\\set raw%d `base64 -w0 %s`\n' "$k" "$raw"
		if [ "$plan" = - ]; then
			printf "\\\\set plan%d ''\n" "$k"
		else
			printf '\\set plan%d `cat %s`\n' "$k" "$plan"
		fi
		printf "\\\\set oc%d '%s'\n\\\\set rs%d '%s'\n" "$k" "${outcome:-stored}" \
			"$k" "${reason//\'/\'\'}"
	done
	env=${BATCH_ENV:-"{}"}
	printf "\\\\set env '%s'\n" "${env//\'/\'\'}"
	n=$k
	cat <<SQL
SELECT idx, status, document_id, plan_id, reason
  FROM planq_ingest_batch(array_fill(NULL::bytea, ARRAY[$n]),
       ARRAY[$(plansql_list "decode(:'raw%d','base64')" "$n")],
       array_fill(:'env'::jsonb, ARRAY[$n]), array_fill('UTF-8'::text, ARRAY[$n]),
       ARRAY[$(plansql_list ":'oc%d'" "$n")]::text[],
       ARRAY[$(plansql_list "nullif(:'rs%d','')" "$n")]::text[],
       ARRAY[$(plansql_list "nullif(:'plan%d','')::jsonb" "$n")], 'test-1')
 ORDER BY idx;
SQL
}
# plansql_list FORMAT N: FORMAT (with one %d) for 1..N, comma-separated
plansql_list() {
	local i out=""
	for i in $(seq 1 "$2"); do out="$out${out:+,}$(printf "$1" "$i")"; done
	echo "$out"
}

# install_plan_fingerprint: creates test_plan_fingerprint(plan_id) in the
# test database: md5 of every row of the plan, without ids, so that two
# plans stored from the same JSON compare equal
install_plan_fingerprint() {
	q <<'SQL'
CREATE OR REPLACE FUNCTION test_plan_fingerprint(p bigint) RETURNS text
LANGUAGE sql STABLE RETURN (SELECT md5(string_agg(x, E'\n' ORDER BY x)) FROM (
  SELECT 'plan ' || (to_jsonb(pl) - '{id,document_id,is_current,stored_at,parser_version}'::text[])::text
    FROM plans pl WHERE pl.id = p
  UNION ALL SELECT 'text ' || (to_jsonb(t) - 'plan_id')::text FROM plan_texts t WHERE t.plan_id = p
  UNION ALL SELECT 'issue ' || (to_jsonb(i) - '{id,plan_id}'::text[])::text FROM issues i WHERE i.plan_id = p
  UNION ALL SELECT 'strategy ' || i.ordinal || ' ' || (to_jsonb(s) - '{id,issue_id}'::text[])::text
    FROM strategies s JOIN issues i ON i.id = s.issue_id WHERE i.plan_id = p
  UNION ALL SELECT 'initiative ' || i.ordinal || ' ' || coalesce(s.ordinal::text, '-') || ' '
         || (to_jsonb(n) - '{id,plan_id,issue_id,strategy_id}'::text[])::text
    FROM initiatives n JOIN issues i ON i.id = n.issue_id
    LEFT JOIN strategies s ON s.id = n.strategy_id WHERE n.plan_id = p
  UNION ALL SELECT 'budget ' || n.seq || ' ' || (to_jsonb(b) - 'initiative_id')::text
    FROM budgets b JOIN initiatives n ON n.id = b.initiative_id WHERE n.plan_id = p
  UNION ALL SELECT 'reform ' || (to_jsonb(r) - 'plan_id')::text FROM reforms r WHERE r.plan_id = p
  UNION ALL SELECT 'evaluation ' || (to_jsonb(e) - 'plan_id')::text FROM evaluations e WHERE e.plan_id = p
  UNION ALL SELECT 'council ' || (to_jsonb(c) - 'plan_id')::text FROM council_reflections c WHERE c.plan_id = p
  UNION ALL SELECT 'contact ' || (to_jsonb(c) - 'plan_id')::text FROM contacts c WHERE c.plan_id = p
) AS z(x));
SQL
}
# plan_fingerprint PLAN_ID (after install_plan_fingerprint)
plan_fingerprint() { q -c "SELECT test_plan_fingerprint($1)"; }

# await_lock_waiters_sql PATTERN N: SQL for a session that holds locks: wait
# (up to 60 s) until N other sessions running a query LIKE PATTERN wait on
# a lock, then print "waiting: COUNT"
await_lock_waiters_sql() {
	local waiting="(SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
	                 AND query LIKE '$1' AND pid <> pg_backend_pid())"
	cat <<SQL
DO \$\$
BEGIN
	FOR i IN 1..600 LOOP
		PERFORM pg_stat_clear_snapshot();	-- else the view is frozen in a transaction
		EXIT WHEN $waiting >= $2;
		PERFORM pg_sleep(0.1);
	END LOOP;
END \$\$;
SELECT pg_stat_clear_snapshot();
SELECT 'waiting: ' || $waiting;
SQL
}
