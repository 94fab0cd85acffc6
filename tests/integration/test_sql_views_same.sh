#!/usr/bin/env bash
# test_sql_views_same.sh: the views and functions rewritten to stay fast as
# the data grows (initiative_history, search_plans,
# plan_budget_totals[_all_versions], and over the columns migrations 013
# and 016 store: plans_all_versions, plan_initiatives_all_versions,
# plan_changes;
# docs/REPORTING.md) give
# exactly the rows of their old definitions (tests/sql/views_before.sql),
# row for row (EXCEPT ALL both ways), on the repo's samples and on versions
# of tests/sql/testku_*.json made to hit every rule of the old ones: a
# title match over a code match, the nearest earlier year, the first of
# equal titles in document order, a year with no match in between, an
# initiative without a code, and a predecessor whose title normalises to
# nothing (the old ORDER BY ranked such a code match first).
. "$(dirname "$0")/../lib/sqltest.sh"	# a database, test_planq_ingest()
q -f tests/sql/views_before.sql >/dev/null || { echo "tests/sql/views_before.sql failed"; exit 1; }

# store NAME SRC ORG JQ-EDIT: a copy of a test plan for ORG, edited
store() {
	jq --arg org "$3" ".org.name = \$org | .title = (.title | sub(\"テスト区\"; \$org)) | $4" \
		"$2" >"$TMP/$1.json"
	printf 'raw bytes of %s\n' "$1" >"$TMP/$1.txt"
	ingest "$TMP/$1.txt" "$TMP/$1.json" >/dev/null
}
T=tests/sql
INIT0='.issues[0].strategies[0].initiatives[0]'
INIT1='.issues[0].strategies[0].initiatives[1]'
INIT2='.issues[1].strategies[0].initiatives[0]'

