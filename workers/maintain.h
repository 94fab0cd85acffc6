/*
 * analyze.h: the planner's statistics refreshed after a burst of ingest
 * (sql/functions/planq_analyze_stale.sql, docs/OPERATIONS.md "Planner
 * statistics").  A worker that stored documents calls
 * planq_analyze_stale() on a second database session of its own: when it
 * has had no batch for ANALYZE_IDLE_MS (the burst is over), and every
 * ANALYZE_BUSY_MS while batches keep coming (then only for the tables that
 * doubled: planq_analyze_stale(true)) or their counts may not all have
 * been seen.  The call is sent without
 * waiting and its answer taken at a later turn of the worker's loop, so
 * it never stands between a batch and its reply; the function itself lets
 * one caller at a time work, the others return at once.
 */
#ifndef PLANQ_ANALYZE_H
#define PLANQ_ANALYZE_H

#include <stdint.h>
#include <libpq-fe.h>

#define ANALYZE_BUSY_MS	10000	/* while batches keep coming */
#define ANALYZE_IDLE_MS	1000	/* no batch for this long: the burst is over */
/*
 * A backend's counts of changed rows reach pg_stat_user_tables when its
 * session goes idle, but at most once a second: counts held back are
 * flushed 10 s later (PostgreSQL's PGSTAT_IDLE_INTERVAL).  So after the
 * call made when the burst is over, one more, ANALYZE_BUSY_MS later, sees
 * the last batches' rows.
 */
#define ANALYZE_STATS_DELAY_MS	11000

struct analyze {
	PGconn		*conn;		/* the second session; NULL: none yet */
	const char	*dsn;		/* borrowed (the store's) */
	const char	*appname;	/* borrowed */
	int64_t		 stored_ms;	/* when documents were last stored */
	int64_t		 sent_ms;	/* when the last call was sent */
	int64_t		 busy_ms;	/* when the worker last had a batch */
	int64_t		 retry_ms;	/* a lost session: not before this */
	int		 connecting;	/* conn is being connected: 1 waits
					 * to read, 2 to write */
	int		 in_flight;	/* a call awaits its answer */
	int		 off;		/* refused for good (old schema, no
					 * grant): not tried again */
};

void	analyze_init(struct analyze *a, const char *dsn, const char *appname);
/* n documents were stored (committed). */
void	analyze_stored(struct analyze *a, long n);
/*
 * One turn of the worker's loop, never waiting: takes a call's answer if
 * it came, moves a connection on, or sends a call when one is due (busy:
 * the worker has a batch in hand; idle is ANALYZE_IDLE_MS without one).
 */
void	analyze_tick(struct analyze *a, int busy);
/* The session's socket, to poll for reading (or for writing when
 * *writing is 1); -1 when there is nothing to wait for. */
int	analyze_socket(const struct analyze *a, int *writing);
void	analyze_close(struct analyze *a);

#endif
