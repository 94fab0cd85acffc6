/*
 * sql_embedded.h: the SQL files compiled into bin/planq.  The table itself
 * is generated at build time from the files in sql/ by mk/embed-sql.sh (mk/sql.mk);
 * migrations have version > 0 and come in ascending order, roles.sql is 0.
 */
#ifndef PLANQ_SQL_EMBEDDED_H
#define PLANQ_SQL_EMBEDDED_H

#include <stddef.h>

struct sql_embedded {
	int		 version;	/* NNN of NNN_name.sql; 0 if unnumbered */
	const char	*name;		/* file name without .sql */
	const char	*text;		/* NUL-terminated file contents */
	size_t		 len;		/* bytes, without the NUL */
};

extern const struct sql_embedded sql_embedded[];
extern const size_t sql_embedded_count;

#endif