for json in samples/*.json; do
	ingest "${json%.json}.txt" "$json" >/dev/null
done
for org in テスト区 比較区; do
	store "$org-22" $T/testku_2022_final.json "$org" .
	store "$org-23d" $T/testku_2023_draft.json "$org" .
	store "$org-23p" $T/testku_2023_proposal.json "$org" .
	store "$org-23f" $T/testku_2023_final.json "$org" .
done
# 比較区: 2019 and 2020 (no 2021), equal titles, a title that normalises to
# nothing, no code, a renumbered code; a 2024 draft before c24 for
# plan_changes: two equal titles (the first pairs with c24's one), a title
# that normalises to nothing (paired by its code), one removed
store c19 $T/testku_2022_final.json 比較区 ".fiscal_year = 2019 | $INIT1.title = \"防災訓練の実施\" | $INIT2.title = \"　\""
store c20 $T/testku_2022_final.json 比較区 ".fiscal_year = 2020 | $INIT0.title = \"・「」\" | $INIT2.code = null"
store c24 $T/testku_2023_final.json 比較区 ".fiscal_year = 2024 | $INIT1.code = \"1-1-1\""
store c25 $T/testku_2023_final.json 比較区 ".fiscal_year = 2025 | $INIT0.code = null | $INIT1.title = \"学習支援事業\""
store c26 $T/testku_2023_final.json 比較区 ".fiscal_year = 2026 | $INIT0.title = \"！\" | $INIT1.code = null"
store c24d $T/testku_2023_draft.json 比較区 ".fiscal_year = 2024 | $INIT0.title = \"防犯カメラの設置\" | $INIT1.title = \"　\" | $INIT1.code = \"1-1-1\" | $INIT2.title = \"子育てサロン\" | $INIT2.code = \"9-9-9\""

# diff_rows NEW OLD: rows of one not in the other, both ways, over the old
# definition's columns (a view may have gained columns at its end since)
diff_rows() {
	local cols
	cols=$(q -c "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
	               FROM information_schema.columns WHERE table_name = '$2'")
	q -c "SELECT (SELECT count(*) FROM (SELECT $cols FROM $1 EXCEPT ALL SELECT $cols FROM $2) x)
	          || '|' || (SELECT count(*) FROM (SELECT $cols FROM $2 EXCEPT ALL SELECT $cols FROM $1) x)"
}

assert_eq "initiative_history = its old definition, row for row" "0|0" \
	"$(diff_rows initiative_history old_initiative_history)"
assert_eq "initiative_history: as many rows as plan_initiatives" \
	"$(q -c 'SELECT count(*) FROM plan_initiatives')" "$(q -c 'SELECT count(*) FROM initiative_history')"
# the fixtures reach every branch: else the comparison proves little
assert_eq "fixtures: matches by title, by code, and none" "code|none|title" \
	"$(q -c "SELECT string_agg(DISTINCT coalesce(matched_by, 'none'), '|') FROM initiative_history")"
assert_eq "fixtures: a code match to a predecessor titled with nothing" t \
	"$(q -c "SELECT count(*) > 0 FROM initiative_history h JOIN initiatives t ON t.id = h.prev_initiative_id
	          WHERE planq_norm_title(t.title) IS NULL AND planq_norm_title(h.initiative_title) IS NOT NULL
	            AND h.org_name = '比較区'")"
assert_eq "fixtures: a predecessor two years back (no 2021)" t \
	"$(q -c "SELECT bool_or(fiscal_year = 2022 AND prev_fiscal_year = 2020) FROM initiative_history WHERE org_name = '比較区'")"
assert_eq "fixtures: the first of two equal titles in document order" title \
	"$(q -c "SELECT matched_by FROM initiative_history WHERE org_name = '比較区' AND fiscal_year = 2026
	           AND initiative_title = '学習支援事業'
	           AND prev_initiative_id = (SELECT min(t.id) FROM initiatives t JOIN plans p ON p.id = t.plan_id
	                WHERE p.org_name = '比較区' AND p.fiscal_year = 2025 AND t.title = '学習支援事業')")"

for v in plan_budget_totals_all_versions plan_budget_totals plans_all_versions \
	plan_initiatives_all_versions plan_changes; do
	assert_eq "$v = its old definition, row for row" "0|0" "$(diff_rows $v old_$v)"
done
assert_eq "fixtures: plan_budget_totals has rows" t "$(q -c 'SELECT count(*) > 5 FROM plan_budget_totals')"
assert_eq "fixtures: plans with dashes, no budget, strategies" t \
	"$(q -c 'SELECT bool_or(initiatives_without_amount > 0) AND bool_or(strategies > 0) AND bool_or(total_yen > 0) FROM plans_all_versions')"
assert_eq "fixtures: every kind of change, by title and by code" \
	"added||amount_changed|title|removed||renamed|code" \
	"$(q -c "SELECT string_agg(DISTINCT change || '|' || coalesce(matched_by, ''), '|' ORDER BY change || '|' || coalesce(matched_by, ''))
	          FROM plan_changes" | tr -d '\n')"
assert_eq "fixtures: a rename from a title that normalises to nothing" t \
	"$(q -c "SELECT count(*) > 0 FROM plan_changes WHERE change = 'renamed' AND planq_norm_title(old_title) IS NULL")"
assert_eq "planq_plan_diff = its old definition, for every two plans" "0|0" \
	"$(q -c "SELECT (SELECT count(*) FROM (SELECT d.* FROM plans a, plans b, planq_plan_diff(a.id, b.id) d
	                 EXCEPT ALL SELECT d.* FROM plans a, plans b, old_planq_plan_diff(a.id, b.id) d) x)
	          || '|' || (SELECT count(*) FROM (SELECT d.* FROM plans a, plans b, old_planq_plan_diff(a.id, b.id) d
	                 EXCEPT ALL SELECT d.* FROM plans a, plans b, planq_plan_diff(a.id, b.id) d) x)")"

# plan_changes' stored rows (sql/023_plan_changes_stored.sql, filled by
# planq_store_plan_changes): the view gives the same rows with none, some
# and all pairs stored, after a version is stored between two stored ones
# (their pair is no longer consecutive) and after a plan is deleted (as
# `planq reparse` deletes the plan it parses again)
store_changes() {
	q -c "SELECT pairs_stored || '|' || coalesce(orgs_left::text, 'locked') FROM planq_store_plan_changes($1)"
}
stale_pairs() {
	q -c "SELECT count(*) FROM plan_change_pairs s WHERE NOT EXISTS (SELECT 1 FROM plan_version_pairs v
	       WHERE v.from_plan_id = s.from_plan_id AND v.to_plan_id = s.to_plan_id)"
}
assert_match "stored: one organisation's pairs, one left" '^[1-9][0-9]*[|]1$' "$(store_changes 1)"
assert_eq "plan_changes = its old definition, some pairs stored" "0|0" \
	"$(diff_rows plan_changes old_plan_changes)"
assert_match "stored: the other's" '^[1-9][0-9]*[|]0$' "$(store_changes 10)"
assert_eq "every pair stored" "$(q -c 'SELECT count(*) FROM plan_version_pairs')" \
	"$(q -c 'SELECT count(*) FROM plan_change_pairs')"
assert_eq "the stored rows are the view's" "$(q -c 'SELECT count(*) FROM old_plan_changes')" \
	"$(q -c 'SELECT count(*) FROM plan_change_rows')"
assert_eq "plan_changes = its old definition, every pair stored" "0|0" \
	"$(diff_rows plan_changes old_plan_changes)"
assert_eq "nothing left: a call stores nothing" "0|0" "$(store_changes 10)"
store c24p $T/testku_2023_proposal.json 比較区 ".fiscal_year = 2024 | $INIT0.title = \"防災マップの配布\""
assert_eq "a version between two stored ones: one pair stored no longer consecutive" 1 "$(stale_pairs)"
assert_eq "plan_changes = its old definition, with that pair stored" "0|0" \
	"$(diff_rows plan_changes old_plan_changes)"
assert_eq "stored: its two new pairs" "2|0" "$(store_changes 10)"
assert_eq "the pair no longer consecutive: deleted" 0 "$(stale_pairs)"
assert_eq "plan_changes = its old definition, after" "0|0" \
	"$(diff_rows plan_changes old_plan_changes)"
q -c "DELETE FROM plans WHERE id = (SELECT p.id FROM plans p JOIN documents d ON d.id = p.document_id
       WHERE p.org_name = '比較区' AND p.fiscal_year = 2024 AND p.stage = 'proposal')" >/dev/null
assert_eq "a deleted plan's stored pairs go with it" 0 \
	"$(q -c 'SELECT count(*) FROM plan_change_pairs s LEFT JOIN plans a ON a.id = s.from_plan_id
	          LEFT JOIN plans b ON b.id = s.to_plan_id WHERE a.id IS NULL OR b.id IS NULL')"
assert_eq "plan_changes = its old definition, a plan deleted" "0|0" \
	"$(diff_rows plan_changes old_plan_changes)"
assert_eq "stored: the pair the deletion made" "1|0" "$(store_changes 10)"
assert_eq "plan_changes = its old definition, all stored again" "0|0" \
	"$(diff_rows plan_changes old_plan_changes)"

# the stored columns (013) hold what their definitions compute today
assert_eq "initiatives.norm_title = planq_norm_title(title), for every row" 0 \
	"$(q -c 'SELECT count(*) FROM initiatives WHERE norm_title IS DISTINCT FROM planq_norm_title(title)')"
assert_eq "fixtures: titles that normalise to nothing" t \
	"$(q -c 'SELECT count(*) > 0 FROM initiatives WHERE norm_title IS NULL')"
assert_eq "initiatives.main_budget_label, main_amount_yen = the budget of ordinal 1" 0 \
	"$(q -c 'SELECT count(*) FROM initiatives t LEFT JOIN budgets b ON b.initiative_id = t.id AND b.ordinal = 1
	          WHERE (t.main_budget_label, t.main_amount_yen) IS DISTINCT FROM (b.label, b.amount_yen)')"
# and the ones of 016
assert_eq "initiatives.issue_number, issue_title, strategy_code, strategy_title = their rows'" 0 \
	"$(q -c 'SELECT count(*) FROM initiatives t JOIN issues i ON i.id = t.issue_id
	          LEFT JOIN strategies s ON s.id = t.strategy_id
	          WHERE (t.issue_number, t.issue_title, t.strategy_code, t.strategy_title)
	                IS DISTINCT FROM (i.number, i.title, s.code, s.title)')"
assert_eq "fixtures: initiatives with a strategy and without, titled issues" t \
	"$(q -c 'SELECT bool_or(strategy_id IS NULL) AND bool_or(strategy_title IS NOT NULL)
	                AND bool_or(issue_title IS NOT NULL) FROM initiatives')"

for s in '防災' '防犯カメラ' 'ｶﾒﾗ' '支援' '実施を行う' '%' '_' '' ' ' 'ない語'; do
	assert_eq "search_plans('$s') = its old definition, in order" \
		"$(q -c "SELECT * FROM old_search_plans('$s')" | md5sum)" \
		"$(q -c "SELECT * FROM search_plans('$s')" | md5sum)"
done
assert_eq "search fixtures: '防災' finds initiatives" t "$(q -c "SELECT count(*) > 2 FROM search_plans('防災')")"

finish
