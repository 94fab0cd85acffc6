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
