#!/usr/bin/env bash
# test_sql_quality.sh: the organisations and the parse warnings, end to end
# through a real planqd and PostgreSQL: the table orgs holds exactly
# parse/orgs.tsv; documents with and without each warning code are sent
# from two source hosts; each stored plan keeps its warning codes
# (plans.warning_codes = the codes `planq parse` gives) and its printed
# org name beside the canonical one; a typo'd page and an alias are
# versions of their organisation's plan in every view; parse_quality and
# `planq report quality` show the shares per host and day; /metrics counts
# the stored plans by code, every code from zero; `planq reparse --warned`
# re-parses the warned plans and no other.
set -u
. "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
setup_db

CODES="no_title no_fiscal_year no_org org_unknown org_name_noise no_goals
no_missions no_policies no_issues issue_without_strategies
initiative_without_budget budget_unlabelled truncated"

# ---- orgs = parse/orgs.tsv (the parser's list) -----------------------------
awk -F '\t' '!/^#/ && !/^[ \t]*$/ { print $1 "\t" $2 "\t" $3 "\t" $4 "\t" $5 }' \
	parse/orgs.tsv | LC_ALL=C sort >"$TMP/orgs.tsv"
sql "SELECT name || E'\t' || coalesce(kind, '-') || E'\t' || category || E'\t'
            || coalesce(nullif(array_to_string(aliases, ','), ''), '-') || E'\t'
            || coalesce(note, '-') FROM orgs" | LC_ALL=C sort >"$TMP/orgs.sql"
if cmp -s "$TMP/orgs.tsv" "$TMP/orgs.sql"; then
	pass "table orgs holds exactly parse/orgs.tsv"
else
	fail "table orgs holds exactly parse/orgs.tsv" "they differ: add a migration
