/*
 * dbconn.h: how planq's database subcommands find and open PostgreSQL:
 * --db DSN, else $PLANQ_DB, else libpq's own PGHOST/PGPORT/… defaults.
 */
#ifndef PLANQ_DBCONN_H
#define PLANQ_DBCONN_H

#include <libpq-fe.h>

/* If argv[*i] is --db DSN or --db=DSN: sets *dsn, moves *i past the
 * option's last word and returns 1; otherwise returns 0. */
int	 dbconn_option(int argc, char **argv, int *i, const char **dsn);

/* The DSN to use: opt if given, else $PLANQ_DB, else "" (libpq defaults). */
const char *dbconn_dsn(const char *opt);

/* Connects; on failure prints "planq WHO: …" to stderr and returns NULL.
 * The caller owns the connection (PQfinish).  Any server the DSN names
 * will do (libpq's target_session_attrs, default any). */
PGconn	*dbconn_open(const char *dsn, const char *who);
/* The same, for commands that write: a read-write session, whatever the
 * DSN says, on the first of its hosts that is a primary. */
PGconn	*dbconn_open_primary(const char *dsn, const char *who);

/* Prints "planq WHO: WHAT: <server message>" for a failed result. */
void	 dbconn_report(const char *who, const char *what, const PGresult *res,
	    PGconn *conn);

#endif
