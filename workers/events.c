/*
 * events.c: the worker's ring of retry answers not yet written to
 * ingest_events, and their writing once the database is back (events.h).
 */
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "log.h"

#define EVENTS_SQL "SELECT planq_record_event('retry', $1, $2)"

void
events_note_retry(struct events *ev, const char *source_url,
    const char *reason)
{
	struct event *e;

	if (ev->n == EVENTS_MAX) {	/* full: the oldest goes */
		ev->first = (ev->first + 1) % EVENTS_MAX;
		ev->n--;
		ev->dropped++;
	}
	e = &ev->ring[(ev->first + ev->n) % EVENTS_MAX];
	snprintf(e->source_url, sizeof(e->source_url), "%s",
	    source_url != NULL ? source_url : "");
	snprintf(e->reason, sizeof(e->reason), "%s",
	    reason != NULL ? reason : "");
	ev->n++;
}

/* One event, autocommitted; 0 when written. */
static int
events_write_one(PGconn *conn, const struct event *e)
{
	const char *values[2] = {
		e->source_url[0] != '\0' ? e->source_url : NULL, e->reason
	};
	PGresult *r = PQexecParams(conn, EVENTS_SQL, 2, NULL, values, NULL,
	    NULL, 0);
	int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : -1;

	if (rc != 0)
		log_warnx("cannot record a retry event: %s",
		    PQresultErrorMessage(r));
	PQclear(r);
	return rc;
}

int
events_write(struct events *ev, PGconn *conn)
{
	int written = 0;

	while (ev->n > 0 && events_write_one(conn, &ev->ring[ev->first]) == 0) {
		ev->first = (ev->first + 1) % EVENTS_MAX;
		ev->n--;
		written++;
	}
	if (written > 0)
		log_info("recorded %d retry answer%s of the outage in "
		    "ingest_events%s", written, written == 1 ? "" : "s",
		    ev->dropped > 0 ? " (older ones were not kept)" : "");
	if (ev->n == 0)
		ev->dropped = 0;
	return written;
}
