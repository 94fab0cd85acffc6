/*
 * maintain.h: the worker's maintenance calls, made on a second database
 * session of its own so that they never stand between a batch and its
 * reply:
 *  - the planner's statistics refreshed after a burst of ingest
 *    (sql/functions/planq_analyze_stale.sql, docs/OPERATIONS.md "Planner
 *    statistics"): when the worker has had no batch for MAINTAIN_IDLE_MS
 *    (the burst is over), and every MAINTAIN_BUSY_MS while batches keep
 *    coming (then only for the tables that doubled:
 *    planq_analyze_stale(true)) or their counts may not all have been
 *    seen;
 *  - the rows of plan_changes stored for the pairs of plan versions not
 *    stored yet (sql/functions/planq_store_plan_changes.sql,
 *    docs/REPORTING.md "plan_changes"): once idle after the worker's
 *    start and after each burst, again and again while the worker stays
 *    idle and the function says organisations are left; never during a
 *    burst, whose cores go to ingest (a read of the view diffs what is
 *    not stored).
 * A call is sent without waiting and its answer taken at a later turn of
 * the worker's loop; each function lets one caller at a time work, the
 * others return at once.
 */
#ifndef PLANQ_MAINTAIN_H
#define PLANQ_MAINTAIN_H

#include <stdint.h>
#include <libpq-fe.h>

#define MAINTAIN_BUSY_MS	10000	/* while batches keep coming */
#define MAINTAIN_IDLE_MS	1000	/* no batch for this long: the burst is over */
/*
 * A backend's counts of changed rows reach pg_stat_user_tables when its
 * session goes idle, but at most once a second: counts held back are
 * flushed 10 s later (PostgreSQL's PGSTAT_IDLE_INTERVAL).  So after the
 * call made when the burst is over, one more, MAINTAIN_BUSY_MS later, sees
 * the last batches' rows.
 */
#define MAINTAIN_STATS_DELAY_MS	11000

enum maintain_call {
	MAINTAIN_NONE,
	MAINTAIN_ANALYZE,	/* planq_analyze_stale() */
	MAINTAIN_CHANGES,	/* planq_store_plan_changes() */
};

struct maintain {
	PGconn		*conn;		/* the second session; NULL: none yet */
	const char	*dsn;		/* borrowed (the store's) */
	const char	*appname;	/* borrowed */
	int64_t		 stored_ms;	/* when rows were last stored */
	int64_t		 sent_ms;	/* when the last statistics call was sent */
	int64_t		 busy_ms;	/* when the worker last had a batch */
	int64_t		 retry_ms;	/* a lost session: not before this */
	int		 connecting;	/* conn is being connected: 1 waits
					 * to read, 2 to write */
	enum maintain_call in_flight;	/* the call that awaits its answer */
	int		 changes_due;	/* pairs of plan versions may be left
					 * to store */
	long long	 changes_stored; /* pairs stored since the pass began */
	/* refused for good (old schema, no grant): not tried again */
	int		 analyze_off;
	int		 changes_off;
};

void	maintain_init(struct maintain *m, const char *dsn, const char *appname);
/*
 * Opens the session now, waiting up to timeout_ms (before the worker says
 * READY: a backend's start, a few ms of the database's CPU, then falls on
 * no batch).  A session not made in time is made by the next turns; one
 * refused is retried when a call is due.
 */
void	maintain_open(struct maintain *m, int timeout_ms);
/* n documents were stored (committed). */
void	maintain_stored(struct maintain *m, long n);
/*
 * One turn of the worker's loop, never waiting: takes a call's answer if
 * it came, moves a connection on, or sends a call when one is due (busy:
 * the worker has a batch in hand; idle is MAINTAIN_IDLE_MS without one).
 */
void	maintain_tick(struct maintain *m, int busy);
/* The session's socket, to poll for reading (or for writing when
 * *writing is 1); -1 when there is nothing to wait for. */
int	maintain_socket(const struct maintain *m, int *writing);
/* Ends the session; a call still running in it is cancelled. */
void	maintain_close(struct maintain *m);

#endif
