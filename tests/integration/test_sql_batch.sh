#!/usr/bin/env bash
# test_sql_batch.sh: planq_ingest_batch() (sql/functions/planq_ingest_batch.sql), the
# worker's write for a batch, against a real PostgreSQL: a batch stores the
# same rows as one planq_ingest call per document, answers each document
# once (stored, rejected, duplicate of this batch or of earlier ones), keeps
# exactly one current version per (org, year), is all or nothing when an
# argument or a plan is refused, and two batches that lock the same
# documents or keys in opposite orders do not deadlock.
. "$(dirname "$0")/../lib/sqltest.sh"	# a database, test_planq_ingest()
install_plan_fingerprint

mkdir -p "$TMP/d"
# variant NAME SAMPLE [JQ-EDIT]: distinct bytes NAME.txt and plan NAME.json
variant() {
	local name=$1 sample=$2 edit=${3:-.}
	cp "samples/$sample.txt" "$TMP/d/$name.txt"
	printf '\n<!-- %s -->\n' "$name" >>"$TMP/d/$name.txt"
	jq "$edit" "samples/$sample.json" >"$TMP/d/$name.json"
}
spec() { echo "$TMP/d/$1.txt:$TMP/d/$1.json:stored"; }
counts() {
	q -c "SELECT (SELECT count(*) FROM documents) || ' ' || (SELECT count(*) FROM plans)
	       || ' ' || (SELECT count(*) FROM initiatives) || ' ' || (SELECT count(*) FROM ingest_events)"
}

# ---- the same rows as planq_ingest, one document at a time ----------------------
samples=$(cd samples && ls *.json | sed 's/\.json$//')
specs=()
for s in $samples; do
	variant "one-$s" "$s"
	variant "bat-$s" "$s"
	IFS='|' read -r status _ plan _ <<<"$(ingest "$TMP/d/one-$s.txt" "$TMP/d/one-$s.json")"
	assert_eq "$s: stored alone" stored "$status"
	echo "$plan" >"$TMP/d/one-$s.plan"
	specs+=("$(spec "bat-$s")")
done
out=$(ingest_batch "${specs[@]}")
n=$(echo "$samples" | wc -w)
assert_eq "batch of $n samples: one row each, all stored" "$(seq 1 "$n" | sed 's/$/|stored/')" \
	"$(echo "$out" | cut -d'|' -f1,2)"
k=0
for s in $samples; do
	k=$((k + 1))
	plan=$(echo "$out" | sed -n "${k}p" | cut -d'|' -f4)
	assert_eq "$s: the batch stored the same rows as planq_ingest" \
		"$(plan_fingerprint "$(cat "$TMP/d/one-$s.plan")")" "$(plan_fingerprint "${plan:-0}")"
	assert_eq "$s: its document holds its bytes" "$(sha256sum <"$TMP/d/bat-$s.txt" | cut -c1-64)" \
		"$(q -c "SELECT encode(d.sha256, 'hex') FROM documents d JOIN plans p ON p.document_id = d.id WHERE p.id = ${plan:-0}")"
done
assert_eq "no initiative points at another plan's issue or another issue's strategy" 0 \
	"$(q -c "SELECT count(*) FROM initiatives n JOIN issues i ON i.id = n.issue_id
	          LEFT JOIN strategies s ON s.id = n.strategy_id
	          WHERE i.plan_id <> n.plan_id OR (n.strategy_id IS NOT NULL AND s.issue_id <> n.issue_id)")"

# ---- one batch: new, rejected, duplicate within it and of an earlier one ------
variant mix-a 01_kita_r3_table
variant mix-b 03_miyakojima_r5_web
printf 'minutes of a meeting\n' >"$TMP/d/minutes.txt"
out=$(BATCH_ENV='{"source_url":"https://crawler.example/x","id":"c-9"}' ingest_batch \
	"$(spec mix-a)" "$TMP/d/minutes.txt:-:rejected:not a plan: minutes" "$(spec mix-a)" \
	"$(spec bat-02_minato_h30_markers)" "$(spec mix-b)")
