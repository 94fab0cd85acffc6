#!/bin/sh
# mk/orgs-sql.sh: parse/orgs.tsv -> the SQL statements that make the table
# orgs (sql/B014_baseline.sql) hold exactly the list: an upsert of
# every row and a delete of the names no longer listed.  A migration that
# changes the list is this script's output (see docs/SCHEMA.md);
# tests/integration/test_sql_quality.sh fails while the table and the list
# differ.  Refuses what mk/orgs-table.sh refuses (its checks run first).
# usage: sh mk/orgs-sql.sh parse/orgs.tsv > statements.sql
set -eu
[ $# -eq 1 ] || { echo "usage: orgs-sql.sh parse/orgs.tsv" >&2; exit 2; }
sh "$(dirname "$0")/orgs-table.sh" "$1" >/dev/null
awk -F '\t' '
function lit(s) { gsub(/\047/, "\047\047", s); return "\047" s "\047" }
function opt(s) { return s == "-" ? "NULL" : lit(s) }
function arr(s) {
	if (s == "-") return "\047{}\047"
	return "string_to_array(" lit(s) ", \047,\047)"
}
/^#/ || /^[ \t]*$/ { next }
{
	row[++n] = sprintf("(%s, %s, %s, %s, %s)", lit($1), opt($2), lit($3),
	    arr($4), opt($5))
	names[n] = lit($1)
}
END {
	print "INSERT INTO orgs (name, kind, category, aliases, note) VALUES"
	for (i = 1; i <= n; i++)
		printf "\t%s%s\n", row[i], i < n ? "," : ""
	print "ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind,"
	print "\tcategory = EXCLUDED.category, aliases = EXCLUDED.aliases,"
	print "\tnote = EXCLUDED.note;"
	print "DELETE FROM orgs WHERE name NOT IN ("
	for (i = 1; i <= n; i++)
		printf "\t%s%s\n", names[i], i < n ? "," : ");"
}' "$1"
