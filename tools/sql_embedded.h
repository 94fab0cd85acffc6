/*
 * sql_embedded.h: the SQL files compiled into bin/planq.  The table itself
 * is generated at build time from the files in sql/ by mk/embed-sql.sh
 * (mk/sql.mk), in the order mk/sql-files.sh gives: the baseline, then the
 * numbered migrations in ascending order, then the repeatable files
 * (functions and views) in the order of sql/repeatable.list, then
 * roles.sql.
 */
#ifndef PLANQ_SQL_EMBEDDED_H
#define PLANQ_SQL_EMBEDDED_H

#include <stddef.h>

enum sql_kind {
	SQL_VERSIONED,		/* sql/NNN_name.sql: applied once, never edited */
	SQL_BASELINE,		/* sql/BNNN_name.sql: the schema as migrations
				 * up to NNN left it, applied once to an
				 * empty database only, never edited */
	SQL_REPEATABLE,		/* sql/functions/, sql/views/: applied again
				 * whenever its text changes */
	SQL_ROLES,		/* sql/roles.sql: `planq db roles` */
};

struct sql_embedded {
	enum sql_kind	 kind;
	int		 version;	/* NNN of NNN_name.sql or BNNN_name.sql;
					 * 0 otherwise */
	const char	*name;		/* "015_x", "B014_baseline",
					 * "views/plans_current",
					 * "roles": the path under sql/
					 * without .sql */
	const char	*text;		/* NUL-terminated file contents */
	size_t		 len;		/* bytes, without the NUL */
};

/* A list of SQL files in the order they are applied. */
struct sql_set {
	const struct sql_embedded *files;
	size_t		 count;
};

extern const struct sql_embedded sql_embedded[];
extern const size_t sql_embedded_count;

#endif
