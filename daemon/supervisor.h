/*
 * supervisor.h: the workers' lives.  Starts each worker by fork+exec into
 * a numbered slot, reaps it on SIGCHLD, respawns with backoff, kills
 * workers stuck parsing past job_timeout (or waiting for the database past
 * every bound of their own), and grows or shrinks the pool on reload.
 * It never answers a client and never decides a document's fate: deaths
 * are reported to the caller (struct worker_death) with the documents the
 * worker held, and the broker decides.
 */
#ifndef PLANQD_SUPERVISOR_H
#define PLANQD_SUPERVISOR_H

#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "queue.h"

#define PLANQD_MAX_WORKERS 256

enum worker_state {
	WORKER_EMPTY = 0,	/* no process; respawn_at_ms says when */
	WORKER_STARTING,	/* forked, not READY yet */
	WORKER_IDLE,
	WORKER_BUSY,
	WORKER_STOPPING,	/* told to exit */
};

struct worker {
	int		 slot;
	unsigned	 gen;
	pid_t		 pid;
	enum worker_state state;
	char		 identity[40];	/* "w<slot>.<gen>-<planqd pid>" */
	int64_t		 spawned_ms;
	struct job	*job;		/* owned while BUSY: the documents it
					 * holds, chained through job->next:
					 * its first batch, then its second */
	int		 njobs;		/* all of them */
	int		 first_left;	/* of the first batch, unanswered */
	int		 alone;		/* the first batch travels alone */
	int64_t		 job_started_ms;
	int64_t		 busy_since_ms;	/* holds documents since; 0: none
					 * (supervisor_busy_ms) */
	int		 storing;	/* said STORING for the first batch:
					 * parsed, waiting for the database;
					 * job_timeout is over */
	int64_t		 store_started_ms;
	int		 second;	/* documents of a second batch (sent
					 * while the first commits); 0: none */
	int		 second_parsing; /* said PARSING for it */
	int		 second_storing; /* said STORING for it */
	int64_t		 second_started_ms; /* PARSING came */
	int64_t		 respawn_at_ms;
	int		 failures;	/* consecutive deaths before READY */
	int		 timed_out;	/* killed for job_timeout */
	int		 db_stalled;	/* killed waiting for the database */
	int		 retire;	/* slot beyond the configured count */
	uint64_t	 done;
};

/* A worker that died holding documents: they are the caller's now. */
struct worker_death {
	char		 identity[40];
	struct job	*jobs;		/* chain, in dispatch order */
	int		 njobs;
	char		 what[64];	/* "signal 11", "timed out", … */
	int		 timed_out;
	int		 db_stalled;
};

struct supervisor_counts {
	uint64_t	 crashes;	/* deaths that blamed their documents */
	uint64_t	 respawns;
	uint64_t	 db_stalls;	/* kills after waiting for the database */
};

struct supervisor;

/* cfg must outlive the supervisor (a reload updates it in place). */
struct supervisor *supervisor_new(const struct config *cfg,
	    const char *back_endpoint);
void	supervisor_destroy(struct supervisor **supp);

/* The workers' environment (PLANQ_DB from the configuration); again after
 * a reload.  -1 when out of memory. */
int	supervisor_build_env(struct supervisor *sup);
void	supervisor_start(struct supervisor *sup);
/* After a reload: start new slots or retire extra ones once idle. */
void	supervisor_resize(struct supervisor *sup);

/*
 * Reaps every exited worker.  Those that held documents are written to
 * deaths[] (at most max); returns how many.
 */
int	supervisor_reap(struct supervisor *sup, struct worker_death *deaths,
	    int max);
/* Respawns (if respawn), kills stuck workers, forgets retired slots. */
void	supervisor_tick(struct supervisor *sup, int respawn);

/* Lookups and the broker's transitions. */
struct worker *supervisor_find(struct supervisor *sup, const char *identity);
struct worker *supervisor_idle(struct supervisor *sup);
/*
 * A worker that can take a second batch: busy with one that does not
 * travel alone, which it has parsed (it said STORING) less than
 * max_wait_ms ago, and no second yet.  A second batch keeps its worker's
 * core busy parsing while the first commits; it is stored after the first
 * is answered.
 */
struct worker *supervisor_second_slot(struct supervisor *sup,
	    int64_t max_wait_ms);
void	supervisor_ready(struct worker *w);		/* said READY */
void	supervisor_parsing(struct worker *w);		/* said PARSING */
void	supervisor_storing(struct worker *w);		/* said STORING */
/* The batch becomes an idle worker's first, or a busy one's second;
 * alone: it travels alone (policy_travels_alone). */
void	supervisor_assign(struct worker *w, struct job *batch, int count,
	    int alone);
/*
 * Unlinks job `id` from what the worker holds: NULL if it holds no such
 * job.  After the first batch's last document its second becomes its
 * first; after the last document of all the worker is idle again (or
 * retired).
 */
struct job *supervisor_answered(struct supervisor *sup, struct worker *w,
	    uint64_t id);
/* A send to it failed: it is going away.  A worker that held nothing
 * gets no more work; one that holds a batch keeps it (its death or its
 * answers settle it) and gets no second.  */
void	supervisor_unreachable(struct worker *w);
/* Drain deadline: takes every busy worker's batch (one chain) and
 * SIGKILLs those workers. */
struct job *supervisor_abandon_all(struct supervisor *sup);

void	supervisor_stop_all(struct supervisor *sup);
int	supervisor_all_exited(const struct supervisor *sup);
int	supervisor_busy_count(const struct supervisor *sup);
/*
 * Worker-milliseconds spent holding documents since the start, the spans
 * still open counted up to now: the broker's measure of how busy the
 * workers are (broker.c, batch_wait_ms).
 */
int64_t	supervisor_busy_ms(const struct supervisor *sup, int64_t now);
int	supervisor_ready_count(const struct supervisor *sup);
/* NULL, or why the workers cannot start (planqd should stop). */
const char *supervisor_failure(const struct supervisor *sup);
int64_t	supervisor_store_limit_ms(const struct config *cfg);

/* Read-only views for status and metrics. */
const struct worker *supervisor_workers(const struct supervisor *sup, int *n);
const struct supervisor_counts *supervisor_counts(const struct supervisor *sup);
const char *supervisor_state_name(enum worker_state state);

#endif