a_ids=$(echo "$out" | sed -n 1p | cut -d'|' -f3,4)
old_ids=$(echo "$out" | sed -n 4p | cut -d'|' -f3,4)
assert_match "mixed batch: 1 stored" '^1\|stored\|[0-9]+\|[0-9]+\|$' "$(echo "$out" | sed -n 1p)"
assert_match "mixed batch: 2 rejected with its reason" '^2\|rejected\|[0-9]+\|\|not a plan: minutes$' "$(echo "$out" | sed -n 2p)"
assert_eq "mixed batch: 3 is a duplicate of 1, same ids" "3|duplicate|$a_ids|" "$(echo "$out" | sed -n 3p)"
sha=$(sha256sum <"$TMP/d/bat-02_minato_h30_markers.txt" | cut -c1-64)
assert_eq "mixed batch: 4 is a duplicate of an earlier batch's plan" \
	"4|duplicate|$(q -c "SELECT d.id || '|' || p.id FROM documents d JOIN plans p ON p.document_id = d.id WHERE d.sha256 = decode('$sha', 'hex')")|" \
	"$(echo "$out" | sed -n 4p)"
assert_match "mixed batch: 5 stored" '^5\|stored\|[0-9]+\|[0-9]+\|$' "$(echo "$out" | sed -n 5p)"
assert_eq "mixed batch: two duplicate events with the sender's URL" "2|crawler.example" \
	"$(q -c "SELECT count(*) || '|' || min(source_host) FROM ingest_events WHERE kind = 'duplicate'")"
assert_eq "mixed batch: envelope id kept as client_id" "c-9" \
	"$(q -c "SELECT client_id FROM documents WHERE id = ${a_ids%%|*}")"
before=$(counts)
out=$(ingest_batch "$TMP/d/minutes.txt:-:rejected:another reason" "$(spec mix-b)")
assert_match "resent batch: rejected keeps the first reason" '^1\|rejected\|[0-9]+\|\|not a plan: minutes$' "$(echo "$out" | sed -n 1p)"
assert_match "resent batch: duplicate" '^2\|duplicate\|' "$(echo "$out" | sed -n 2p)"
assert_eq "resent batch: only two events added" \
	"$(echo "$before" | awk '{print $1, $2, $3, $4 + 2}')" "$(counts)"

# ---- versions of one (org, year) in one batch and across batches ---------------
key='.org.name = "試験区" | .fiscal_year = 2031'
variant v-draft 01_kita_r3_table "$key | .stage = \"draft\" | .published_on = \"2030-12-01\""
variant v-final 01_kita_r3_table "$key | .stage = \"final\" | .published_on = \"2031-03-01\""
variant v-prop 01_kita_r3_table "$key | .stage = \"proposal\" | .published_on = \"2031-02-01\""
variant v-draft2 01_kita_r3_table "$key | .stage = \"draft\" | .published_on = \"2031-06-01\""
variant v-final2 01_kita_r3_table "$key | .stage = \"final\" | .published_on = \"2031-04-01\""
current() { q -c "SELECT string_agg(stage || ' ' || published_on, ',') FROM plans WHERE org_name = '試験区' AND is_current"; }
ingest_batch "$(spec v-draft)" "$(spec v-final)" "$(spec v-prop)" >/dev/null
assert_eq "three versions in one batch: the final is current" "final 2031-03-01" "$(current)"
ingest_batch "$(spec v-draft2)" >/dev/null
assert_eq "a later draft does not displace the final" "final 2031-03-01" "$(current)"
ingest_batch "$(spec v-final2)" "$(spec v-draft2)" >/dev/null
assert_eq "a later final does (its duplicate beside it changes nothing)" "final 2031-04-01" "$(current)"
assert_eq "one current version per (org, year) everywhere" 0 \
	"$(q -c "SELECT count(*) FROM (SELECT 1 FROM plans WHERE org_name IS NOT NULL AND fiscal_year IS NOT NULL
	          GROUP BY org_name, fiscal_year HAVING count(*) FILTER (WHERE is_current) <> 1) AS x")"
assert_eq "the current version is the best of its key (planq_set_current agrees)" \
	"$(q -c "SELECT id FROM plans WHERE org_name = '試験区' AND is_current")" \
	"$(q -c "SELECT planq_set_current('試験区', 2031)")"

# ---- all or nothing: argument errors name the document --------------------------
before=$(counts)
variant e-1 03_miyakojima_r5_web
out=$(ingest_batch "$(spec e-1)" "$TMP/d/minutes.txt:-:stored" 2>&1)
assert_match "stored without a plan: says which document" \
	"needs p_plan, a plan object with is_plan true \(document 2 of the batch of 2\)" "$out"
out=$(q -c "SELECT * FROM planq_ingest_batch(ARRAY[NULL::bytea], ARRAY['a'::bytea, 'b'], ARRAY[NULL::jsonb],
	ARRAY[NULL::text], ARRAY['rejected'], ARRAY['r'], ARRAY[NULL::jsonb], 't')" 2>&1)
