#!/bin/sh
# mk/orgs-table.sh: parse/orgs.tsv -> the C table the parser matches
# organisation names against (parse/org.h's org_table).  Refuses a row with
# the wrong number of columns, an unknown kind or category, a duplicate
# name, or a character that would need escaping in C.
# usage: sh mk/orgs-table.sh parse/orgs.tsv > orgs_table.c
set -eu
awk -F '\t' '
BEGIN {
	kinds["ward"] = kinds["bureau"] = kinds["-"] = 1
	cats["ward"] = cats["bureau"] = cats["office"] = 1
	cats["secretariat"] = cats["other"] = 1
	print "/* generated from parse/orgs.tsv by mk/orgs-table.sh: do not edit */"
	print "#include <stddef.h>"
	print ""
	print "#include \"org.h\""
	print ""
	print "const struct org_entry org_table[] = {"
}
function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	bad = 1
	exit 1
}
/^#/ || /^[ \t]*$/ { next }
{
	if (NF != 5) fail("want 5 tab-separated columns, got " NF)
	if (!($2 in kinds)) fail("unknown kind " $2)
	if (!($3 in cats)) fail("unknown category " $3)
	if ($0 ~ /["\\]/) fail("quote or backslash")
	if ($1 in seen) fail("duplicate name " $1)
	seen[$1] = 1
	kind = $2 == "-" ? "NULL" : "\"" $2 "\""
	alias = $4 == "-" ? "NULL" : "\"" $4 "\""
	printf "\t{ \"%s\", %s, \"%s\", %s },\n", $1, kind, $3, alias
	n++
}
END {
	if (bad) exit 1
	if (n == 0) { print "no rows" > "/dev/stderr"; exit 1 }
	print "};"
	print ""
	printf "const size_t org_table_len = %d;\n", n
}' "$1"
