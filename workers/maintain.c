/*
 * maintain.c: the worker's maintenance calls, planq_analyze_stale() and
 * planq_store_plan_changes(), on a session of their own (maintain.h says
 * when each is made).  Everything here is non-blocking: the connection
 * is made with PQconnectStartParams/PQconnectPoll, one step per turn of
 * the worker's loop, a call is sent with PQsendQuery and its answer read
 * once PQisBusy says it is all there.  A lost session is dropped and made
 * again when the next call is due; a refusal that time does not cure (no
 * such function, no permission) turns that call off for this worker.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "maintain.h"

#define MAINTAIN_WORKER_PREFIX "planq-worker"
/* $1: during a burst (only the tables that doubled: the function's
 * comment says why) */
#define ANALYZE_SQL \
	"SELECT table_name, rows_changed FROM planq_analyze_stale($1::boolean)"
/* a few organisations' pairs a call (the function's comment says why) */
#define CHANGES_SQL \
	"SELECT pairs_stored, orgs_left FROM planq_store_plan_changes()"

static void	maintain_connect_start(struct maintain *m);
static int	maintain_connect_step(struct maintain *m);

void
maintain_init(struct maintain *m, const char *dsn, const char *appname)
{
	memset(m, 0, sizeof(*m));
	m->dsn = dsn;
	m->appname = appname;
	/* while batches keep coming, the first statistics call comes
	 * MAINTAIN_BUSY_MS after the start, not with the first batch */
	m->sent_ms = clock_ms();
	/* pairs a stopped planqd's workers left, or `planq reparse` made:
	 * looked for once idle, as after a burst; the start counts as busy,
	 * so a worker that gets batches at once (a restart under load, the
	 * bench's phases) leaves them until its burst is over */
	m->changes_due = 1;
	m->busy_ms = m->sent_ms;
}

void
maintain_open(struct maintain *m, int timeout_ms)
{
	int64_t deadline = clock_ms() + timeout_ms;

	maintain_connect_start(m);
	while (m->connecting && clock_ms() < deadline) {
		struct pollfd p = { PQsocket(m->conn),
		    m->connecting == 2 ? POLLOUT : POLLIN, 0 };

		if (poll(&p, 1, (int)(deadline - clock_ms())) < 0 &&
		    errno != EINTR)
			break;
		if (maintain_connect_step(m))
			break;
	}
	/* not made in time: the loop's turns go on with it */
}

void
maintain_stored(struct maintain *m, long n)
{
	if (n > 0) {
		m->stored_ms = clock_ms();
		m->changes_due = 1;	/* new plans may have new pairs */
	}
}

static void
maintain_drop(struct maintain *m, const char *why)
{
	log_warnx("maintenance session: %s", why);
	m->retry_ms = clock_ms() + MAINTAIN_BUSY_MS;
	PQfinish(m->conn);
	m->conn = NULL;
	m->connecting = 0;
	m->in_flight = MAINTAIN_NONE;
}

/* Starts the session (libpq's DSN, read-write like the store's). */
static void
maintain_connect_start(struct maintain *m)
{
	const char *keys[] = { "dbname", "target_session_attrs",
	    "application_name", NULL };
	char name[64];
	const char *vals[] = { m->dsn, "read-write", name, NULL };

	/* "planq-maintain w0.1 pid=N" beside the worker's "planq-worker
	 * w0.1 pid=N": its own name, so what counts the workers' sessions
	 * does not count it */
	if (strncmp(m->appname, MAINTAIN_WORKER_PREFIX,
	    strlen(MAINTAIN_WORKER_PREFIX)) == 0)
		snprintf(name, sizeof(name), "planq-maintain%.48s",
		    m->appname + strlen(MAINTAIN_WORKER_PREFIX));
	else
		snprintf(name, sizeof(name), "planq-maintain %.48s",
		    m->appname);
	m->conn = PQconnectStartParams(keys, vals, 1);
	if (m->conn == NULL || PQstatus(m->conn) == CONNECTION_BAD) {
		maintain_drop(m, m->conn ? PQerrorMessage(m->conn) :
		    "out of memory");
		return;
	}
	m->connecting = 2;	/* libpq: as if polling said WRITING */
}

/* One step of the connection; 1 once it is made. */
static int
maintain_connect_step(struct maintain *m)
{
	switch (PQconnectPoll(m->conn)) {
	case PGRES_POLLING_OK:
		m->connecting = 0;
		return 1;
	case PGRES_POLLING_FAILED:
		maintain_drop(m, PQerrorMessage(m->conn));
		return 0;
	case PGRES_POLLING_WRITING:
		m->connecting = 2;
		return 0;
	default:
		m->connecting = 1;
		return 0;
	}
}

/* The call due now, if any (idle: the burst is over). */
static enum maintain_call
maintain_due(const struct maintain *m, int64_t now, int idle)
{
	/* rows the last statistics call may not have counted: stored after
	 * it was sent, or so shortly before that their statistics were not
	 * yet flushed */
	int unseen = m->stored_ms > 0 &&
	    m->stored_ms + MAINTAIN_STATS_DELAY_MS > m->sent_ms;

	if (now < m->retry_ms)
		return MAINTAIN_NONE;
	if (!m->analyze_off && unseen &&
	    ((idle && m->stored_ms > m->sent_ms) ||
	    now - m->sent_ms >= MAINTAIN_BUSY_MS))
		return MAINTAIN_ANALYZE;
	if (!m->changes_off && m->changes_due && idle)
		return MAINTAIN_CHANGES;
	return MAINTAIN_NONE;
}

