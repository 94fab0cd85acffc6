/*
 * migrate.h: applies a set of SQL files (normally those embedded in
 * bin/planq: sql_embedded.h) to a database and reports the schema version.
 * An empty database gets the set's baseline (the schema at its version),
 * if it has one; the numbered migrations are applied once each and in
 * order; then the repeatable functions and views (tools/migrate_repeat.c)
 * that are new or changed.  Output (what was applied) goes to `out`.
 */
#ifndef PLANQ_MIGRATE_H
#define PLANQ_MIGRATE_H

#include <stdio.h>
#include <libpq-fe.h>

#include "sql_embedded.h"

/* Highest migration version a set carries. */
int	migrate_latest(const struct sql_set *set);

/* Applies pending migrations, then new or changed repeatable files, under
 * an advisory lock, each in its own transaction.  Returns 0 on success
 * (also when nothing was pending), -1 after printing what went wrong to
 * stderr. */
int	migrate_run(PGconn *conn, const struct sql_set *set, FILE *out);

/* Stores the database's schema version in *version (0: never migrated).
 * Returns 0, or -1 after printing the error. */
int	migrate_db_version(PGconn *conn, int *version);

/* Applies the set's roles.sql in one transaction.  0 or -1. */
int	migrate_roles(PGconn *conn, const struct sql_set *set, FILE *out);

#endif
