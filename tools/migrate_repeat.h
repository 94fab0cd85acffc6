/*
 * migrate_repeat.h: the repeatable half of `planq db migrate`: each
 * function and view of sql/functions/ and sql/views/ is applied again
 * whenever its text changes (the way Flyway's repeatable migrations work),
 * after every numbered migration, in the order of sql/repeatable.list.
 */
#ifndef PLANQ_MIGRATE_REPEAT_H
#define PLANQ_MIGRATE_REPEAT_H

#include <stdio.h>
#include <libpq-fe.h>

#include "sql_embedded.h"

/*
 * Applies the set's repeatable files that are new, changed (checksum), or
 * whose object is missing, in the set's order; each in one transaction
 * together with the functions and views that depend on its object, and
 * recorded in planq_repeatables(name, checksum, applied_at).  Adds the
 * files applied to *applied.  0, or -1 after saying which file failed (its
 * transaction rolled back).  Call with the migration lock held.
 */
int	migrate_repeatables(PGconn *conn, const struct sql_set *set, FILE *out,
	    int *applied);

#endif
