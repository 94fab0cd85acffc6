#!/usr/bin/env bash
# End to end: samples sent with `planq send` travel through planqd and its
# workers into PostgreSQL; a resend is answered "duplicate" with no new rows;
# when ../shared/seeds exists, the five real samples land with the row
# counts of their gold files.
. "$(dirname "$0")/../lib/common.sh"

setup_db
planqd_start --workers=2

samples=("$ROOT"/samples/*.txt)
n=${#samples[@]}
out=$("$PLANQ" send --to "$ENDPOINT" --concurrency 4 "${samples[@]}" 2>&1)
rc=$?
echo "$out"
assert_eq "send of $n samples exits 0" 0 "$rc"
assert_eq "every sample stored" "$n" "$(grep -c '^stored document=' <<<"$out")"
assert_eq "documents rows" "$n" "$(sql 'SELECT count(*) FROM documents')"
assert_eq "plans rows" "$n" "$(sql 'SELECT count(*) FROM plans')"
assert_eq "all stored outcome" "$n" "$(sql "SELECT count(*) FROM documents WHERE outcome = 'stored'")"
assert_eq "raw bytes kept exactly" "$(sha256sum "${samples[0]}" | cut -c1-64)" \
	"$(sql "SELECT encode(sha256(raw), 'hex') FROM documents WHERE source_url = 'file://${samples[0]}'")"

rows_before=$(sql 'SELECT (SELECT count(*) FROM initiatives) + (SELECT count(*) FROM budgets) + (SELECT count(*) FROM issues)')
out=$("$PLANQ" send --to "$ENDPOINT" "${samples[@]}" 2>&1)
assert_eq "resend exits 0" 0 "$?"
assert_eq "every resend duplicate" "$n" "$(grep -c '^duplicate document=' <<<"$out")"
assert_eq "no new documents" "$n" "$(sql 'SELECT count(*) FROM documents')"
assert_eq "no new rows" "$rows_before" "$(sql 'SELECT (SELECT count(*) FROM initiatives) + (SELECT count(*) FROM budgets) + (SELECT count(*) FROM issues)')"

# expected row counts of each sample, from its expected JSON beside it
for s in "${samples[@]}"; do
	j=${s%.txt}.json
	[ -f "$j" ] || continue
	want=$(jq '[.issues[] | (.initiatives | length) + ([.strategies[].initiatives | length] | add // 0)] | add // 0' "$j")
	got=$(sql "SELECT count(*) FROM initiatives i JOIN plans p ON p.id = i.plan_id
	           JOIN documents d ON d.id = p.document_id WHERE d.source_url = 'file://$s'")
	assert_eq "initiatives of $(basename "$s")" "$want" "$got"
done

assert_match "client id kept from the envelope" '^[A-Za-z0-9._-]+-[0-9]+-[0-9]+$' \
	"$(sql "SELECT client_id FROM documents ORDER BY id LIMIT 1")"

# the reply is sent only after the commit: the ids it names exist
line=$("$PLANQ" send --to "$ENDPOINT" "${samples[0]}" | head -n 1)
doc=$(sed -n 's/.*document=\([0-9]*\).*/\1/p' <<<"$line")
assert_eq "reply ids name committed rows" 1 "$(sql "SELECT count(*) FROM documents WHERE id = ${doc:-0}")"

seeds=$ROOT/../shared/seeds
if [ -d "$seeds" ]; then
	out=$("$PLANQ" send --to "$ENDPOINT" "$seeds"/*.txt 2>&1)
	assert_eq "shared seeds: send exits 0" 0 "$?"
	assert_eq "shared seeds: all stored" 5 "$(grep -c '^stored ' <<<"$out")"
	out=$("$PLANQ" send --to "$ENDPOINT" "$seeds"/*.txt 2>&1)
	assert_eq "shared seeds: all duplicate" 5 "$(grep -c '^duplicate ' <<<"$out")"
	for g in "$ROOT"/../shared/gold/*.json; do
		name=$(basename "$g" .json)
		url="file://$(cd "$seeds" && pwd)/$name.txt"
		for what in issues strategies initiatives budgets; do
			case $what in
			issues) want=$(jq '.issues | length' "$g") ;;
			strategies) want=$(jq '[.issues[].strategies | length] | add // 0' "$g") ;;
			initiatives) want=$(jq '[.issues[] | (.initiatives | length) + ([.strategies[].initiatives | length] | add // 0)] | add // 0' "$g") ;;
			budgets) want=$(jq '[.issues[] | (.initiatives[], .strategies[].initiatives[]) | .budgets | length] | add // 0' "$g") ;;
			esac
			case $what in
			strategies) join="JOIN issues i ON i.id = x.issue_id JOIN plans p ON p.id = i.plan_id" ;;
			budgets) join="JOIN initiatives i ON i.id = x.initiative_id JOIN plans p ON p.id = i.plan_id" ;;
			*) join="JOIN plans p ON p.id = x.plan_id" ;;
			esac
			got=$(sql "SELECT count(*) FROM $what x $join
			           JOIN documents d ON d.id = p.document_id WHERE d.source_url = '$url'")
			assert_eq "seed $name: $what" "$want" "$got"
		done
	done
fi

check "planqd stops cleanly" planqd_stop
finish
