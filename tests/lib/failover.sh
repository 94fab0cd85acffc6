# tests/lib/failover.sh: the failover scenario of tests/faults/test_failover.sh,
# against a real primary and standby (tests/lib/replica.sh), one real
# planqd with a spool on the two-host DSN, and real senders.  Source after
# common.sh, faults.sh and replica.sh, then
#   failover_setup MODE      the pair (MODE sync|async), migrate through the
#                            two-host DSN, planqd (2 workers, spool,
#                            db_timeout 2, db_retry_seconds 1, metrics)
#   failover_phase MODE      one failover, with its own documents in
#                            $TMP/MODE/docs; leaves in $TMP/MODE/:
#       send.out             every reply line of the senders
#       acked.list           the files answered stored, duplicate or spooled
#       lost.list            acknowledged files missing on the new primary
#       before_kill.out      the reply lines written before the kill
#     and FIG_* (also printed as "# figure:" lines).
# A phase: FAILOVER_DOCS (200) documents from two paced senders (the odd and
# the even files, 4 at a time: some are always in flight, and sending
# outlasts the failover); once 40 are stored the standby is stalled (its
# walsender stopped); the primary is SIGKILLed (postmaster and backends)
# while commits wait for the standby (sync) or after 30 more documents were
# acknowledged without it (async); the standby is promoted as soon as
# planqd spools; the senders finish and the spool drains into the new
# primary.

FAILOVER_DOCS=${FAILOVER_DOCS:-200}

failover_stored_so_far() { cat "$FO"/send-[12].out | grep -c '^stored '; }

