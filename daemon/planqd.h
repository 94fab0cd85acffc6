/*
 * planqd.h: the daemon's shared state.  One struct daemon lives in main.c;
 * broker.c (front socket, dispatch, replies), supervisor.c (the workers'
 * lives) and queue.c (jobs waiting for a worker) work on it from the one
 * event loop.  Nothing here is touched from a signal handler: signals arrive
 * through a signalfd read by the loop.
 */
#ifndef PLANQD_H
#define PLANQD_H

#include <stdint.h>
#include <sys/types.h>
#include <czmq.h>

#include "config.h"

#define PLANQD_MAX_WORKERS 256

/* One document from a client, from receipt until its reply is sent. */
struct job {
	struct job	*next;
	uint64_t	 id;
	zframe_t	*client;	/* ROUTER routing id of the sender */
	int		 req_style;	/* sender used REQ: reply needs "" */
	zframe_t	*envelope;
	zframe_t	*body;
	char		*client_id;	/* envelope "id", may be NULL */
	char		*source_url;	/* for log lines, may be NULL */
	int		 crashes;	/* workers that died holding it alone */
	int		 solo;		/* was in a batch that killed a worker:
					 * goes alone until proven harmless */
	char		 last_death[64];
	char		*quarantine_reason;	/* set: store as rejected */
	int64_t		 received_ms;
	uint64_t	 spool_seg;	/* replay of a spooled record: its
					 * segment; no client waits for it */
	size_t		 spool_bytes;
};

struct queue {
	struct job	*head, *tail;
	int		 count;
	size_t		 bytes;
};

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
	struct job	*job;		/* owned while BUSY: the batch it
					 * holds, chained through job->next */
	int		 njobs;
	int64_t		 job_started_ms;
	int		 storing;	/* said STORING: parsed, waiting for
					 * the database; job_timeout is over */
	int64_t		 store_started_ms;
	int64_t		 respawn_at_ms;
	int		 failures;	/* consecutive deaths before READY */
	int		 timed_out;	/* killed for job_timeout */
	int		 db_stalled;	/* killed after waiting for the database
					 * past supervisor_store_limit_ms */
	int		 retire;	/* slot beyond the configured count */
	uint64_t	 done;
};

enum daemon_phase {
	PHASE_RUNNING = 0,
	PHASE_DRAINING,		/* no new documents; finishing in-flight */
	PHASE_STOPPING,		/* workers told to exit */
};

struct counters {
	uint64_t received, stored, duplicate, rejected, retry, spooled,
	    crashes, respawns, quarantined, replayed, db_stalls,
	    front_disconnects;	/* client connections that ended */
};

struct metrics;		/* metrics.c */
struct control;		/* control.c */
struct curve;		/* curve.c */
struct spool;		/* spool.c */

struct daemon {
	struct config	 cfg;
	struct config_flags flags;
	zloop_t		*loop;
	zsock_t		*front;
	zsock_t		*front_monitor;	/* libzmq's events of front */
	zsock_t		*back;
	char		 back_endpoint[256];
	char		 runtime_dir[200];
	int		 own_runtime_dir;
	int		 sigfd;
	char		**worker_env;	/* environ + PLANQ_DB, for execve */
	struct queue	 queue;
	struct worker	 workers[PLANQD_MAX_WORKERS];
	int		 nslots;	/* slots in use (>= cfg.workers) */
	uint64_t	 next_job_id;
	int		 reading_front;
	enum daemon_phase phase;
	int64_t		 drain_deadline_ms;
	int		 exit_code;
	int		 done;		/* leave the loop */
	struct counters	 count;
	struct metrics	*metrics;
	struct control	*control;
	struct curve	*curve;
	struct spool	*spool;
	int		 notified_ready;
	int		 db_down;	/* a worker answered "retry" */
	int64_t		 db_probe_at_ms;	/* when to try one document again */
	int64_t		 db_backoff_ms;
	int64_t		 last_progress_ms;	/* loop turned / worker answered */
};

/* queue.c */
struct job *job_new(void);
void	job_free(struct job **jobp);
void	queue_push_back(struct queue *q, struct job *job);
void	queue_push_front(struct queue *q, struct job *job);
struct job *queue_pop(struct queue *q);
size_t	job_bytes(const struct job *job);

/* broker.c */
int	broker_open(struct daemon *d);
void	broker_close(struct daemon *d);
size_t	broker_frame_limit(const struct daemon *d);
void	broker_update_reading(struct daemon *d);
void	broker_dispatch(struct daemon *d);
void	broker_reply(struct daemon *d, struct job *job, const char *json);
void	broker_reply_status(struct daemon *d, struct job *job,
	    const char *status, const char *reason);
void	broker_fail_all(struct daemon *d, const char *status,
	    const char *reason);
void	broker_release_replays(struct daemon *d);

/* supervisor.c */
void	supervisor_start(struct daemon *d);
void	supervisor_reap(struct daemon *d);
void	supervisor_tick(struct daemon *d);
void	supervisor_resize(struct daemon *d);
void	supervisor_stop_all(struct daemon *d);
int	supervisor_all_exited(const struct daemon *d);
int	supervisor_busy_count(const struct daemon *d);
struct worker *supervisor_find(struct daemon *d, const char *identity);
struct worker *supervisor_idle(struct daemon *d);
void	supervisor_job_done(struct daemon *d, struct worker *w);
void	supervisor_storing(struct worker *w);
int64_t	supervisor_store_limit_ms(const struct daemon *d);
int	supervisor_build_env(struct daemon *d);

int64_t	now_ms(void);

/* notify.c: systemd sd_notify (READY, STATUS, WATCHDOG, RELOADING, STOPPING) */
void	notify_tick(struct daemon *d);		/* every loop tick */
void	notify_reloading(struct daemon *d);
void	notify_reloaded(struct daemon *d);
void	notify_stopping(struct daemon *d);

/* metrics.c: Prometheus endpoint and /healthz (--metrics ADDR:PORT) */
int	metrics_open(struct daemon *d);
void	metrics_tick(struct daemon *d);		/* publish a fresh snapshot */
void	metrics_observe_ack(struct daemon *d, const char *status,
	    const char *reason, int64_t ms);
void	metrics_close(struct daemon *d);

/* control.c: local control socket for `planq status` */
int	control_open(struct daemon *d);
void	control_close(struct daemon *d);

/* curve.c: CurveZMQ on the front socket (zauth with a clients directory) */
int	curve_setup(struct daemon *d, zsock_t *front);	/* before bind */
void	curve_reload(struct daemon *d);		/* SIGHUP: re-read clients */
void	curve_close(struct daemon *d);

#endif
