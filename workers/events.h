/*
 * events.h: the documents a worker answered `retry` because the database
 * was away, kept until it is back and then written as ingest_events rows
 * (kind 'retry', through planq_record_event()), so that the
 * ingest_outcomes report counts retries per hour and source host.
 *
 * Best effort by design: at most EVENTS_MAX are kept (older ones are
 * dropped and the drop is logged), and a worker that dies loses what it
 * kept.  planqd's /metrics count every retry exactly; this table is for
 * reports by source host.
 */
#ifndef PLANQ_EVENTS_H
#define PLANQ_EVENTS_H

#include <libpq-fe.h>

#define EVENTS_MAX	256
#define EVENTS_URL_MAX	512
#define EVENTS_TEXT_MAX	256

struct event {
	char	source_url[EVENTS_URL_MAX];	/* "" when the envelope had none */
	char	reason[EVENTS_TEXT_MAX];
};

/* A ring of the newest EVENTS_MAX events not yet written. */
struct events {
	struct event	ring[EVENTS_MAX];
	int		first;		/* oldest kept */
	int		n;		/* kept */
	long		dropped;	/* not kept since the last write */
};

/* Keeps one retry answer (source_url may be NULL). */
void	events_note_retry(struct events *ev, const char *source_url,
	    const char *reason);
/*
 * Writes what is kept on conn, a session outside any transaction, one
 * autocommitted call each; what could not be written stays kept.
 * Returns the number written.
 */
int	events_write(struct events *ev, PGconn *conn);

#endif
