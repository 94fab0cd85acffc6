/*
 * spool.h: planqd's durable queue on local disk, used while the database
 * cannot take documents.  Append-only segment files of checksummed records;
 * a record is fsync'ed before its client is told "spooled"; records are
 * replayed to the workers in arrival order once the database is back.
 * The spool answers nobody: spool_flush hands back the jobs whose clients
 * must now hear "spooled" (or "retry"), and the broker answers them.
 */
#ifndef PLANQD_SPOOL_H
#define PLANQD_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "queue.h"

struct spool_limits {
	size_t	 max_bytes;	/* spool_max_bytes */
	uint64_t max_records;	/* spool_max_records */
};

struct spool;

/*
 * Opens (creating) the directory and scans what an earlier run left: damaged
 * records (a torn tail, a corrupt record in the middle, bytes that are no
 * record) are taken out of their segment with a log line and counted, and
 * the good records around them kept.  NULL, with a log line, on failure.
 * limits must outlive the spool (a reload updates them in place).
 */
struct spool *spool_open(const char *dir, const struct spool_limits *limits);
/* Makes pending appends durable first (their jobs are then freed). */
void	spool_close(struct spool **spp);

/* True when new documents must go to the spool rather than the queue:
 * the database is down, or older spooled documents still wait (order). */
int	spool_takes_new(const struct spool *sp, int db_down);

/*
 * Appends a job's envelope and body.  On success the spool owns the job
 * until spool_flush() and returns 0.  -1 when the spool is full or the
 * write failed: reason[] says why and the caller still owns the job.
 */
int	spool_append(struct spool *sp, struct job *job, char *reason,
	    size_t reasonlen);

/*
 * fdatasync()s what was appended since the last call (group commit) and
 * hands the jobs back: *durable (their clients may hear "spooled"), or, if
 * the sync failed, *failed (they must hear "retry"; the spool takes nothing
 * more).  Both are chains linked by ->next, owned by the caller.
 */
void	spool_flush(struct spool *sp, struct job **durable, struct job **failed);

/* Moves records into the queue as replay jobs (ids from *next_id) while
 * fewer than `window` replay jobs are outstanding. */
void	spool_feed(struct spool *sp, struct queue *q, int window,
	    uint64_t *next_id);

/* A replay job reached a final outcome in the database. */
void	spool_done(struct spool *sp, const struct job *job);

/* What the spool holds and what it lost (spool_totals). */
struct spool_totals {
	uint64_t	records;	/* records not yet replayed */
	uint64_t	bytes;		/* their bytes */
	uint64_t	unreadable;	/* records of segments that could not be
					 * read at replay, since opened */
	uint64_t	damaged_bytes;	/* bytes of damaged records (torn,
					 * corrupt, nonsense) taken out at open */
};

/* The counts of sp; all zero when sp is NULL (no spool configured). */
struct spool_totals spool_totals(const struct spool *sp);

#endif
