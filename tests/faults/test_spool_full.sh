#!/usr/bin/env bash
# The spool cannot take more: (1) spool_max_bytes = 20K in the config file;
# (2) the disk under the spool is full (a 2 MB tmpfs, or when mounting is not
# permitted, a file-size limit on planqd); (3) a file-size limit
# (RLIMIT_FSIZE) on planqd.  With the database stopped, documents beyond the
# limit are answered "retry" (never a torn or corrupt spool); after the
# database returns every "spooled" one lands, and the client's resend of the
# "retry" ones lands too: each document exactly once.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/faults.sh"

setup_db
MNT=$TMP/tmpfs
unmount_spool() { mountpoint -q "$MNT" 2>/dev/null && umount -l "$MNT"; }
trap 'unmount_spool; cleanup' EXIT

# db_retry_seconds = 1: the first document finds the database down quickly
conf() { printf 'db_retry_seconds = 1\n%s\n' "$1" >"$TMP/planqd.conf"; }

# run_phase NAME N DOCDIR: database down, N documents sent once (no resend:
# --retries 0), database back, replay, resend of what was not spooled
run_phase() {
	local name=$1 n=$2 dir=$3 spool=$4
	pg_stop "$TMP/pg"
	timeout 120 "$PLANQ" send --to "$ENDPOINT" --concurrency 4 --timeout 30 --retries 0 \
		"$dir"/*.txt >"$TMP/$name.out" 2>"$TMP/$name.err"
	echo "# $name while down: $(status_counts "$TMP/$name.out")"
	grep -m 1 '^failed ' "$TMP/$name.out" | sed "s|$TMP|TMP|; s/^/# $name: /"
	local spooled retried
	spooled=$(grep -c '^spooled ' "$TMP/$name.out")
	retried=$(grep -c '^failed reason="still retry after 1 attempts' "$TMP/$name.out")
	check "$name: some documents spooled" test "$spooled" -ge 1
	check "$name: documents beyond the limit answered retry" test "$retried" -ge 1
	assert_eq "$name: every document spooled or retry" "$n" $((spooled + retried))
	check "$name: planqd alive with the spool full" kill -0 "$PLANQD_PID"
	rows0=$(doc_count 2>/dev/null)
	check "$name: PostgreSQL starts again" pg_start "$TMP/pg"
	rows0=$(doc_count)
	check "$name: spool replayed" wait_for "[ \$(spool_segs '$spool') -eq 0 ]" 60
	check "$name: planqd logged no torn or corrupt record" \
		bash -c "! grep -q 'torn or corrupt' '$TMP/planqd.log'"
	grep '^failed ' "$TMP/$name.out" | awk '{print $NF}' >"$TMP/$name.retry"
	mapfile -t again <"$TMP/$name.retry"
	if [ ${#again[@]} -gt 0 ]; then
		timeout 120 "$PLANQ" send --to "$ENDPOINT" --concurrency 4 --timeout 30 \
			"${again[@]}" >"$TMP/$name.resend" 2>&1
	fi
	sed "s|$TMP|TMP|; s/^/# $name resend: /" "$TMP/$name.resend" 2>/dev/null | tail -n 3
	assert_eq "$name: the resend of the retry ones stored" "${#again[@]}" \
		"$(cat "$TMP/$name.resend" 2>/dev/null | grep -c '^stored ')"
	check "$name: planqd alive after the replay and the resend" kill -0 "$PLANQD_PID"
	ls "$dir"/*.txt >"$TMP/$name.list"
	# rows of the earlier phases are allowed
	check_exactly_once "$name" "$TMP/$name.list" $(cat "$TMP"/*.list.done 2>/dev/null)
	mv "$TMP/$name.list" "$TMP/$name.list.done"
}

# -- (1) spool_max_bytes = 20K
make_docs 20 "$TMP/docs1" one || exit 1
conf "spool_max_bytes = 20K"
planqd_start --workers=2 --spool "$TMP/spool1" --config "$TMP/planqd.conf"
run_phase "spool_max_bytes" 20 "$TMP/docs1" "$TMP/spool1"
check "spool_max_bytes: reason names the full spool" grep -q 'the spool is full' "$TMP/spool_max_bytes.out"
assert_eq "spool_max_bytes: 20 rows" 20 "$(doc_count)"
check "planqd stops cleanly" planqd_stop

# big documents for the disk-full cases: ~60 KB each
make_docs 60 "$TMP/docs2" two || exit 1
for f in "$TMP"/docs2/*.txt; do
	head -c 45000 /dev/urandom | base64 -w 100 | sed 's/^/<!-- /; s/$/ -->/' >>"$f"
done
[ "$("$PLANQ" parse "$TMP/docs2/doc-001.txt" | jq .is_plan)" = true ] || { echo "big variant not a plan"; exit 1; }

# -- (2) disk full under the spool
mkdir -p "$MNT"
if mount -t tmpfs -o size=2m tmpfs "$MNT" 2>"$TMP/mount.err"; then
	echo "# spool on a 2 MB tmpfs"
	conf ""
	planqd_start --workers=2 --spool "$MNT/spool" --config "$TMP/planqd.conf"
	run_phase "disk_full" 60 "$TMP/docs2" "$MNT/spool"
	check "disk_full: reason names the write failure" grep -q 'spool write failed (No space left on device)' "$TMP/disk_full.out"
	check "disk_full: no reason says the write failed with \"Success\"" bash -c "! grep -q 'spool write failed (Success)' '$TMP/disk_full.out'"
	check "disk full: planqd stops cleanly" planqd_stop
	unmount_spool
else
	echo "# cannot mount a tmpfs ($(cat "$TMP/mount.err")); only the file-size limit case runs"
fi

# -- (3) a file-size limit on planqd: writes past it fail with EFBIG, and
# SIGXFSZ must not kill planqd
: >"$TMP/planqd.conf"
conf ""
planqd_start --workers=2 --spool "$TMP/spool3" --config "$TMP/planqd.conf"
prlimit --pid "$PLANQD_PID" --fsize=1000000:1000000
echo "# planqd $(prlimit --pid "$PLANQD_PID" --fsize --noheadings)"
# distinct bytes from phase (2)'s documents, which are already stored
mkdir -p "$TMP/docs3"; cp "$TMP"/docs2/doc-0[0-3]*.txt "$TMP/docs3/"
for f in "$TMP"/docs3/*.txt; do printf '\n<!-- phase 3 -->\n' >>"$f"; done
run_phase "fsize" "$(ls "$TMP"/docs3/*.txt | wc -l)" "$TMP/docs3" "$TMP/spool3"
if ! kill -0 "$PLANQD_PID" 2>/dev/null; then
	wait "$PLANQD_PID"; rc=$?
	echo "# fsize: planqd died, exit status $rc (SIG$(kill -l $((rc - 128)) 2>/dev/null))"
	PLANQD_PID=
fi
check_healthy "after the full spools"
log_summary 10
finish
