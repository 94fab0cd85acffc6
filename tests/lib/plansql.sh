# tests/lib/plansql.sh: helpers for the tests/integration/test_sql_*.sh
# scripts on top of tests/lib/common.sh: store a document through
# planq_ingest(), count a plan's rows, compute expectations from plan JSON.
#
# The database stores the rows its caller built from a plan
# (workers/plan_rows.c); it does not read them out of the JSON.  The tests
# that hand it plans of their own read the rows out of the JSON in SQL
# themselves: install_plan_rows (after setup_db) creates test_plan_rows()
# and test_planq_ingest()/test_planq_ingest_batch(), planq_ingest and
# planq_ingest_batch with the rows of that reading.  test_plan_rows.sh
# checks it against what the worker stores, on every sample.

# q [psql args]: unaligned, tuples only, stop on error; SQL from -c or stdin
q() { psql -X -Atq -v ON_ERROR_STOP=1 "$@"; }

# ingest RAWFILE PLANJSON|- [OUTCOME [REASON [ENVELOPE [PARSER_VERSION]]]]:
# one planq_ingest call (test_planq_ingest: with the plan's rows); prints
# "status|document_id|plan_id|reason".
ingest() {
	local raw=$1 plan=${2:--} outcome=${3:-stored} reason=${4:-} env=${5:-'{}'}
	local pv=${6:-test-1} planval=""
	[ "$plan" = - ] || planval=$(cat "$plan")
	q -v raw="$(base64 -w0 "$raw")" -v plan="$planval" -v outcome="$outcome" \
	  -v reason="$reason" -v env="$env" -v pv="$pv" <<'SQL'
SELECT * FROM test_planq_ingest(NULL, decode(:'raw', 'base64'), :'env'::jsonb, 'UTF-8',
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

# ingest_batch SPEC…: one planq_ingest_batch call (test_planq_ingest_batch:
# with the plans' rows); SPEC is
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
  FROM test_planq_ingest_batch(array_fill(NULL::bytea, ARRAY[$n]),
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

# install_plan_rows: creates, in the test database, test_plan_rows(plans
# jsonb[]): the rows of each plan (p_plans[i] at position i; NULL: none)
# read out of its JSON in SQL, as the row arrays the worker sends (every
# value the text ->> gives); and test_planq_ingest(…)/test_planq_ingest_batch(…):
# planq_ingest/planq_ingest_batch with the arguments of their callers
# before 010, adding those rows.  A list that is not a list makes
# jsonb_array_elements() fail, as plan_rows.c refuses it.
install_plan_rows() {
	q <<'SQL'
CREATE OR REPLACE FUNCTION test_plan_rows(p_plans jsonb[],
	OUT issues planq_issue_row[], OUT strategies planq_strategy_row[],
	OUT initiatives planq_initiative_row[], OUT budgets planq_budget_row[],
	OUT plan_rows planq_plan_row[], OUT texts planq_text_row[],
	OUT reforms planq_reform_row[], OUT evaluations planq_evaluation_row[],
	OUT councils planq_council_row[], OUT contacts planq_contact_row[])
LANGUAGE plpgsql STABLE SET jit = off AS $$
BEGIN
	WITH
	plan_src AS (
		SELECT u.doc::integer AS doc, u.p
		  FROM unnest(p_plans) WITH ORDINALITY AS u(p, doc)
		 WHERE u.p IS NOT NULL),
	issue_src AS (
		SELECT s.doc, e.n::integer AS ord, e.j,
		       row_number() OVER (ORDER BY s.doc, e.n)::integer AS k
		  FROM plan_src s
		 CROSS JOIN LATERAL jsonb_array_elements(nullif(s.p->'issues', 'null'))
		       WITH ORDINALITY AS e(j, n)),
	strategy_src AS (
		SELECT i.doc, i.k AS issue, e.n::integer AS ord, e.j,
		       row_number() OVER (ORDER BY i.k, e.n)::integer AS k
		  FROM issue_src i
		 CROSS JOIN LATERAL jsonb_array_elements(nullif(i.j->'strategies', 'null'))
		       WITH ORDINALITY AS e(j, n)),
	initiative_src AS (
		SELECT x.*,
		       row_number() OVER (PARTITION BY x.doc
		                          ORDER BY x.issue, x.strategy NULLS LAST, x.ord)::integer AS seq,
		       row_number() OVER (ORDER BY x.doc, x.issue, x.strategy NULLS LAST,
		                                   x.ord)::integer AS k
		  FROM (SELECT s.doc, s.issue, s.k AS strategy, e.n::integer AS ord, e.j
		          FROM strategy_src s
		         CROSS JOIN LATERAL jsonb_array_elements(nullif(s.j->'initiatives', 'null'))
		               WITH ORDINALITY AS e(j, n)
		        UNION ALL
		        SELECT i.doc, i.k, NULL, e.n::integer, e.j
		          FROM issue_src i
		         CROSS JOIN LATERAL jsonb_array_elements(nullif(i.j->'initiatives', 'null'))
		               WITH ORDINALITY AS e(j, n)) AS x)
	SELECT coalesce((SELECT array_agg(ROW(i.doc, i.ord, i.j->>'number', i.j->>'title',
	                                      i.j->>'summary')::planq_issue_row ORDER BY i.k)
	                   FROM issue_src i), '{}'),
	       coalesce((SELECT array_agg(ROW(s.issue, s.ord, s.j->>'code', s.j->>'title',
	                                      s.j->>'body')::planq_strategy_row ORDER BY s.k)
	                   FROM strategy_src s), '{}'),
	       coalesce((SELECT array_agg(ROW(t.doc, t.issue, t.strategy, t.seq, t.ord,
	                                      t.j->>'code', t.j->>'title',
	                                      t.j->>'body')::planq_initiative_row ORDER BY t.k)
	                   FROM initiative_src t), '{}'),
	       coalesce((SELECT array_agg(ROW(t.k, e.n::integer, e.j->>'label',
	                                      e.j->>'amount_yen')::planq_budget_row
	                                  ORDER BY t.k, e.n)
	                   FROM initiative_src t
	                  CROSS JOIN LATERAL jsonb_array_elements(nullif(t.j->'budgets', 'null'))
	                        WITH ORDINALITY AS e(j, n)), '{}'),
	       coalesce((SELECT array_agg(ROW(s.doc, s.p->>'title',
	                                      coalesce(s.p->'org'->>'canonical_name',
	                                               s.p->'org'->>'name'),
	                                      s.p->'org'->>'kind', s.p->>'fiscal_year',
	                                      s.p->>'fiscal_year_label', s.p->>'stage',
	                                      s.p->'head'->>'role', s.p->'head'->>'name',
	                                      s.p->>'published_on', s.p->>'page_id')::planq_plan_row
	                                  ORDER BY s.doc)
	                   FROM plan_src s), '{}'),
	       coalesce((SELECT array_agg(ROW(s.doc, k.kind, e.n::integer, e.j #>> '{}')::planq_text_row
	                                  ORDER BY s.doc, k.o, e.n)
	                   FROM plan_src s
	                  CROSS JOIN (VALUES (1, 'goal', 'goals'), (2, 'mission', 'missions'),
	                                     (3, 'policy', 'policies')) AS k(o, kind, field)
	                  CROSS JOIN LATERAL jsonb_array_elements(nullif(s.p->k.field, 'null'))
	                        WITH ORDINALITY AS e(j, n)), '{}'),
	       coalesce((SELECT array_agg(ROW(s.doc, e.n::integer, e.j->>'title', e.j->>'ref',
	                                      e.j->>'body')::planq_reform_row ORDER BY s.doc, e.n)
	                   FROM plan_src s
	                  CROSS JOIN LATERAL jsonb_array_elements(nullif(s.p->'reforms', 'null'))
	                        WITH ORDINALITY AS e(j, n)), '{}'),
	       coalesce((SELECT array_agg(ROW(s.doc, s.p->'evaluation'->>'achievements',
	                                      s.p->'evaluation'->>'challenges')::planq_evaluation_row
	                                  ORDER BY s.doc)
	                   FROM plan_src s
	                  WHERE jsonb_typeof(s.p->'evaluation') = 'object'), '{}'),
	       coalesce((SELECT array_agg(ROW(s.doc, c->>'total_yen', c->>'fixed_yen',
	                                      c->>'priority_yen', c->>'base_yen',
	                                      c->>'ratio_percent')::planq_council_row
	                                  ORDER BY s.doc)
	                   FROM plan_src s CROSS JOIN LATERAL (SELECT s.p->'council_reflection') AS x(c)
	                  WHERE jsonb_typeof(c) = 'object'), '{}'),
	       coalesce((SELECT array_agg(ROW(s.doc, c->>'office', c->>'phone', c->>'fax',
	                                      c->>'address')::planq_contact_row ORDER BY s.doc)
	                   FROM plan_src s CROSS JOIN LATERAL (SELECT s.p->'contact') AS x(c)
	                  WHERE jsonb_typeof(c) = 'object'), '{}')
	  INTO issues, strategies, initiatives, budgets, plan_rows, texts, reforms,
	       evaluations, councils, contacts;
END $$;

CREATE OR REPLACE FUNCTION test_planq_ingest(p_sha256 bytea, p_raw bytea,
	p_envelope jsonb, p_charset text, p_outcome text, p_reason text,
	p_plan jsonb, p_parser_version text)
RETURNS TABLE (status text, document_id bigint, plan_id bigint, reason text)
LANGUAGE sql AS $$
SELECT i.* FROM test_plan_rows(ARRAY[p_plan]) AS r,
       planq_ingest(p_sha256, p_raw, p_envelope, p_charset, p_outcome, p_reason,
                    p_plan, p_parser_version, r.issues, r.strategies, r.initiatives,
                    r.budgets, r.plan_rows, r.texts, r.reforms, r.evaluations,
                    r.councils, r.contacts) AS i
$$;

CREATE OR REPLACE FUNCTION test_planq_ingest_batch(p_sha256 bytea[], p_raw bytea[],
	p_envelope jsonb[], p_charset text[], p_outcome text[], p_reason text[],
	p_plan jsonb[], p_parser_version text)
RETURNS TABLE (idx integer, status text, document_id bigint, plan_id bigint,
               reason text)
LANGUAGE sql AS $$
SELECT b.* FROM test_plan_rows(p_plan) AS r,
       planq_ingest_batch(p_sha256, p_raw, p_envelope, p_charset, p_outcome,
                          p_reason, p_plan, p_parser_version, r.issues,
                          r.strategies, r.initiatives, r.budgets, r.plan_rows,
                          r.texts, r.reforms, r.evaluations, r.councils,
                          r.contacts) AS b
$$;
SQL
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
