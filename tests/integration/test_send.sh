#!/usr/bin/env bash
# `planq send` against a real planqd: a directory (recursive, sorted, hidden
# files skipped) with several documents in flight, resend = duplicate, stdin
# with --source-url, and the exit codes (0 ok, 1 rejected/failed/no server,
# 2 usage).
. "$(dirname "$0")/../lib/common.sh"

setup_db
planqd_start --workers=2 || exit 1

# a tree of the samples: two levels, plus files that must not be sent
tree=$TMP/tree
mkdir -p "$tree/sub/deeper" "$tree/.hidden"
samples=("$ROOT"/samples/*.txt)
n=${#samples[@]}
for i in "${!samples[@]}"; do
	case $((i % 3)) in
	0) cp "${samples[$i]}" "$tree/" ;;
	1) cp "${samples[$i]}" "$tree/sub/" ;;
	2) cp "${samples[$i]}" "$tree/sub/deeper/" ;;
	esac
done
cp "${samples[0]}" "$tree/.hidden/copy.txt"
printf 'hidden\n' >"$tree/.dotfile"

out=$("$PLANQ" send --to "$ENDPOINT" --concurrency 3 "$tree" 2>"$TMP/send.err")
rc=$?
echo "$out"; cat "$TMP/send.err"
assert_eq "dir: exits 0" 0 "$rc"
assert_eq "dir: one stored line per sample" "$n" "$(grep -c '^stored document=[0-9]* plan=[0-9]* ' <<<"$out")"
assert_eq "dir: summary" "sent $n documents: $n stored, 0 duplicate, 0 spooled, 0 rejected, 0 failed" "$(tail -n 1 <<<"$out")"
assert_eq "dir: hidden files not sent" 0 "$(grep -c hidden <<<"$out")"
assert_eq "dir: documents rows" "$n" "$(sql 'SELECT count(*) FROM documents')"
assert_eq "dir: source_url is file:// + absolute path" 1 \
	"$(sql "SELECT count(*) FROM documents WHERE source_url = 'file://$tree/sub/$(basename "${samples[1]}")'")"
assert_eq "dir: nothing on stderr" "" "$(cat "$TMP/send.err")"

# the same tree again, one at a time and many at a time: all duplicates
for c in 1 16; do
	out=$("$PLANQ" send --to "$ENDPOINT" --concurrency $c "$tree" 2>&1)
	assert_eq "resend c=$c: exits 0" 0 "$?"
	assert_eq "resend c=$c: all duplicate" "$n" "$(grep -c '^duplicate document=' <<<"$out")"
done
assert_eq "resend: no new documents" "$n" "$(sql 'SELECT count(*) FROM documents')"

# --quiet prints only the summary
out=$("$PLANQ" send --to "$ENDPOINT" --quiet "$tree")
assert_eq "quiet: only the summary" "sent $n documents: 0 stored, $n duplicate, 0 spooled, 0 rejected, 0 failed" "$out"

# stdin with an explicit source URL and content type
url="https://example.test/plan?id=1"
out=$({ cat "${samples[0]}"; echo; } | "$PLANQ" send --to "$ENDPOINT" \
	--source-url "$url" --content-type 'text/plain; charset=utf-8' - 2>&1)
assert_eq "stdin: exits 0" 0 "$?"
assert_match "stdin: stored" '^stored document=[0-9]+ plan=[0-9]+ -' "$out"
assert_eq "stdin: source_url kept" 1 "$(sql "SELECT count(*) FROM documents WHERE source_url = '$url'")"

# exit 1: a rejected document, an unreadable file
printf '会議録\n\n○議長 ただいまから本日の会議を開きます。\n' >"$TMP/minutes.txt"
out=$("$PLANQ" send --to "$ENDPOINT" "$TMP/minutes.txt" "$TMP/missing.txt" "${samples[0]}")
assert_eq "mixed: exits 1" 1 "$?"
assert_match "mixed: rejected line" 'rejected document=[0-9]+ reason="not a plan' "$out"
assert_match "mixed: missing file failed" 'failed reason="No such file or directory" [^ ]*missing.txt' "$out"
assert_match "mixed: good one duplicate" 'duplicate document=[0-9]+ plan=[0-9]+ ' "$out"
assert_eq "mixed: summary" "sent 3 documents: 0 stored, 1 duplicate, 0 spooled, 1 rejected, 1 failed" "$(tail -n 1 <<<"$out")"

# exit 1: nobody listening (short timeout so that the test stays fast)
dead=tcp://127.0.0.1:$(random_port)
out=$("$PLANQ" send --to "$dead" --timeout 0.2 --retries 1 "$tree" 2>/dev/null)
assert_eq "no server: exits 1" 1 "$?"
assert_match "no server: no reply" 'failed reason="no reply after 2 tries \(timeout 0.2 s\)"' "$out"
assert_eq "no server: all failed" "sent $n documents: 0 stored, 0 duplicate, 0 spooled, 0 rejected, $n failed" "$(tail -n 1 <<<"$out")"

# exit 2: usage errors
"$PLANQ" send --to "$ENDPOINT" >/dev/null 2>&1
assert_eq "usage: no operand" 2 "$?"
"$PLANQ" send --concurrency 0 "$tree" >/dev/null 2>&1
assert_eq "usage: bad concurrency" 2 "$?"
"$PLANQ" send --frobnicate "$tree" >/dev/null 2>&1
assert_eq "usage: unknown option" 2 "$?"
"$PLANQ" send --to "not an endpoint" "$tree" >/dev/null 2>&1
assert_eq "usage: bad endpoint" 2 "$?"

# PLANQ_ENDPOINT is the default --to
out=$(PLANQ_ENDPOINT=$ENDPOINT "$PLANQ" send --quiet "${samples[0]}")
assert_eq "PLANQ_ENDPOINT: exits 0" 0 "$?"

check "planqd alive" kill -0 "$PLANQD_PID"
check "planqd stops cleanly" planqd_stop
finish
