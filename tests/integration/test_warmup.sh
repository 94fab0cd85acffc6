#!/usr/bin/env bash
# A new worker rehearses its first call before it says READY
# (workers/warmup.c): its session has run the whole store of a plan, and
# the transaction was rolled back, so nothing of it is left to see.
. "$(dirname "$0")/../lib/common.sh"

setup_db
tup_ins() {	# table -> rows inserted, committed or not, as the statistics say
	sql "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = '$1'"
}
mods() {	# changes ANALYZE counts, all tables; orgs are seeded by migrate
	sql "SELECT sum(n_mod_since_analyze) FROM pg_stat_user_tables WHERE relname <> 'orgs'"
}
ins0=$(tup_ins initiatives)
bud0=$(tup_ins budgets)
mod0=$(mods)

planqd_start --workers=2
assert_eq "each worker made its warm-up call before it was ready" 2 \
	"$(grep -c 'warm-up call made and rolled back' "$TMP/planqd.log")"
check "no warm-up failed" sh -c "! grep -q 'warm-up call not made' '$TMP/planqd.log'"
# the statistics reach the server when each backend goes idle (≤ ~10 s)
check "the rehearsal went as far as the initiatives and their budgets" \
	wait_for "[ \$(tup_ins initiatives) -ge $((ins0 + 2)) ] && [ \$(tup_ins budgets) -ge $((bud0 + 2)) ]" 30
assert_eq "and left nothing stored" "0 0 0 0" \
	"$(sql "SELECT (SELECT count(*) FROM documents) || ' ' || (SELECT count(*) FROM plans) || ' ' ||
	               (SELECT count(*) FROM initiatives) || ' ' || (SELECT count(*) FROM budgets)")"
assert_eq "nor any change for ANALYZE to count" "$mod0" "$(mods)"

"$PLANQ" send --to "$ENDPOINT" --timeout 60 "$ROOT/samples/01_kita_r3_table.txt" >"$TMP/send.out" 2>&1
assert_match "a document sent after it is stored" '^stored ' "$(cat "$TMP/send.out")"
assert_eq "once" 1 "$(sql 'SELECT count(*) FROM documents')"
check "planqd stops cleanly" planqd_stop
finish
