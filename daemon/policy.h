/*
 * policy.h: the broker's decisions that need no socket, process or clock,
 * so they can be read and tested alone: which documents form a worker's
 * next batch, and what becomes of the documents a dead worker held.
 */
#ifndef PLANQD_POLICY_H
#define PLANQD_POLICY_H

#include <stddef.h>

#include "queue.h"

struct batch_limits {
	int	 max_docs;	/* batch_max */
	size_t	 max_bytes;	/* batch_max_bytes (a larger job goes alone) */
};

/* A job that must travel alone: suspected of killing workers, a
 * quarantine record, or a probe of a database that was down. */
int	policy_travels_alone(const struct job *job, int db_down);

/*
 * Takes the next batch off the queue (which must not be empty): what is
 * waiting, oldest first, up to the limits (at least one document).
 * Returns a chain linked by ->next and its length in *count.
 */
struct job *policy_take_batch(struct queue *q, const struct batch_limits *lim,
	    int db_down, int *count);

/* How a worker holding documents died. */
struct death {
	const char	*what;		/* "signal 11", "timed out", … */
	int		 timed_out;	/* killed for job_timeout (parsing) */
	int		 db_stalled;	/* killed waiting for the database */
	int		 held;		/* documents it held */
	int		 max_crashes;
	int		 job_timeout;	/* seconds, for the reason text */
};

enum death_action {
	DEATH_REQUEUE = 0,	/* back to the head of the queue */
	DEATH_GIVE_UP,		/* even quarantining it kills workers:
				 * answer rejected without a record */
};

/*
 * What becomes of one document the dead worker held.  A death with several
 * documents in hand blames none of them (each is marked to travel alone, so
 * the next death points at the culprit); a worker killed while waiting for
 * the database blames none at all; a death with one document in hand
 * counts against it, and after max_crashes it is turned into a quarantine
 * record (job->quarantine_reason) that still goes back to the queue.
 * *quarantined is set when this death made it one.
 */
enum death_action policy_after_death(struct job *job, const struct death *death,
	    int *quarantined);

#endif
