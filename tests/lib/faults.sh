# tests/lib/faults.sh: helpers shared by tests/faults/.  Source after
# common.sh.
#   make_docs N DIR [TAG]    N distinct plan documents DIR/doc-NNN.txt (the
#                            samples with a unique trailing comment); checks
#                            that the parser still calls each layout a plan
#   acked FILE…              paths the `planq send` outputs acknowledged
#                            (stored / duplicate / spooled), one per line
#   sha_list FILE…           sorted sha256 (hex) of the files
#   db_shas                  sorted encode(sha256,'hex') of every documents row
#   check_exactly_once NAME LISTFILE [EXTRA…]
#                            every file named in LISTFILE has exactly one row,
#                            and the table holds no row that is not one of
#                            them or of the EXTRA files
#   check_all_stored_once NAME SENDOUT N
#                            the `planq send` output SENDOUT acknowledged all
#                            N documents, none failed or was rejected, and
#                            the table holds each exactly once, stored
#   build_testhooks          builds the test-hook binaries into
#                            build/testhooks/bin (HOOKS_BIN), or exits
#   marked_sample MARK FILE  the first sample with an HTML comment MARK
#                            appended (a marker the test-hook build acts on)
#   hooks_start N MARK FILE ARGS…
#                            the testhooks build, a database, N documents
#                            (make_docs) in $TMP/docs and FILE marked MARK
#                            (marked_sample); planqd of that build started
#                            with ARGS and checked to run its worker
#   send_expect RC NAME OUT SECONDS ARGS…
#                            `planq send --to $ENDPOINT ARGS…` bounded by
#                            SECONDS, stdout to OUT, stderr to OUT's .err;
#                            prints its status counts and asserts NAME: it
#                            exits RC
#   check_healthy NAME       planqd alive and stores a brand-new document
#   pg_start_retry DIR       pg_start, retried for up to 30 s (after pg_kill the
#                            old backends need a moment to go away)
#   spool_segs DIR           number of *.seg files in DIR
#   status_counts FILE…      "stored=N duplicate=N spooled=N retry-free…" summary
#   planqd_restart ARGS…     start planqd again on the same ENDPOINT and
#                            runtime dir (after a SIGKILL), without waiting
#                            for ready workers
#   paced_send OUT B D FILE… background sender (see below)
#   wait_pid PID SECONDS     bounded wait for a background pid (killed after)
#   log_summary [N]          planqd's warnings/notices, counted