assert_match "arrays of different lengths refused" 'must all hold the same number' "$out"
out=$(q -c "SELECT * FROM planq_ingest_batch(ARRAY['\\x00'::bytea, NULL], ARRAY['a'::bytea, 'b'], ARRAY[NULL::jsonb, NULL],
	ARRAY[NULL::text, NULL], ARRAY['rejected', 'rejected'], ARRAY['r', 'r'], ARRAY[NULL::jsonb, NULL], 't')" 2>&1)
assert_match "a wrong digest refused, naming the document" 'not the SHA-256 of the 1 raw bytes \(document 1 of the batch of 2\)' "$out"
assert_eq "after refused batches nothing was stored" "$before" "$(counts)"

# ---- a plan the schema refuses: the batch raises, one by one names the part ----
variant e-bad 01_kita_r3_table '.issues[0].strategies[0].initiatives[0].budgets[0].amount_yen = -5'
out=$(ingest_batch "$(spec e-1)" "$(spec e-bad)" 2>&1)
assert_match "refused plan in a batch: class 22/23 error naming the batch" \
	'plan refused: one of the 2 plans of the batch' "$out"
assert_eq "refused plan in a batch: nothing stored" "$before" "$(counts)"
out=$(ingest "$TMP/d/e-bad.txt" "$TMP/d/e-bad.json" 2>&1)
assert_match "the same plan alone: the part is named" 'plan refused: bad ' "$out"
IFS='|' read -r status _ _ _ <<<"$(ingest "$TMP/d/e-1.txt" "$TMP/d/e-1.json")"
assert_eq "its innocent neighbour stores alone" stored "$status"

# ---- concurrent batches locking the same things in opposite orders --------------
# A runs its batch in a transaction and holds it until B is seen waiting on a
# lock; then A commits.  B must finish (no deadlock) with the right answers.
# race_batches OUT_A OUT_B SPECS_A -- SPECS_B
race_batches() {
	local out_a=$1 out_b=$2; shift 2
	local a_specs=() b_specs=()
	while [ "$1" != -- ]; do a_specs+=("$1"); shift; done
	shift
	b_specs=("$@")
	rm -f "$TMP/held"
	{
		echo "BEGIN;"
		ingest_batch_sql "${a_specs[@]}"
		echo '\! touch "$HELD"'
		await_lock_waiters_sql '%planq_ingest_batch%' 1
		echo "COMMIT;"
	} >"$TMP/a.sql"
	HELD="$TMP/held" psql -X -Atq -v ON_ERROR_STOP=1 -f "$TMP/a.sql" >"$out_a" 2>&1 &
	local apid=$!
	for _ in $(seq 1 600); do [ -e "$TMP/held" ] && break; sleep 0.1; done
	ingest_batch "${b_specs[@]}" >"$out_b" 2>&1 &
	local bpid=$!
	wait $apid; wait $bpid
}
# the same two documents, opposite orders: B waits on A's rows, then gets
# A's documents back as duplicates
variant r-1 01_kita_r3_table
variant r-2 03_miyakojima_r5_web
race_batches "$TMP/ra.out" "$TMP/rb.out" "$(spec r-1)" "$(spec r-2)" -- "$(spec r-2)" "$(spec r-1)"
assert_eq "same bytes, opposite orders: B waited for A" "waiting: 1" "$(grep '^waiting' "$TMP/ra.out")"
assert_eq "same bytes, opposite orders: A stored both" "1|stored 2|stored" \
	"$(grep -E '^[12]\|' "$TMP/ra.out" | cut -d'|' -f1,2 | tr '\n' ' ' | sed 's/ $//')"
assert_eq "same bytes, opposite orders: B got duplicates with A's ids" \
	"$(grep -E '^2\|' "$TMP/ra.out" | cut -d'|' -f3,4) $(grep -E '^1\|' "$TMP/ra.out" | cut -d'|' -f3,4)" \
	"$(grep -E '^[12]\|duplicate' "$TMP/rb.out" | cut -d'|' -f3,4 | tr '\n' ' ' | sed 's/ $//')"

