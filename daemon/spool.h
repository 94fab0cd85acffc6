/*
 * spool.h: planqd's durable queue on local disk, used while the database
 * cannot take documents.  Append-only segment files of checksummed records;
 * a record is fsync'ed before its client is told "spooled"; records are
 * replayed to the workers in arrival order once the database is back.
 */
#ifndef PLANQD_SPOOL_H
#define PLANQD_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct daemon;
struct job;

/* Opens (creating) cfg.spool_dir and scans what an earlier run left:
 * torn tails are cut off with a log line.  0, or -1 with a log line. */
int	spool_open(struct daemon *d);
void	spool_close(struct daemon *d);

/* True when new documents must go to the spool rather than the queue:
 * the database is down, or older spooled documents still wait (order). */
int	spool_takes_new(const struct daemon *d);

/*
 * Appends a job's envelope and body.  On success the job is owned by the
 * spool until spool_flush() has made it durable and answered "spooled";
 * returns 0.  -1 when the spool is disabled, full, or the write failed:
 * reason[] says why and the caller still owns the job.
 */
int	spool_append(struct daemon *d, struct job *job, char *reason,
	    size_t reasonlen);

/* fdatasync()s what was appended since the last call and answers those
 * clients "spooled" (group commit).  Cheap when nothing is pending. */
void	spool_flush(struct daemon *d);

/* Moves records from the spool into the queue as replay jobs while fewer
 * than `window` replay jobs are outstanding. */
void	spool_feed(struct daemon *d, int window);

/* A replay job reached a final outcome in the database. */
void	spool_done(struct daemon *d, struct job *job);

uint64_t spool_records(const struct daemon *d);	/* not yet replayed */
uint64_t spool_bytes(const struct daemon *d);

#endif
