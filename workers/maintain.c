/*
 * analyze.c: the worker's calls of planq_analyze_stale() on a session of
 * their own (analyze.h).  Everything here is non-blocking: the connection
 * is made with PQconnectStartParams/PQconnectPoll, one step per turn of
 * the worker's loop, the call is sent with PQsendQuery and its answer
 * read once PQisBusy says it is all there.  A lost session is dropped and
 * made again when the next call is due; a refusal that time does not cure
 * (no such function, no permission) turns the calls off for this worker.
 */
#include <stdio.h>
#include <string.h>

#include "analyze.h"
#include "clock.h"
#include "log.h"

#define ANALYZE_WORKER_PREFIX "planq-worker"
/* $1: during a burst (only the tables that doubled: the function's
 * comment says why) */
#define ANALYZE_SQL \
	"SELECT table_name, rows_changed FROM planq_analyze_stale($1::boolean)"

void
analyze_init(struct analyze *a, const char *dsn, const char *appname)
{
	memset(a, 0, sizeof(*a));
	a->dsn = dsn;
	a->appname = appname;
}

void
analyze_stored(struct analyze *a, long n)
{
	if (n > 0)
		a->stored_ms = clock_ms();
}

static void
analyze_drop(struct analyze *a, const char *why)
{
	log_warnx("planner statistics: %s", why);
	a->retry_ms = clock_ms() + ANALYZE_BUSY_MS;
	PQfinish(a->conn);
	a->conn = NULL;
	a->connecting = 0;
	a->in_flight = 0;
}

/* Starts the session (libpq's DSN, read-write like the store's). */
static void
analyze_connect_start(struct analyze *a)
{
	const char *keys[] = { "dbname", "target_session_attrs",
	    "application_name", NULL };
	char name[64];
	const char *vals[] = { a->dsn, "read-write", name, NULL };

	/* "planq-analyze w0.1 pid=N" beside the worker's "planq-worker w0.1
	 * pid=N": its own name, so what counts the workers' sessions does not
	 * count it */
	if (strncmp(a->appname, ANALYZE_WORKER_PREFIX,
	    strlen(ANALYZE_WORKER_PREFIX)) == 0)
		snprintf(name, sizeof(name), "planq-analyze%.48s",
		    a->appname + strlen(ANALYZE_WORKER_PREFIX));
	else
		snprintf(name, sizeof(name), "planq-analyze %.48s", a->appname);
	a->conn = PQconnectStartParams(keys, vals, 1);
	if (a->conn == NULL || PQstatus(a->conn) == CONNECTION_BAD) {
		analyze_drop(a, a->conn ? PQerrorMessage(a->conn) :
		    "out of memory");
		return;
	}
	a->connecting = 2;	/* libpq: as if polling said WRITING */
}

/* One step of the connection; 1 once it is made. */
static int
analyze_connect_step(struct analyze *a)
{
	switch (PQconnectPoll(a->conn)) {
	case PGRES_POLLING_OK:
		a->connecting = 0;
		return 1;
	case PGRES_POLLING_FAILED:
		analyze_drop(a, PQerrorMessage(a->conn));
		return 0;
	case PGRES_POLLING_WRITING:
		a->connecting = 2;
		return 0;
	default:
		a->connecting = 1;
		return 0;
	}
}

static void
analyze_send(struct analyze *a, int during_burst)
{
	const char *param[1] = { during_burst ? "t" : "f" };

	if (PQsendQueryParams(a->conn, ANALYZE_SQL, 1, NULL, param, NULL, NULL,
	    0) != 1) {
		analyze_drop(a, PQerrorMessage(a->conn));
		return;
	}
	a->in_flight = 1;
	a->sent_ms = clock_ms();
}

/* The tables one answer names, logged on one line. */
static void
analyze_log(const PGresult *r)
{
	char line[512];
	size_t len = 0;
	int n = PQntuples(r);

	if (n == 0)
		return;
	line[0] = '\0';
	for (int i = 0; i < n && len < sizeof(line) - 1; i++) {
		int w = snprintf(line + len, sizeof(line) - len, "%s%s (%s)",
		    i > 0 ? ", " : "", PQgetvalue(r, i, 0),
		    PQgetvalue(r, i, 1));

		if (w < 0)
			break;
		len += (size_t)w;
	}
	log_info("planner statistics refreshed: ANALYZE of %s (rows changed "
	    "since the last)", line);
}

/* The answer of the call in flight, once it is all there. */
static void
analyze_take(struct analyze *a)
{
	PGresult *r;

	if (PQconsumeInput(a->conn) != 1) {
		analyze_drop(a, PQerrorMessage(a->conn));
		return;
	}
	if (PQisBusy(a->conn))
		return;
	while ((r = PQgetResult(a->conn)) != NULL) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

		if (PQresultStatus(r) == PGRES_TUPLES_OK)
			analyze_log(r);
		else if (state != NULL && (strcmp(state, "42883") == 0 ||
		    strcmp(state, "42501") == 0)) {
			/* undefined function, insufficient privilege */
			log_warnx("planner statistics: not refreshed by the "
			    "workers: %s", PQresultErrorMessage(r));
			a->off = 1;
		} else
			log_warnx("planner statistics: %s",
			    PQresultErrorMessage(r));
		PQclear(r);
	}
	a->in_flight = 0;
}

void
analyze_tick(struct analyze *a, int busy)
{
	int64_t now = clock_ms();
	int idle, unseen, due, during_burst;

	if (busy)
		a->busy_ms = now;
	idle = !busy && now - a->busy_ms >= ANALYZE_IDLE_MS;
	/* rows the last call may not have counted: stored after it was sent,
	 * or so shortly before that their statistics were not yet flushed */
	unseen = a->stored_ms > 0 &&
	    a->stored_ms + ANALYZE_STATS_DELAY_MS > a->sent_ms;
	due = unseen && now >= a->retry_ms &&
	    ((idle && a->stored_ms > a->sent_ms) ||
	    now - a->sent_ms >= ANALYZE_BUSY_MS);
	during_burst = now - a->busy_ms < ANALYZE_IDLE_MS;
	if (a->off)
		return;
	if (a->in_flight) {
		analyze_take(a);
		return;
	}
	if (a->connecting) {	/* once started, the connection goes on */
		if (!analyze_connect_step(a))
			return;
	} else if (!due)
		return;
	else if (a->conn == NULL) {
		analyze_connect_start(a);
		return;
	}
	if (PQstatus(a->conn) != CONNECTION_OK) {
		analyze_drop(a, "session lost");
		return;
	}
	analyze_send(a, during_burst);
}

int
analyze_socket(const struct analyze *a, int *writing)
{
	if (a->conn == NULL || (!a->connecting && !a->in_flight))
		return -1;
	*writing = a->connecting == 2;
	return PQsocket(a->conn);
}

void
analyze_close(struct analyze *a)
{
	PQfinish(a->conn);
	a->conn = NULL;
}
