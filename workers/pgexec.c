/*
 * pgexec.c: a prepared statement with a client-side deadline (pgexec.h).
 * In the extended protocol the implicit transaction commits when the
 * server processes Sync, after the statement's rows have been sent and
 * after statement_timeout has been switched off; a commit that waits for
 * a synchronous standby therefore outlives any statement_timeout (and the
 * server holds its interrupts, so not even a vanished client ends the
 * wait).  The worker sends the statement asynchronously, polls its socket
 * until timeout_ms, then sends a cancel request (PQcancel, a separate
 * connection) and waits as long again.  libpq's own parts are unchanged:
 * the caller's connection, its prepared statements, its error messages.
 * The same call in steps (pgexec_start, pgexec_poll, pgexec_finish) lets
 * the worker parse its next batch while the server works on this one.
 * PQcancel blocks while it connects: a server host that does not answer
 * at all holds the worker there, and planqd's bound on a worker waiting
 * for the database (2 x (db_timeout + db_retry_seconds) + 10 s) ends it.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>

#include "clock.h"
#include "log.h"
#include "pgexec.h"

/*
 * Waits until libpq has a whole result (or the connection failed: then
 * PQgetResult reports it).  1: ready, 0: deadline passed.
 */
static int
pgexec_wait(PGconn *conn, int64_t deadline)
{
	while (PQisBusy(conn)) {
		int64_t left = deadline - clock_ms();
		struct pollfd pfd = { PQsocket(conn), POLLIN, 0 };
		int rc;

		if (pfd.fd < 0)
			return 1;
		if (left <= 0)
			return 0;
		rc = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0)
			continue;	/* the deadline check above ends it */
		if (rc < 0 || !PQconsumeInput(conn))
			return 1;
	}
	return 1;
}

/* Asks the server to cancel what the session is doing. */
static void
pgexec_cancel(PGconn *conn)
{
	PGcancel *cancel = PQgetCancel(conn);
	char err[256];

	if (cancel == NULL) {
		log_warnx("cannot cancel the statement: no cancel key");
		return;
	}
	if (!PQcancel(cancel, err, sizeof(err)))
		log_warnx("cannot cancel the statement: %s", err);
	PQfreeCancel(cancel);
}

static int
pgexec_is_error(const PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);

	return st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK;
}

/* Keeps the first error result, else the last result. */
static PGresult *
pgexec_keep(PGresult *kept, PGresult *r)
{
	if (kept != NULL && pgexec_is_error(kept)) {
		PQclear(r);
		return kept;
	}
	PQclear(kept);
	return r;
}

int
pgexec_start(struct pgexec *x, PGconn *conn, const char *stmt, int nparams,
    const char *const *values, const int *lengths, const int *formats,
    int timeout_ms)
{
	x->conn = conn;
	x->timeout_ms = timeout_ms;
	x->deadline = clock_ms() + timeout_ms;
	x->end = PGEXEC_ANSWERED;
	x->kept = NULL;
	x->finished = 0;
	if (!PQsendQueryPrepared(conn, stmt, nparams, values, lengths, formats,
	    0)) {
		x->kept = PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
		x->finished = 1;
		return -1;
	}
	return 0;
}

int
pgexec_poll(struct pgexec *x)
{
	PGresult *r;

	if (x->finished)
		return 1;
	/* a broken connection: pgexec_finish hears it from PQgetResult */
	if (PQsocket(x->conn) < 0 || !PQconsumeInput(x->conn))
		return 1;
	while (!PQisBusy(x->conn)) {
		if ((r = PQgetResult(x->conn)) == NULL) {
			x->finished = 1;
			return 1;
		}
		x->kept = pgexec_keep(x->kept, r);
	}
	return clock_ms() >= x->deadline;	/* finish: cancel it */
}

PGresult *
pgexec_finish(struct pgexec *x, enum pgexec_end *end)
{
	PGresult *r;

	while (!x->finished) {
		if (!pgexec_wait(x->conn, x->deadline)) {
			if (x->end == PGEXEC_CANCELLED) {
				x->end = PGEXEC_SILENT;
				PQclear(x->kept);
				x->kept = NULL;
				break;
			}
			pgexec_cancel(x->conn);
			x->end = PGEXEC_CANCELLED;
			x->deadline = clock_ms() + x->timeout_ms;
			continue;
		}
		if ((r = PQgetResult(x->conn)) == NULL)
			break;
		x->kept = pgexec_keep(x->kept, r);
	}
	x->finished = 1;
	*end = x->end;
	r = x->kept != NULL ? x->kept : PQmakeEmptyPGresult(x->conn,
	    PGRES_FATAL_ERROR);
	x->kept = NULL;
	return r;
}

void
pgexec_clear(struct pgexec *x)
{
	PQclear(x->kept);
	x->kept = NULL;
}

PGresult *
pgexec_prepared(PGconn *conn, const char *stmt, int nparams,
    const char *const *values, const int *lengths, const int *formats,
    int timeout_ms, enum pgexec_end *end)
{
	struct pgexec x;

	(void)pgexec_start(&x, conn, stmt, nparams, values, lengths, formats,
	    timeout_ms);
	return pgexec_finish(&x, end);
}
