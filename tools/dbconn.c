/*
 * dbconn.c: opens the database for planq's subcommands (db, report,
 * reparse) and reports libpq errors in one consistent shape.  The DSN may
 * name several hosts (host=a,b port=…): libpq tries them in turn.  The
 * commands that write ask for a read-write session, so they reach
 * whichever host is the primary; `planq report` takes any server, a hot
 * standby too, and makes its own session read-only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbconn.h"

int
dbconn_option(int argc, char **argv, int *i, const char **dsn)
{
	if (strcmp(argv[*i], "--db") == 0 && *i + 1 < argc) {
		*dsn = argv[++*i];
		return 1;
	}
	if (strncmp(argv[*i], "--db=", 5) == 0) {
		*dsn = argv[*i] + 5;
		return 1;
	}
	return 0;
}

const char *
dbconn_dsn(const char *opt)
{
	const char *env;

	if (opt != NULL)
		return opt;
	env = getenv("PLANQ_DB");
	return env != NULL ? env : "";
}

/* target_session_attrs comes after the DSN, so it wins over the DSN's */
static PGconn *
dbconn_connect(const char *dsn, const char *session_attrs)
{
	const char *const keys[] = { "dbname", "fallback_application_name",
	    "target_session_attrs", NULL };
	const char *const vals[] = { dsn, "planq", session_attrs, NULL };

	return PQconnectdbParams(keys, vals, 1);
}

static PGconn *
dbconn_open_as(const char *dsn, const char *who, const char *session_attrs)
{
	PGconn *conn = dbconn_connect(dsn, session_attrs);

	if (conn == NULL) {
		fprintf(stderr, "planq %s: out of memory connecting to the database\n", who);
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "planq %s: cannot connect to the database: %s"
		    "(give a DSN with --db or PLANQ_DB, or set PGHOST/PGPORT/PGUSER)\n",
		    who, PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

PGconn *
dbconn_open(const char *dsn, const char *who)
{
	return dbconn_open_as(dsn, who, NULL);
}

PGconn *
dbconn_open_primary(const char *dsn, const char *who)
{
	return dbconn_open_as(dsn, who, "read-write");
}

void
dbconn_report(const char *who, const char *what, const PGresult *res,
    PGconn *conn)
{
	const char *msg = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;

	if (msg == NULL) {
		fprintf(stderr, "planq %s: %s: %s", who, what, PQerrorMessage(conn));
		return;
	}
	fprintf(stderr, "planq %s: %s: %s\n", who, what, msg);
	if (detail != NULL)
		fprintf(stderr, "  detail: %s\n", detail);
	if (hint != NULL)
		fprintf(stderr, "  hint: %s\n", hint);
}
