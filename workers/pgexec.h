/*
 * pgexec.h: one prepared statement with a deadline the client keeps.
 * PostgreSQL's statement_timeout bounds a statement but not its commit,
 * and a commit can wait for ever: for a synchronous standby that is gone,
 * or on a promoted standby that still names one in
 * synchronous_standby_names.  pgexec_prepared waits for the answer at most
 * timeout_ms, then asks the server to cancel and waits as long again.
 */
#ifndef PLANQ_PGEXEC_H
#define PLANQ_PGEXEC_H

#include <stdint.h>
#include <libpq-fe.h>

enum pgexec_end {
	PGEXEC_ANSWERED = 0,	/* the server answered within timeout_ms */
	PGEXEC_CANCELLED,	/* it answered only after a cancel request */
	PGEXEC_SILENT,		/* no answer even after the cancel request:
				 * the session is unusable, close it */
};

/*
 * Sends the prepared statement and collects its results: the first error
 * result, else the last result (the caller PQclears it).  Never NULL: a
 * failed send or a silent server gives an empty PGRES_FATAL_ERROR result.
 * A result that is not an error after PGEXEC_CANCELLED may be a commit the
 * server completed without the confirmation it was waiting for (the
 * server says "canceling wait for synchronous replication"): the caller
 * must not take it for a confirmed commit.
 */
PGresult *pgexec_prepared(PGconn *conn, const char *stmt, int nparams,
	    const char *const *values, const int *lengths, const int *formats,
	    int timeout_ms, enum pgexec_end *end);

/*
 * The same call in steps, for a caller that does other work meanwhile:
 *   pgexec_start   sends it (-1: it could not go out; finish says why)
 *   pgexec_poll    takes what has come without waiting: 1 when the whole
 *                  answer is in (the commit included: the server's
 *                  ReadyForQuery), the connection broke, or the deadline
 *                  passed; then pgexec_finish does not wait for a server
 *                  that answers
 *   pgexec_finish  waits as pgexec_prepared does (cancel at the deadline,
 *                  then as long again) and returns the same result
 *   pgexec_clear   drops a call that will not be finished
 */
struct pgexec {
	PGconn		*conn;
	int		 timeout_ms;
	int64_t		 deadline;
	enum pgexec_end	 end;
	PGresult	*kept;
	int		 finished;	/* the whole answer is in kept */
};

int	pgexec_start(struct pgexec *x, PGconn *conn, const char *stmt,
	    int nparams, const char *const *values, const int *lengths,
	    const int *formats, int timeout_ms);
int	pgexec_poll(struct pgexec *x);
PGresult *pgexec_finish(struct pgexec *x, enum pgexec_end *end);
void	pgexec_clear(struct pgexec *x);

#endif