static void
maintain_send(struct maintain *m, enum maintain_call call, int during_burst)
{
	const char *param[1] = { during_burst ? "t" : "f" };
	int ok;

	if (call == MAINTAIN_ANALYZE) {
		ok = PQsendQueryParams(m->conn, ANALYZE_SQL, 1, NULL, param,
		    NULL, NULL, 0);
		m->sent_ms = clock_ms();
	} else
		ok = PQsendQuery(m->conn, CHANGES_SQL);
	if (ok != 1) {
		maintain_drop(m, PQerrorMessage(m->conn));
		return;
	}
	m->in_flight = call;
}

/* The tables one statistics answer names, logged on one line. */
static void
maintain_log_analyzed(const PGresult *r)
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

/*
 * One answer of planq_store_plan_changes(): goes on while organisations
 * are left; stops when none are, or when another caller holds the
 * function (orgs_left NULL: that one goes on).  The end of a pass that
 * stored pairs is logged, and counts as stored rows for the statistics.
 */
static void
maintain_changes_answered(struct maintain *m, const PGresult *r)
{
	long long stored, left;

	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 1)) {
		m->changes_due = 0;
		return;
	}
	stored = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	left = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	m->changes_stored += stored;
	if (left > 0)
		return;
	m->changes_due = 0;
	if (m->changes_stored > 0) {
		log_info("plan changes stored for %lld pairs of plan versions",
		    m->changes_stored);
		m->stored_ms = clock_ms();
	}
	m->changes_stored = 0;
}

/* A refusal that time does not cure (undefined function, insufficient
 * privilege: an old schema, no grant) turns the call off. */
static void
maintain_refused(struct maintain *m, enum maintain_call call,
    const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	int for_good = state != NULL && (strcmp(state, "42883") == 0 ||
	    strcmp(state, "42501") == 0);
	const char *what = call == MAINTAIN_ANALYZE ?
	    "planner statistics" : "plan changes";

	if (for_good)
		log_warnx("%s: not kept by the workers: %s", what,
		    PQresultErrorMessage(r));
	else
		log_warnx("%s: %s", what, PQresultErrorMessage(r));
	if (call == MAINTAIN_ANALYZE)
		m->analyze_off |= for_good;
	else {
		m->changes_off |= for_good;
		m->changes_due = 0;	/* again after the next burst */
		m->changes_stored = 0;
	}
}

/* The answer of the call in flight, once it is all there. */
static void
maintain_take(struct maintain *m)
{
	enum maintain_call call = m->in_flight;
	PGresult *r;

	if (PQconsumeInput(m->conn) != 1) {
		maintain_drop(m, PQerrorMessage(m->conn));
		return;
	}
	if (PQisBusy(m->conn))
		return;
	while ((r = PQgetResult(m->conn)) != NULL) {
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			maintain_refused(m, call, r);
		else if (call == MAINTAIN_ANALYZE)
			maintain_log_analyzed(r);
		else
			maintain_changes_answered(m, r);
		PQclear(r);
	}
	m->in_flight = MAINTAIN_NONE;
}

void
maintain_tick(struct maintain *m, int busy)
{
	int64_t now = clock_ms();
	enum maintain_call call;
	int idle;

	if (busy)
		m->busy_ms = now;
	idle = !busy && now - m->busy_ms >= MAINTAIN_IDLE_MS;
	if (m->in_flight != MAINTAIN_NONE) {
		maintain_take(m);
		return;
	}
	call = maintain_due(m, now, idle);
	if (m->connecting) {	/* once started, the connection goes on */
		if (!maintain_connect_step(m))
			return;
	} else if (call == MAINTAIN_NONE)
		return;
	else if (m->conn == NULL) {
		maintain_connect_start(m);
		return;
	}
	if (PQstatus(m->conn) != CONNECTION_OK) {
		maintain_drop(m, "session lost");
		return;
	}
	if (call != MAINTAIN_NONE)
		maintain_send(m, call, !idle);
}

int
maintain_socket(const struct maintain *m, int *writing)
{
	if (m->conn == NULL || (!m->connecting &&
	    m->in_flight == MAINTAIN_NONE))
		return -1;
	*writing = m->connecting == 2;
	return PQsocket(m->conn);
}

void
maintain_close(struct maintain *m)
{
	if (m->conn != NULL && m->in_flight != MAINTAIN_NONE) {
		/* a statement left running would go on after the worker */
		PGcancel *c = PQgetCancel(m->conn);
		char why[256];

		if (c != NULL && PQcancel(c, why, sizeof(why)) != 1)
			log_warnx("maintenance session: cancel: %s", why);
		PQfreeCancel(c);
	}
	PQfinish(m->conn);
	m->conn = NULL;
}