make_docs() {
	local n=$1 dir=$2 tag=${3:-v} i s samples=("$ROOT"/samples/*.txt)
	mkdir -p "$dir"
	for ((i = 1; i <= n; i++)); do
		s=${samples[$(((i - 1) % ${#samples[@]}))]}
		{ cat "$s"; printf '\n<!-- %s variant %d -->\n' "$tag" "$i"; } \
			>"$dir/doc-$(printf %03d "$i").txt"
	done
	for ((i = 1; i <= ${#samples[@]} && i <= n; i++)); do
		[ "$("$PLANQ" parse "$dir/doc-$(printf %03d "$i").txt" | jq .is_plan)" = true ] ||
			{ echo "variant $i is not parsed as a plan"; return 1; }
	done
}

acked() {
	cat "$@" 2>/dev/null | awk '/^(stored|duplicate|spooled) / { print $NF }' | sort -u
}

sha_list() {
	[ $# -gt 0 ] || return 0
	sha256sum "$@" | cut -c1-64 | sort
}

db_shas() { sql "SELECT encode(sha256, 'hex') FROM documents ORDER BY 1"; }

# check_exactly_once NAME LISTFILE [EXTRA_FILE…]
check_exactly_once() {
	local name=$1 list=$2; shift 2
	local want got missing extra dups
	mapfile -t files <"$list"
	want=$( { sha_list "${files[@]}"; } | sort -u)
	got=$(db_shas)
	dups=$(sql "SELECT count(*) - count(DISTINCT sha256) FROM documents")
	assert_eq "$name: no sha256 twice" 0 "$dups"
	missing=$(comm -23 <(echo "$want" | sed '/^$/d') <(echo "$got" | sed '/^$/d') | wc -l)
	assert_eq "$name: every acknowledged document present" 0 "$missing"
	local allowed
	[ -f "$TMP/healthy.list" ] && mapfile -t hfiles <"$TMP/healthy.list" || hfiles=()
	allowed=$( { echo "$want"; sha_list "$@" "${hfiles[@]}"; } | sed '/^$/d' | sort -u)
	extra=$(comm -13 <(echo "$allowed") <(echo "$got" | sed '/^$/d') | wc -l)
	assert_eq "$name: no row for a document that was not sent" 0 "$extra"
}

# check_all_stored_once NAME SENDOUT N
check_all_stored_once() {
	local name=$1 out=$2 n=$3
	assert_eq "$name: no document failed or rejected" 0 "$(grep -Ec '^(failed|rejected) ' "$out")"
	assert_eq "$name: every document acknowledged" "$n" "$(acked "$out" | wc -l)"
	acked "$out" >"$TMP/acked.list"
	check_exactly_once "$name" "$TMP/acked.list"
	assert_eq "$name: exactly N rows" "$n" "$(doc_count)"
	assert_eq "$name: every row stored, none rejected" "$n" \
		"$(sql "SELECT count(*) FROM documents WHERE outcome = 'stored'")"
}

HOOKS_BIN=$ROOT/build/testhooks/bin
build_testhooks() {
	local try
	for try in 1 2; do
		make -s -C "$ROOT" BUILD=testhooks all >"$TMP/build.log" 2>&1 && return 0
		sleep 5
	done
	cat "$TMP/build.log"
	echo "testhooks build failed"
	exit 1
}

marked_sample() {
	{ cat "$ROOT/samples/$(ls "$ROOT/samples" | grep '\.txt$' | head -n 1)"
	  printf '\n<!-- %s -->\n' "$1"; } >"$2"
}

hooks_start() {
	local n=$1 mark=$2 file=$3; shift 3
	build_testhooks
	setup_db
	make_docs "$n" "$TMP/docs" || exit 1
	marked_sample "$mark" "$file"
	PLANQ_BIN=$HOOKS_BIN planqd_start "$@"
	check "planqd is the testhooks build" grep -q "worker $HOOKS_BIN/planq-worker" "$TMP/planqd.log"
}

send_expect() {
	local want=$1 name=$2 out=$3 seconds=$4 rc; shift 4
	timeout "$seconds" "$PLANQ" send --to "$ENDPOINT" "$@" >"$out" 2>"${out%.out}.err"
	rc=$?
	echo "# $(basename "$out" .out): $(status_counts "$out")"
	assert_eq "$name" "$want" "$rc"
}

check_healthy() {
	local name=$1 f="$TMP/healthy-$RANDOM.txt" out
	{ cat "$ROOT/samples/$(ls "$ROOT/samples" | grep '\.txt$' | head -n 1)"
	  printf '\n<!-- health check %s %s -->\n' "$RANDOM" "$(date +%s%N)"; } >"$f"
	echo "$f" >>"$TMP/healthy.list"
	check "$name: planqd alive" kill -0 "${PLANQD_PID:-0}" || return 1
	out=$(timeout 60 "$PLANQ" send --to "$ENDPOINT" --timeout 20 --retries 2 "$f" 2>&1)
	assert_match "$name: planqd stores a new document" '^stored document=' "$out"
}

pg_start_retry() {
	local i
	for ((i = 0; i < 60; i++)); do
		pg_start "$1" 2>>"$TMP/pg_start.err" && return 0
		sleep 0.5
	done
	return 1
}

spool_segs() { find "$1" -maxdepth 1 -name '*.seg' 2>/dev/null | wc -l; }

status_counts() {
	cat "$@" | awk '{ c[$1]++ } END { printf "stored=%d duplicate=%d spooled=%d rejected=%d failed=%d", c["stored"], c["duplicate"], c["spooled"], c["rejected"], c["failed"] }'
}

planqd_restart() {
	"$PLANQ_BIN/planqd" --listen "$ENDPOINT" --db "$PLANQ_DB" \
		--runtime-dir "$TMP/run" "$@" >>"$TMP/planqd.log" 2>&1 7>&- &
	PLANQD_PID=$!
}

# rows in documents (empty string when the database does not answer)
doc_count() { sql "SELECT count(*) FROM documents" 2>/dev/null; }

# paced_send OUT BATCH DELAY FILE…: sends the files BATCH at a time, one
# `planq send` per batch (Lazy Pirate: --timeout 30 --retries 6), sleeping
# DELAY seconds between batches, appending every output line to OUT.  Run it
# in the background so that a fault can hit the middle of the run.
# SEND_ARGS (array) overrides the default timeout/retries.
paced_send() {
	local out=$1 batch=$2 delay=$3; shift 3
	local files=("$@") i args=(--timeout 30 --retries 6)
	[ -n "${SEND_ARGS+x}" ] && args=("${SEND_ARGS[@]}")
	for ((i = 0; i < ${#files[@]}; i += batch)); do
		timeout 300 "$PLANQ" send --to "$ENDPOINT" --concurrency "$batch" \
			"${args[@]}" "${files[@]:i:batch}" >>"$out" 2>>"$out.err" || echo "# planq send exit $? for ${files[*]:i:batch}" >>"$out.err"
		sleep "$delay"
	done
}

# waits (bounded) for a background pid to exit; 0 if it did.  A pid still
# running at the deadline is killed with its children (our own sender).
wait_pid() {
	wait_for "! kill -0 $1" "${2:-120}" && return 0
	pkill -KILL -P "$1" 2>/dev/null
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 1
}

# planqd's own warnings and notices in the log, with counts, details cut
log_summary() {
	grep -E '^<[2-5]>planqd' "$TMP/planqd.log" |
		sed -E 's/job=[0-9]+/job=N/g; s/ id=[^ ]+/ id=…/g; s/\(pid [0-9]+\)/(pid N)/g; s/w[0-9]+\.[0-9]+/wS.G/g; s/[0-9]+ (spooled )?documents/N \1documents/g; s/source_url=[^ ;]+/source_url=…/g; s#/tmp/[^ ]+#DIR#g' |
		sort | uniq -c | sort -rn | head -n "${1:-15}" | sed 's/^/# log: /'
}

healthy_count() { cat "$TMP/healthy.list" 2>/dev/null | wc -l; }
