#!/usr/bin/env bash
# What asynchronous replication costs.  The failover of
# test_failover_sync.sh (tests/lib/failover.sh) with a standby that is not
# synchronous: while it is stalled the primary goes on acknowledging
# documents as stored, and the primary's SIGKILL takes them along: the
# promoted standby never had them.  The test asserts that this happens
# (lost > 0: acknowledged documents are gone), that nothing is doubled or
# rejected, that everything spooled reached the new primary, and that a
# crawler which sends the lost documents again gets them stored, once.
# docs/SCALING.md gives the settings that keep planq's promise.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"
. "$ROOT/tests/lib/replica.sh"
. "$ROOT/tests/lib/failover.sh"

failover_run async
check "acknowledged documents are lost with an asynchronous standby" test "$FIG_LOST" -gt 0
mapfile -t lost <"$TMP/lost.list"
assert_eq "every lost document had been answered stored" 0 \
	"$(for f in "${lost[@]}"; do grep -q "^stored .* $f\$" "$TMP/send.out" || echo "$f"; done | wc -l)"
assert_eq "every spooled document reached the new primary" 0 \
	"$(awk '/^spooled / { print $NF }' "$TMP/send.out" | grep -cxF -f "$TMP/lost.list")"
if [ "${#lost[@]}" -gt 0 ]; then
	timeout 120 "$PLANQ" send --to "$ENDPOINT" --concurrency 8 --timeout 30 "${lost[@]}" \
		>"$TMP/resend.out" 2>&1
	assert_eq "sent again, the lost documents are stored" "${#lost[@]}" "$(grep -c '^stored ' "$TMP/resend.out")"
fi
check_exactly_once "async failover, lost documents sent again" "$TMP/acked.list"
check_rows_complete "async failover"
check_healthy "after the failover"
check "planqd stops cleanly" planqd_stop
log_summary
finish
