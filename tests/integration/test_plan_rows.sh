#!/usr/bin/env bash
# test_plan_rows.sh: the worker sends every row of each batch's plans as
# row arrays it built from its parsed plans (workers/plan_rows.c, the only
# mapping from a plan to rows); the database stores what it is sent.
# Every plan the parser makes of the fixtures, the samples and (when
# present) ../shared/seeds is stored through planqd; then, independently,
# its JSON (`planq parse` of the same file: the database keeps only its
# digest, plans.parsed_sha256, which must match) is read into rows in SQL
# by the test itself (test_plan_rows, tests/lib/plansql.sh) and stored
# again: the two must hold the same rows; and jq counts each part in that
# JSON, which must be the rows stored.  Then row arrays that name the
# wrong parents are refused with a message.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/plansql.sh"

setup_db
install_plan_rows
install_plan_fingerprint
planqd_start --workers=1 -v

docs=() expect=0
# adds DOC and counts it as a plan when its expected parse JSON says so
add_doc() {
	docs+=("$1")
	jq -e '.is_plan != false' "$2" >/dev/null && expect=$((expect + 1))
}
for j in "$ROOT"/tests/fixtures/parser/*.json "$ROOT"/tests/fixtures/layouts/*.json "$ROOT"/samples/*.json; do
	for d in "${j%.json}".*; do
		case $d in *.json|*.ctype) ;; *) add_doc "$d" "$j" ;; esac
	done
done
# an extra layer when ../shared is beside the checkout (CI); never needed
if [ -d "$ROOT/../shared/seeds" ]; then
	for d in "$ROOT"/../shared/seeds/*.txt; do
		add_doc "$d" "$ROOT/../shared/gold/$(basename "$d" .txt).json"
	done
fi
"$PLANQ" send --to "$ENDPOINT" --concurrency 16 "${docs[@]}" >"$TMP/send.out" 2>&1
assert_eq "every document answered stored, duplicate or rejected" "${#docs[@]}" \
	"$(grep -cE '^(stored|duplicate|rejected) ' "$TMP/send.out")"
plans=$(sql "SELECT count(*) FROM plans")
check "a plan stored for each of the $expect plan documents" test "$plans" -eq "$expect"
check "at least the bundled plans were sent" test "$expect" -ge 30
check "the worker could turn every plan into rows" \
	sh -c "! grep -q 'cannot be stored' '$TMP/planqd.log'"

# each document's plan JSON, by the SHA-256 of its bytes: `planq parse` of
# the file, with the content type `planq send` gave it
sql "CREATE TABLE test_parse (sha256 bytea PRIMARY KEY, parsed jsonb NOT NULL)" >/dev/null
for d in "${docs[@]}"; do
	ct=(); case $d in *.html|*.htm) ct=(--content-type text/html) ;; esac
	"$PLANQ" parse "${ct[@]}" "$d" >"$TMP/parse.json" 2>/dev/null || continue
	jq -e '.is_plan != false' "$TMP/parse.json" >/dev/null || continue
	# (psql reads the JSON itself: a big plan is too long for an argument)
	psql -X -q -v ON_ERROR_STOP=1 -v sha="$(sha256sum <"$d" | cut -c1-64)" >/dev/null <<SQL
\\set plan \`cat '$TMP/parse.json'\`
INSERT INTO test_parse VALUES (decode(:'sha', 'hex'), :'plan'::jsonb) ON CONFLICT DO NOTHING;
SQL
done
sql "CREATE TABLE stored_parse AS SELECT p.id, t.parsed FROM plans p
	JOIN documents d ON d.id = p.document_id JOIN test_parse t ON t.sha256 = d.sha256" >/dev/null
assert_eq "every stored plan: the digest of its file's parse (plans.parsed_sha256)" "$plans" \
	"$(sql "SELECT count(*) FROM plans p JOIN stored_parse s ON s.id = p.id
	        WHERE p.parsed_sha256 = planq_plan_digest(s.parsed)")"

# jq's count of each part of every stored plan's JSON = the rows stored
sql "SELECT s.id, s.parsed FROM stored_parse s ORDER BY s.id" | while IFS='|' read -r id parsed; do
	printf '%s|%s\n' "$id" "$(printf '%s' "$parsed" | jq -r '[
		((.goals // []) + (.missions // []) + (.policies // []) | length),
		(.issues // [] | length),
		([.issues[]? | .strategies[]?] | length),
		([.issues[]? | (.strategies[]? | .initiatives[]?), .initiatives[]?] | length),
		([.issues[]? | (.strategies[]? | .initiatives[]?), .initiatives[]? | .budgets[]?] | length),
		(.reforms // [] | length),
		(if (.evaluation | type) == "object" then 1 else 0 end),
		(if (.council_reflection | type) == "object" then 1 else 0 end),
		(if (.contact | type) == "object" then 1 else 0 end)] | join("|")')"
done >"$TMP/counts.jq"
sql "SELECT p.id || '|' || concat_ws('|',
	(SELECT count(*) FROM plan_texts x WHERE x.plan_id = p.id),
	(SELECT count(*) FROM issues x WHERE x.plan_id = p.id),
	(SELECT count(*) FROM strategies s JOIN issues i ON i.id = s.issue_id WHERE i.plan_id = p.id),
	(SELECT count(*) FROM initiatives x WHERE x.plan_id = p.id),
	(SELECT count(*) FROM budgets b JOIN initiatives t ON t.id = b.initiative_id WHERE t.plan_id = p.id),
	(SELECT count(*) FROM reforms x WHERE x.plan_id = p.id),
	(SELECT count(*) FROM evaluations x WHERE x.plan_id = p.id),
	(SELECT count(*) FROM council_reflections x WHERE x.plan_id = p.id),
	(SELECT count(*) FROM contacts x WHERE x.plan_id = p.id))
	FROM plans p WHERE p.id IN (SELECT id FROM stored_parse) ORDER BY p.id" >"$TMP/counts.sql"
assert_eq "every part of every plan: the rows its JSON holds (jq)" "" \
	"$(diff "$TMP/counts.jq" "$TMP/counts.sql")"
check "... and that covers every kind of row" test "$(awk -F'|' '{for (i = 2; i <= NF; i++) if ($i > 0) seen[i] = 1}
	END {print length(seen)}' "$TMP/counts.sql")" -eq 9

# each plan again from its JSON, through the test's own reading of it in
# SQL (a second statement compares: a statement does not see its own inserts)
sql "CREATE TABLE again AS SELECT p.id AS worker_plan, a.plan_id AS sql_plan
	FROM plans p JOIN documents d ON d.id = p.document_id JOIN stored_parse s ON s.id = p.id
	CROSS JOIN LATERAL test_planq_ingest(NULL, d.raw || '\\x0a'::bytea, '{}', NULL, 'stored', NULL,
	                                     s.parsed, p.parser_version) AS a" >/dev/null
diff=$(sql "SELECT count(*) FILTER (WHERE sql_plan IS NULL OR test_plan_fingerprint(worker_plan)
	                                  IS DISTINCT FROM test_plan_fingerprint(sql_plan)) || ' of ' || count(*)
	FROM again")
assert_eq "worker's rows = SQL's rows for every plan" "0 of $plans" "$diff"
assert_eq "no plan lost its issues on either path" 0 \
	"$(sql "SELECT count(*) FROM stored_parse p WHERE jsonb_array_length(p.parsed->'issues') > 0
	         AND NOT EXISTS (SELECT 1 FROM issues i WHERE i.plan_id = p.id)")"

# row arrays that name the wrong parents are refused, nothing stored
n0=$(sql "SELECT count(*) FROM documents")
bad() {	# LABEL SQL-ARRAYS…  (issues, strategies, initiatives, budgets)
	local label=$1 out
	out=$(psql -X -Atq -c "SELECT * FROM planq_ingest_batch(ARRAY[NULL::bytea],
		ARRAY['bad rows $label'::bytea], ARRAY['{}'::jsonb], ARRAY[NULL::text], ARRAY['stored'],
		ARRAY[NULL::text], ARRAY['{\"title\":\"x\"}'::jsonb], 't', $2, $3, $4, $5)" 2>&1)
	assert_match "$label: refused" "$6" "$out"
}
bad "issue of no document" "ARRAY[ROW(2,1,1,'t','s')::planq_issue_row]" NULL NULL NULL \
	'an issue names no document of the batch'
bad "strategy of no issue" "ARRAY[ROW(1,1,1,'t','s')::planq_issue_row]" \
	"ARRAY[ROW(2,1,'c','t','b')::planq_strategy_row]" NULL NULL 'a strategy names no issue'
bad "initiative under the strategy of another issue" \
	"ARRAY[ROW(1,1,1,'a','s')::planq_issue_row, ROW(1,2,2,'b','s')::planq_issue_row]" \
	"ARRAY[ROW(1,1,'c','t','b')::planq_strategy_row]" \
	"ARRAY[ROW(1,2,1,1,1,'c','t','b')::planq_initiative_row]" NULL \
	'an initiative names an issue or strategy not of its document'
bad "budget of no initiative" NULL NULL NULL \
	"ARRAY[ROW(1,1,'l',5)::planq_budget_row]" 'a budget names no initiative'
assert_eq "refused batches stored nothing" "$n0" "$(sql "SELECT count(*) FROM documents")"
check "planqd stops cleanly" planqd_stop
finish