# the (org, year) keys' locks: a batch takes them in one global order (by
# hash), so none can hold a key another waits for while it waits for one
# that other holds.  Set up the interleaving that deadlocks when a batch
# locks in its own order: C holds key b; A = [a, b, c] takes a and waits
# for b; B = [c, a] must then wait for a *without* holding c.  When C lets
# go, A takes b and c and both batches finish.  (Relies on the lock id of
# planq_offer_current_batch: hashtext(org || '/' || year).)
mapfile -t keys < <(q -c "SELECT n FROM (SELECT '順序' || i || '区' AS n FROM generate_series(1, 9) i) x
	ORDER BY hashtext(n || '/2060') LIMIT 3")
for j in 0 1 2; do
	variant "o-a$j" 01_kita_r3_table ".org.name = \"${keys[$j]}\" | .fiscal_year = 2060 | .stage = \"draft\""
	variant "o-b$j" 01_kita_r3_table ".org.name = \"${keys[$j]}\" | .fiscal_year = 2060 | .stage = \"final\""
done
rm -f "$TMP/c_holds"
{
	echo "BEGIN;"
	echo "SELECT pg_advisory_xact_lock(hashtext('planq.plan_key'), hashtext(:'key'));"
	echo '\! touch "$HELD"'
	await_lock_waiters_sql '%planq_ingest_batch%' 2
	echo "COMMIT;"
} | HELD="$TMP/c_holds" psql -X -Atq -v ON_ERROR_STOP=1 -v key="${keys[1]}/2060" >"$TMP/oc.out" 2>&1 &
cpid=$!
for _ in $(seq 1 600); do [ -e "$TMP/c_holds" ] && break; sleep 0.1; done
ingest_batch "$(spec o-a0)" "$(spec o-a1)" "$(spec o-a2)" >"$TMP/oa.out" 2>&1 &
apid=$!
wait_for "[ \$(q -c \"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%planq_ingest_batch%'\") -ge 1 ]" 30
ingest_batch "$(spec o-b2)" "$(spec o-b0)" >"$TMP/ob.out" 2>&1 &
bpid=$!
wait $cpid; wait $apid; wait $bpid
assert_eq "lock order: A and B both waited while C held a key" "waiting: 2" "$(grep '^waiting' "$TMP/oc.out")"
assert_eq "lock order: A's three stored" 3 "$(grep -c '|stored|' "$TMP/oa.out")"
assert_eq "lock order: B's two stored, no deadlock" 2 "$(grep -c '|stored|' "$TMP/ob.out")"
check "lock order: no deadlock reported" sh -c "! grep -qi deadlock '$TMP/oa.out' '$TMP/ob.out'"
assert_eq "lock order: B's finals are current for their keys" "${keys[0]} final,${keys[1]} draft,${keys[2]} final" \
	"$(q -c "SELECT string_agg(org_name || ' ' || stage, ',' ORDER BY hashtext(org_name || '/2060')) FROM plans WHERE fiscal_year = 2060 AND is_current")"

# many batches at once over shared keys and shared bytes, in shuffled
# orders: every batch finishes (no deadlock, no error), bytes stored once
for j in 1 2 3 4 5 6; do
	variant "s-shared-$j" 02_minato_h30_markers ".org.name = \"共有$j\" | .fiscal_year = 2050"
done
for w in 1 2 3 4; do
	for round in 1 2 3; do
		specs=()
		for j in $(seq 1 6 | shuf); do
			variant "s-$w-$round-$j" 01_kita_r3_table \
				".org.name = \"共有$j\" | .fiscal_year = 2050 | .published_on = \"2050-0$round-0$w\""
			specs+=("$(spec "s-$w-$round-$j")")
		done
		specs+=("$(spec "s-shared-$(( (w + round) % 6 + 1 ))")" "$(spec "s-shared-$(( (w + round + 3) % 6 + 1 ))")")
		printf '%s\n' "${specs[@]}" >"$TMP/storm-$w-$round.specs"
	done
done
for w in 1 2 3 4; do
	(
		for round in 1 2 3; do
			mapfile -t specs <"$TMP/storm-$w-$round.specs"
			ingest_batch "${specs[@]}" || echo "BATCH FAILED"
		done
	) >"$TMP/storm-$w.out" 2>&1 &
done
wait
assert_eq "storm: 96 answers, no error" "96 0" \
	"$(cat "$TMP"/storm-*.out | grep -cE '^[0-9]+\|(stored|duplicate)\|') $(cat "$TMP"/storm-*.out | grep -ciE 'error|deadlock|failed')"
assert_eq "storm: 78 documents, each stored once" "78 78" \
	"$(q -c "SELECT count(*) || ' ' || count(DISTINCT sha256) FROM documents d JOIN plans p ON p.document_id = d.id WHERE p.fiscal_year = 2050")"
assert_eq "storm: one current version for each of the 6 keys" 6 \
	"$(q -c "SELECT count(*) FROM plans WHERE fiscal_year = 2050 AND is_current")"
assert_eq "storm: the current ones are the newest finals" "2050-03-04" \
	"$(q -c "SELECT string_agg(DISTINCT published_on::text, ',') FROM plans WHERE fiscal_year = 2050 AND is_current")"

finish
