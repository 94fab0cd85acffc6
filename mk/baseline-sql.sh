#!/bin/sh
# mk/baseline-sql.sh: `pg_dump --schema-only` of a database -> the body of
# a baseline migration (sql/B014_baseline.sql): its tables, types, identity
# sequences, constraints, indexes and comments, the extension, and of its
# functions only those named on the command line (the ones whose values are
# stored: a generated column, an index); not the views, the other
# functions, the trigger or the privileges (sql/functions/, sql/views/ and
# sql/roles.sql make those), nor planq_migrations and planq_repeatables
# (`planq db migrate` makes those).  pg_dump's own settings and comments
# are dropped and names are left unqualified: the file runs as the
# numbered migrations did.  The rows of tables that ship with data (orgs)
# are dumped separately (docs/SCHEMA.md: "The baseline").
# usage: pg_dump --schema-only --no-owner --no-privileges DB |
#        sh mk/baseline-sql.sh FUNCTION... > body.sql
set -eu
awk -v keepfn=" $* " '
/^-- Name: / {
	name = $0; sub(/^-- Name: /, "", name); sub(/; Type: .*/, "", name)
	type = $0; sub(/.*; Type: /, "", type); sub(/;.*/, "", type)
	split(name, w, " ")
	keep = 1
	if (type == "VIEW" || type == "TRIGGER" || type == "ACL")
		keep = 0
	else if (type == "FUNCTION") {
		fn = name; sub(/\(.*/, "", fn)
		keep = index(keepfn, " " fn " ") > 0
	} else if (type == "COMMENT")
		keep = w[1] == "TABLE" || w[1] == "COLUMN"
	if (name ~ /(^| )planq_(migrations|repeatables)( |$|_)/)
		keep = 0
	skip = 1	# the "--" lines of the entry header
	next
}
/^--/ && skip { next }
/^SET / || /^SELECT pg_catalog\.set_config/ || /^\\(un)?restrict / { next }
/^--/ { next }
{ skip = 0 }
keep { gsub(/public\./, ""); print }
' | cat -s
