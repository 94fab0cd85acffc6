/*
 * migrate.h: applies the SQL migrations embedded in bin/planq
 * (sql_embedded.h) to a database, once each and in order, and reports
 * the schema version.  Output (what was applied) goes to `out`.
 */
#ifndef PLANQ_MIGRATE_H
#define PLANQ_MIGRATE_H

#include <stdio.h>
#include <libpq-fe.h>

/* Highest migration version this binary carries. */
int	migrate_latest(void);

/* Applies pending migrations under an advisory lock, each in its own
 * transaction.  Returns 0 on success (also when nothing was pending), -1
 * after printing what went wrong to stderr. */
int	migrate_run(PGconn *conn, FILE *out);

/* Stores the database's schema version in *version (0: never migrated).
 * Returns 0, or -1 after printing the error. */
int	migrate_db_version(PGconn *conn, int *version);

/* Applies the embedded sql/roles.sql in one transaction.  0 or -1. */
int	migrate_roles(PGconn *conn, FILE *out);

#endif
