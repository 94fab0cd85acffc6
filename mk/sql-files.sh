#!/bin/sh
# mk/sql-files.sh DIR: prints the SQL files of DIR (a checkout's sql/) in
# the order `planq db migrate` applies them, one path per line: the
# baseline DIR/BNNN_*.sql (the schema at version NNN, for an empty
# database), the numbered migrations DIR/NNN_*.sql in ascending order, then
# the repeatable files in the order of DIR/repeatable.list, then
# DIR/roles.sql.  Fails, saying why, when two migrations share a number,
# when there is more than one baseline or a migration is not newer than it,
# or when the list and the
# files of DIR/functions and DIR/views disagree (a file missing from the
# list, listed twice, or listed but absent).  Used by mk/sql.mk to embed
# the files into bin/planq, and by the tests.
set -eu
[ $# -eq 1 ] || { echo "usage: sql-files.sh DIR" >&2; exit 2; }
dir=${1%/}
list=$dir/repeatable.list
[ -f "$list" ] || { echo "sql-files.sh: $list is missing" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sql-files.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ls "$dir" | grep -E '^[0-9]{3}_[A-Za-z0-9_]+\.sql$' | sort >"$tmp/versioned" || true
dups=$(cut -c1-3 "$tmp/versioned" | uniq -d)
if [ -n "$dups" ]; then
	echo "sql-files.sh: two migrations share the number $dups" >&2
	exit 1
fi
ls "$dir" | grep -E '^B[0-9]{3}_[A-Za-z0-9_]+\.sql$' >"$tmp/baseline" || true
if [ "$(wc -l <"$tmp/baseline")" -gt 1 ]; then
	echo "sql-files.sh: more than one baseline in $dir:" $(cat "$tmp/baseline") >&2
	exit 1
fi
base=$(cut -c2-4 "$tmp/baseline")
old=$(cut -c1-3 "$tmp/versioned" | awk -v b="${base:-0}" '$1 + 0 <= b + 0' | tr '\n' ' ')
if [ -n "$old" ]; then
	echo "sql-files.sh: migrations ${old}are not newer than the baseline" \
		"$(cat "$tmp/baseline"), which already holds what they made:" \
		"delete them, or number a new migration after it" >&2
	exit 1
fi

# the list without comments and blank lines
sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$list" >"$tmp/list"
twice=$(sort "$tmp/list" | uniq -d)
if [ -n "$twice" ]; then
	echo "sql-files.sh: $list names $twice more than once" >&2
	exit 1
fi
status=0
while read -r f; do
	case $f in
	functions/*.sql|views/*.sql) ;;
	*) echo "sql-files.sh: $list: $f is not functions/NAME.sql or views/NAME.sql" >&2
	   status=1; continue ;;
	esac
	[ -f "$dir/$f" ] || { echo "sql-files.sh: $list names $f, which does not exist" >&2; status=1; }
done <"$tmp/list"
for f in "$dir"/functions/*.sql "$dir"/views/*.sql; do
	[ -f "$f" ] || continue
	rel=${f#"$dir"/}
	grep -qxF "$rel" "$tmp/list" ||
		{ echo "sql-files.sh: $rel is not in $list: add it where it belongs in the order" >&2; status=1; }
done
[ $status -eq 0 ] || exit 1

sed "s|^|$dir/|" "$tmp/baseline"
sed "s|^|$dir/|" "$tmp/versioned"
sed "s|^|$dir/|" "$tmp/list"
[ ! -f "$dir/roles.sql" ] || echo "$dir/roles.sql"