with the output of \`sh mk/orgs-sql.sh parse/orgs.tsv\` (docs/SCHEMA.md):
$(diff "$TMP/orgs.tsv" "$TMP/orgs.sql" | head -n 10)"
fi
assert_eq "24 wards" 24 "$(sql "SELECT count(*) FROM orgs WHERE category = 'ward' AND kind = 'ward'")"
sh mk/orgs-sql.sh parse/orgs.tsv >"$TMP/orgs-sync.sql"
check "mk/orgs-sql.sh's statements apply and change nothing" \
	psql -X -q -v ON_ERROR_STOP=1 -f "$TMP/orgs-sync.sql"
sql "SELECT name || E'\t' || coalesce(kind, '-') || E'\t' || category || E'\t'
            || coalesce(nullif(array_to_string(aliases, ','), ''), '-') || E'\t'
            || coalesce(note, '-') FROM orgs" | LC_ALL=C sort >"$TMP/orgs2.sql"
check "  (same rows after them)" cmp -s "$TMP/orgs.sql" "$TMP/orgs2.sql"

# ---- the documents ---------------------------------------------------------
L=tests/fixtures/layouts
base=$L/variant_title_doubled.txt
# the codes no fixture raises, made from a small plan
sed '1s/.*/旭区運営方針/' $base >"$TMP/no_fiscal_year.txt"
sed '1s/.*/令和5年度 運営方針/' $base >"$TMP/no_org.txt"
{ sed -e '/^【経営課題1】/,$d' -e '1s/.*/令和5年度 鶴見区運営方針/' $base
  printf '%s\n' '【経営課題1】健康づくりの推進 健康寿命を延ばす。' '【経営課題2】防災 備える。' \
	'【戦略2-1】訓練 行う。' '【具体的取組2-1-1】訓練の実施 (5年度予算額 100千円) 行う。'
} >"$TMP/issue_without_strategies.txt"
{ sed -e '/^【経営課題1】/,$d' -e '1s/.*/令和5年度 生野区運営方針/' $base
  printf '%s\n' '【経営課題1】健康づくりの推進 健康寿命を延ばす。' '【戦略1-1】健診受診の促進 受診率を高める。' \
	'【具体的取組1-1-1】がん検診の啓発 (880千円) 啓発を行う。'
} >"$TMP/budget_unlabelled.txt"
# the same ward's final of the typo'd proposal, printed right; and the
# city council's secretariat under its alias
sed -e '1s/.*/令和2年度 西成区運営方針/' $L/variant_org_typo_do.txt >"$TMP/nishinari_final.txt"
sed -e '1s/.*/令和5年度 大阪市会事務局運営方針/' $base >"$TMP/alias.txt"

HOST_A=(samples/01_kita_r3_table.txt samples/04_fragment_council_md.txt
	$L/layout_webpage.txt $L/variant_org_typo_do.txt $L/variant_org_unknown.txt
	$L/truncated_after_intro.txt $L/truncated_in_goals.html $L/budget_dashes.txt
	$base "$TMP/no_fiscal_year.txt" "$TMP/no_org.txt"
	"$TMP/issue_without_strategies.txt" "$TMP/budget_unlabelled.txt"
	"$TMP/nishinari_final.txt" $L/notplan_council_minutes.txt)
HOST_B=(samples/03_miyakojima_r5_web.txt $L/variant_org_ward_office.txt "$TMP/alias.txt")

# what `planq parse` says of each: its warning codes, issues, initiatives
expect() {
	local f
	for f in "$@"; do
		"$PLANQ" parse "$f" | jq -r --arg f "$f" 'select(.is_plan != false) |
			[$f, ([.warnings[].code] | join(",") | if . == "" then "-" else . end),
			 (.issues | length),
			 ([.issues[] | (.strategies[].initiatives[]), .initiatives[]] | length)] | @tsv'
	done
}
expect "${HOST_A[@]}" >"$TMP/a.tsv"
expect "${HOST_B[@]}" >"$TMP/b.tsv"
for c in $CODES; do
	check "a document warned $c is sent" grep -qE "	([a-z_]+,)*$c(,|	)" "$TMP/a.tsv" "$TMP/b.tsv"
done
check "and documents without warnings" grep -qE '^[^	]+	-	' "$TMP/a.tsv"

MPORT=$(random_port)
MURL=http://127.0.0.1:$MPORT
planqd_start --workers=2 --metrics "127.0.0.1:$MPORT"
scrape() { curl -fsS --max-time 5 "$MURL/metrics"; }
metric() { scrape | awk -v k="$1" '$1 == k { print $2 }'; }
for c in $CODES; do
	assert_eq "metrics: $c counted from zero" 0 "$(metric "planq_parse_warnings_total{code=\"$c\"}")"
done

"$PLANQ" send --to "$ENDPOINT" --source-url https://www.city.osaka.lg.jp/page \
	"${HOST_A[@]}" >"$TMP/send_a.out" 2>&1
assert_eq "host A: all stored but the minutes (not a plan)" "$((${#HOST_A[@]} - 1)) 1" \
	"$(grep -c '^stored ' "$TMP/send_a.out") $(grep -c '^rejected .*not a plan' "$TMP/send_a.out")"
"$PLANQ" send --to "$ENDPOINT" --source-url https://mirror.example.test/page \
	"${HOST_B[@]}" >"$TMP/send_b.out" 2>&1
assert_eq "host B: sent" 0 $?
nplans=$(cat "$TMP/a.tsv" "$TMP/b.tsv" | wc -l)
assert_eq "every plan stored" "$nplans" "$(sql "SELECT count(*) FROM plans")"

# ---- the codes stored with each plan ---------------------------------------
sha_of() { sha256sum "$1" | cut -c1-64; }
while IFS=$'\t' read -r f codes _ _; do
	assert_eq "$(basename "$f"): warning_codes" "{${codes#-}}" \
		"$(sql "SELECT p.warning_codes FROM plans p JOIN documents d ON d.id = p.document_id
		        WHERE d.sha256 = '\\x$(sha_of "$f")'")"
done < <(cat "$TMP/a.tsv" "$TMP/b.tsv")
assert_eq "the not-a-plan page has no plan" 0 \
	"$(sql "SELECT count(*) FROM plans p JOIN documents d ON d.id = p.document_id
	        WHERE d.sha256 = '\\x$(sha_of $L/notplan_council_minutes.txt)'")"

# ---- canonical organisations in the views ----------------------------------
assert_eq "typo'd page: canonical org_name, printed name beside it" "西成区|西成区度|draft" \
	"$(sql "SELECT org_name || '|' || org_printed_name || '|' || stage FROM plans_all_versions
	        WHERE org_printed_name = '西成区度'")"
assert_eq "typo'd draft and the right final: one plan, two versions" "西成区|2020|final|2" \
	"$(sql "SELECT org_name || '|' || fiscal_year || '|' || stage || '|' || versions
	        FROM plans_current WHERE org_name = '西成区'")"
assert_eq "plan_version_pairs pairs them" "draft>final" \
	"$(sql "SELECT from_stage || '>' || to_stage FROM plan_version_pairs WHERE org_name = '西成区'")"
assert_eq "ward office: under its ward" "都島区|都島区役所" \
	"$(sql "SELECT org_name || '|' || org_printed_name FROM plans_current WHERE org_printed_name = '都島区役所'")"
assert_eq "alias: the canonical name" "市会事務局|大阪市会事務局|bureau" \
	"$(sql "SELECT org_name || '|' || org_printed_name || '|' || org_kind FROM plans_current WHERE org_name = '市会事務局'")"
assert_eq "unknown org: as printed, kept" "大阪市立中央図書館|大阪市立中央図書館" \
	"$(sql "SELECT org_name || '|' || org_printed_name FROM plans_current WHERE 'org_unknown' = ANY (warning_codes)")"
for v in plans_all_versions plans_current plan_fragments plan_initiatives_all_versions \
	 plan_initiatives plan_budget_totals_all_versions plan_budget_totals \
	 budget_by_org_year initiative_history initiative_search; do
	assert_eq "$v: org_name and org_printed_name" "org_name org_printed_name" \
		"$(sql "SELECT string_agg(column_name, ' ' ORDER BY column_name) FROM information_schema.columns
		        WHERE table_name = '$v' AND column_name IN ('org_name', 'org_printed_name')")"
done
assert_eq "budget_by_org_year: the typo'd ward's final under 西成区" 1 \
	"$(sql "SELECT count(*) FROM budget_by_org_year WHERE org_name = '西成区' AND fiscal_year = 2020")"
assert_eq "no view shows a printed name with noise as org_name" 0 \
	"$(sql "SELECT count(*) FROM plans_all_versions WHERE org_name IN ('西成区度', '都島区役所', '大阪市会事務局')")"

# ---- parse_quality ---------------------------------------------------------
# expected row of one host from `planq parse`: plans, mean issues,
# mean initiatives, warned share, then each code's share
expected_row() {
	awk -F '\t' -v codes="$CODES" -v notplans="$2" '
	{ n++; iss += $3; ini += $4; if ($2 != "-") w++
	  k = split($2, a, ","); for (i = 1; i <= k; i++) c[a[i]]++ }
	END {
		split(codes, cs, /[ \n]+/)
		printf "%d|%d|%.2f|%.2f|%.3f", n, notplans, iss / n, ini / n, w / n
		for (i = 1; i in cs; i++) if (cs[i] != "") printf "|%.3f", c[cs[i]] / n
		printf "\n"
	}' "$1"
}
cols="plans, not_plans, mean_issues, mean_initiatives, warned, $(echo $CODES | sed 's/ /, /g')"
assert_eq "parse_quality: host A" "$(expected_row "$TMP/a.tsv" 1)" \
	"$(sql "SELECT concat_ws('|', $cols) FROM parse_quality WHERE source_host = 'www.city.osaka.lg.jp'")"
assert_eq "parse_quality: host B" "$(expected_row "$TMP/b.tsv" 0)" \
	"$(sql "SELECT concat_ws('|', $cols) FROM parse_quality WHERE source_host = 'mirror.example.test'")"
assert_eq "parse_quality: one row per host and day" "2|$(date +%F)" \
	"$(sql "SELECT count(*) || '|' || max(day) FROM parse_quality")"
assert_eq "parse_quality: a column per warning code, after warned" "$(echo $CODES)" \
	"$(sql "SELECT string_agg(column_name, ' ' ORDER BY ordinal_position) FROM information_schema.columns
	        WHERE table_name = 'parse_quality' AND ordinal_position > 7")"

# ---- planq report quality --------------------------------------------------
out=$("$PLANQ" report quality 2>"$TMP/report.err"); rc=$?
assert_eq "report quality exits 0" 0 $rc
assert_match "report quality: a table with the codes" 'source_host.*plans.*warned.*truncated' "$out"
assert_match "report quality: host B's row" 'mirror\.example\.test' "$out"
csv=$("$PLANQ" report --csv quality)
assert_eq "report quality --csv: host B = parse_quality" \
	"$(date +%F),mirror.example.test,$(expected_row "$TMP/b.tsv" 0 | tr '|' ,)" \
	"$(printf '%s\n' "$csv" | tr -d '\r' | grep mirror.example.test)"
check "report --help lists quality" sh -c "'$PLANQ' report --help | grep -q '^  quality '"

# ---- /metrics: the stored plans by code ------------------------------------
for c in $CODES; do
	want=$(cat "$TMP/a.tsv" "$TMP/b.tsv" | cut -f2 | grep -cE "(^|,)$c(,|$)")
	assert_eq "metrics: $c" "$want" "$(metric "planq_parse_warnings_total{code=\"$c\"}")"
done
# resent bytes are duplicates: no parse stored, nothing counted again
"$PLANQ" send --to "$ENDPOINT" --source-url https://mirror.example.test/page \
	"${HOST_B[@]}" >"$TMP/send_b2.out" 2>&1
assert_eq "duplicates do not count" 2 \
	"$(metric 'planq_parse_warnings_total{code="org_name_noise"}')"
planqd_stop

# ---- planq reparse --warned ------------------------------------------------
# make every document look parsed by an older parser
sql "UPDATE documents SET parser_version = 'old-0'"
warned=$(sql "SELECT count(*) FROM plans WHERE warning_codes <> '{}'")
check "some plans warned, some not" test "$warned" -gt 0 -a "$warned" -lt "$nplans"
PV=$("$PLANQ" reparse --help | sed -n 's/.*re-runs parser \([^ ]*\) over.*/\1/p')
"$PLANQ" reparse --warned=no_such_code >/dev/null 2>"$TMP/err"; rc=$?
assert_eq "--warned=unknown code exits 2" 2 $rc
assert_match "  and names the codes" 'no such warning.*truncated' "$(cat "$TMP/err")"
nt=$(sql "SELECT count(*) FROM plans WHERE 'truncated' = ANY (warning_codes)")
assert_eq "--warned=truncated: only the truncated plans" \
	"reparsed $nt documents with parser $PV: 0 changed, $nt unchanged, 0 failed" \
	"$("$PLANQ" reparse --warned=truncated)"
assert_eq "  they are at $PV now, the others not" "$nt" \
	"$(sql "SELECT count(*) FROM documents WHERE parser_version = '$PV'")"
assert_eq "--warned: the other warned plans" \
	"reparsed $((warned - nt)) documents with parser $PV: 0 changed, $((warned - nt)) unchanged, 0 failed" \
	"$("$PLANQ" reparse --warned)"
assert_eq "  unwarned plans and the rejected page are left alone" \
	"$((nplans - warned + 1))" "$(sql "SELECT count(*) FROM documents WHERE parser_version = 'old-0'")"
assert_eq "  none left with warnings at an old version" 0 \
	"$(sql "SELECT count(*) FROM plans p JOIN documents d ON d.id = p.document_id
	        WHERE p.warning_codes <> '{}' AND d.parser_version <> '$PV'")"
assert_eq "--all --warned=no_org: the one, again" \
	"reparsed 1 documents with parser $PV: 0 changed, 1 unchanged, 0 failed" \
	"$("$PLANQ" reparse --all --warned=no_org)"
# a plan stored with a stale parse whose warnings the new parser drops
doc=$(sql "SELECT p.document_id FROM plans p WHERE p.org_printed_name = '都島区役所'")
sql "UPDATE plans SET parsed_sha256 = planq_plan_digest('{\"title\":\"OLD\"}'),
                      warning_codes = '{org_name_noise,no_goals}' WHERE document_id = $doc"
sql "UPDATE documents SET parser_version = 'old-0' WHERE id = $doc"
assert_eq "--warned=no_goals: a stale warned plan is replaced" \
	"reparsed 1 documents with parser $PV: 1 changed, 0 unchanged, 0 failed" \
	"$("$PLANQ" reparse --warned=no_goals)"
assert_eq "  its codes are today's parse's" "{org_name_noise}" \
	"$(sql "SELECT warning_codes FROM plans WHERE document_id = $doc")"

finish