# documents received by planqd and not answered yet (queued or in a worker)
failover_in_flight() {
	curl -s "http://$FAILOVER_METRICS/metrics" | awk '
		/^planq_documents_received_total / { r = $2 }
		/^planq_documents_total\{/ { a += $2 }
		END { print r - a }'
}

# "path|issues|strategies|initiatives|budgets" of a parsed file
failover__expected_rows() {
	"$PLANQ" parse "$1" | jq -r --arg p "$1" '
		[.issues[] | (.strategies[].initiatives[]), .initiatives[]] as $inits
		| [$p, (.issues | length), ([.issues[].strategies[]] | length),
		   ($inits | length), ([$inits[].budgets[]] | length)]
		| map(tostring) | join("|")'
}

# check_rows_complete NAME DOCS: every document of make_docs' naming on the
# server has its plan and all of the plan's rows (the counts of the sample
# it is a copy of; DOCS is a directory of make_docs)
check_rows_complete() {
	local name=$1 docs=$2 i k want got bad url plans rest
	declare -A want_of
	for ((k = 1; k <= 5; k++)); do
		want=$(failover__expected_rows "$docs/doc-$(printf %03d "$k").txt")
		want_of[$k]=${want#*|}
	done
	got=$(sql "SELECT d.source_url, (p.id IS NOT NULL)::int,
	        (SELECT count(*) FROM issues i WHERE i.plan_id = p.id),
	        (SELECT count(*) FROM strategies s JOIN issues i ON i.id = s.issue_id WHERE i.plan_id = p.id),
	        (SELECT count(*) FROM initiatives n WHERE n.plan_id = p.id),
	        (SELECT count(*) FROM budgets b JOIN initiatives n ON n.id = b.initiative_id WHERE n.plan_id = p.id)
	      FROM documents d LEFT JOIN plans p ON p.document_id = d.id
	     WHERE d.source_url LIKE '%/docs/doc-%'")
	bad=0
	while IFS='|' read -r url plans rest; do
		[ -n "$url" ] || continue
		i=${url##*/doc-}; i=$((10#${i%.txt}))
		k=$(((i - 1) % 5 + 1))
		[ "$plans" = 1 ] && [ "$rest" = "${want_of[$k]}" ] && continue
		bad=$((bad + 1))
		[ $bad -le 3 ] && echo "# rows of $url: plans=$plans $rest, want 1 ${want_of[$k]}"
	done <<<"$got"
	assert_eq "$name: every document has its plan with all its rows" 0 "$bad"
}

# replies in FILE whose document id names another file (or none) on the
# server now
failover_ids_moved() {
	local values
	values=$(sed -nE "s/^(stored|duplicate) document=([0-9]+) .* ([^ ]+)\$/(\2, 'file:\/\/\3')/p" "$1" |
		paste -sd,)
	[ -n "$values" ] || { echo 0; return; }
	sql "SELECT count(*) FROM (VALUES $values) AS v(id, url)
	     LEFT JOIN documents d ON d.id = v.id WHERE d.source_url IS DISTINCT FROM v.url"
}

# the acknowledged files (LIST) whose bytes are not on the server
failover_lost() {
	local list=$1
	[ -s "$list" ] || return 0
	# shellcheck disable=SC2046
	sha256sum $(cat "$list") | LC_ALL=C sort | LC_ALL=C join -v 1 - <(db_shas | LC_ALL=C sort) | cut -d" " -f2-
}

failover_setup() {
	replica_start "$TMP/replica" "$1" || { fail "primary and standby start ($1)"; finish; }
	"$PLANQ" db migrate --db "$REPLICA_DSN" >"$TMP/migrate.log" 2>&1 ||
		{ cat "$TMP/migrate.log"; fail "migrate through the two-host DSN"; finish; }
	FAILOVER_METRICS=127.0.0.1:$(random_port)
	printf 'db_timeout = 2\ndb_retry_seconds = 1\n' >"$TMP/planqd.conf"
	planqd_start --workers=2 --config "$TMP/planqd.conf" --spool "$TMP/spool" \
		--metrics "$FAILOVER_METRICS"
	echo "# planqd on $REPLICA_DSN"
}

# planqd's log since the phase began
failover__log() { tail -n "+$((FO_LOG_FROM + 1))" "$TMP/planqd.log"; }

# two paced senders over the phase's documents (FAILOVER_SENDERS: pids)
failover__send() {
	local files=("$FO"/docs/doc-*.txt) odd=() even=() i
	for ((i = 0; i < ${#files[@]}; i++)); do
		if ((i % 2)); then odd+=("${files[i]}"); else even+=("${files[i]}"); fi
	done
	: >"$FO/send-1.out"
	: >"$FO/send-2.out"
	paced_send "$FO/send-1.out" 4 0.1 "${even[@]}" &
	FAILOVER_SENDERS=$!
	paced_send "$FO/send-2.out" 4 0.1 "${odd[@]}" &
	FAILOVER_SENDERS="$FAILOVER_SENDERS $!"
}

# stalls the standby; once the fault shows (commits wait, or the primary
# acknowledges without the standby), kills the primary
failover__stall_and_kill() {
	local mode=$1 stalled_at base
	base=$(doc_count)
	check "$mode: 40 documents stored before the standby stalls" \
		wait_for "[ \"\$(doc_count)\" -ge $((base + 40)) ]" 60
	replica_stall_standby || fail "$mode: stall the standby"
	stalled_at=$(failover_stored_so_far)
	if [ "$mode" = sync ]; then
		check "sync: commits wait for the stalled standby" \
			wait_for "[ \"\$(sql \"SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'\")\" -ge 1 ]" 30
	else
		check "async: the primary acknowledges 30 more without the standby" \
			wait_for "[ \$(failover_stored_so_far) -ge $((stalled_at + 30)) ]" 60
	fi
	FIG_IN_FLIGHT=$(failover_in_flight)
	cat "$FO"/send-[12].out >"$FO/before_kill.out"
	FIG_ACKED_AT_KILL=$(grep -c '^stored ' "$FO/before_kill.out")
	FIG_STORED_IN_STALL=$((FIG_ACKED_AT_KILL - stalled_at))
	replica_kill_primary || fail "$mode: kill the primary"
}

failover__figures() {
	local mode=$1
	FIG_LOST=$(wc -l <"$FO/lost.list")
	FIG_DOUBLED=$(sql "SELECT count(*) - count(DISTINCT sha256) FROM documents")
	FIG_SPOOLED=$(grep -c '^spooled ' "$FO/send.out")
	FIG_PROMOTE_S=$(awk "BEGIN { printf \"%.2f\", $REPLICA_PROMOTED_AT - $REPLICA_KILLED_AT }")
	FIG_FIRST_STORED_S=$(sql "SELECT round((extract(epoch FROM min(received_at)) - $REPLICA_KILLED_AT)::numeric, 2)
	    FROM documents WHERE received_at > to_timestamp($REPLICA_KILLED_AT)")
	FIG_MAX_ACK_MS=$(failover__log | sed -nE 's/.*outcome status=(stored|duplicate|spooled) .* ms=([0-9]+) .*/\2/p' |
		sort -n | tail -n 1)
	FIG_IDS_MOVED=$(failover_ids_moved "$FO/before_kill.out")
	failover__log | grep -m 1 'planq-worker.*database unavailable' | sed 's/^/# first worker line: /'
	failover__log | grep -m 1 'planq-worker.*read-only' | sed 's/^/# while no primary: /'
	failover__log | grep -m 1 'database is back' | sed 's/^/# then: /'
	echo "# figure: mode=$mode documents=$FAILOVER_DOCS in_flight_at_kill=$FIG_IN_FLIGHT" \
		"stored_before_kill=$FIG_ACKED_AT_KILL stored_while_standby_stalled=$FIG_STORED_IN_STALL" \
		"kill_to_promoted_s=$FIG_PROMOTE_S kill_to_first_stored_on_new_primary_s=$FIG_FIRST_STORED_S" \
		"spooled=$FIG_SPOOLED lost=$FIG_LOST doubled=$FIG_DOUBLED max_ack_ms=$FIG_MAX_ACK_MS" \
		"ids_answered_before_kill_now_naming_another_document=$FIG_IDS_MOVED"
}

failover_phase() {
	local mode=$1 p
	FO=$TMP/$mode
	FO_LOG_FROM=$(wc -l <"$TMP/planqd.log")
	make_docs "$FAILOVER_DOCS" "$FO/docs" "$mode" || exit 1
	failover__send
	failover__stall_and_kill "$mode"
	check "$mode: planqd spools while there is no primary" \
		wait_for "failover__log | grep -q 'spooling documents'" 30
	check "$mode: the standby is promoted" replica_promote
	for p in $FAILOVER_SENDERS; do
		check "$mode: a sender finishes" wait_pid "$p" 240
	done
	cat "$FO"/send-[12].out >"$FO/send.out"
	assert_eq "$mode: every planq send exits 0 (all acknowledged)" "" \
		"$(cat "$FO"/send-[12].out.err 2>/dev/null | grep '^# planq send exit')"
	check "$mode: the spool drains into the new primary" \
		wait_for "[ \$(spool_segs '$TMP/spool') -eq 0 ]" 90
	check "$mode: replay logged" \
		sh -c "tail -n +$((FO_LOG_FROM + 1)) '$TMP/planqd.log' | grep -q 'every spooled document has been replayed'"
	sleep 0.5	# a replayed commit answered after the segment went

	echo "# client: $(status_counts "$FO/send.out")"
	acked "$FO/send.out" >"$FO/acked.list"
	failover_lost "$FO/acked.list" >"$FO/lost.list"
	failover__figures "$mode"

	assert_eq "$mode: no document rejected or failed" 0 "$(grep -Ec '^(rejected|failed) ' "$FO/send.out")"
	assert_eq "$mode: no rejected row" 0 "$(sql "SELECT count(*) FROM documents WHERE outcome = 'rejected'")"
	assert_eq "$mode: every document answered" "$FAILOVER_DOCS" "$(wc -l <"$FO/acked.list")"
	assert_eq "$mode: doubled" 0 "$FIG_DOUBLED"
	check "$mode: no worker killed or crashed" \
		sh -c "! grep -q 'killing it\|died holding' '$TMP/planqd.log'"
	check "$mode: the new primary stored documents after the kill" test -n "$FIG_FIRST_STORED_S"
}
