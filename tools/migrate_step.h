/*
 * migrate_step.h: what applying any one SQL file of `planq db migrate`
 * needs, whatever its kind (tools/migrate.c: the numbered migrations;
 * tools/migrate_repeat.c: the repeatable functions and views): its
 * checksum, running a statement, and running a file's text with a failure
 * reported by file name and line.
 */
#ifndef PLANQ_MIGRATE_STEP_H
#define PLANQ_MIGRATE_STEP_H

#include <libpq-fe.h>

#include "sql_embedded.h"

#define MIGRATE_WHO	"db migrate"

/* hex SHA-256 of one file's text: 64 digits + NUL */
struct migrate_sum {
	char	hex[65];
};

/* The file's checksum; 0, or -1 (reported) if no digest could be made. */
int	migrate_checksum(const struct sql_embedded *m, struct migrate_sum *sum);
/* Runs a statement whose rows are not needed; 0, or -1 after reporting
 * "planq db migrate: WHAT: error". */
int	migrate_exec(PGconn *conn, const char *sql, const char *what);
/* Runs a file's whole text; 0, or -1 after reporting "NAME.sql failed at
 * line N: error".  The caller rolls the transaction back. */
int	migrate_exec_file(PGconn *conn, const struct sql_embedded *m);
/* ROLLBACK, its result ignored: the session may already be lost. */
void	migrate_rollback(PGconn *conn);

#endif
