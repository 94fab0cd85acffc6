/*
 * broker.h: the one module of planqd that decides what becomes of a
 * document and answers its client.  It takes checked documents from the
 * front socket into the queue (or the spool while the database is down),
 * gives batches to idle workers, turns the workers' typed outcomes into
 * replies, decides the fate of the documents a dead worker held (policy.c),
 * and answers what the spool has made durable.  The modules it uses (front,
 * workerlink, queue, spool, supervisor, stats) never call back into it.
 */
#ifndef PLANQD_BROKER_H
#define PLANQD_BROKER_H

#include <czmq.h>

#include "config.h"
#include "front.h"
#include "queue.h"
#include "spool.h"
#include "stats.h"
#include "supervisor.h"
#include "workerlink.h"

struct broker_parts {
	const struct config	*cfg;
	zloop_t			*loop;
	struct front		*front;
	struct workerlink	*link;
	struct supervisor	*sup;
	struct spool		*spool;		/* NULL: no spool */
	struct stats		*stats;
};

struct broker;

/* The parts must outlive the broker; it owns only its queue. */
struct broker *broker_new(const struct broker_parts *parts);
void	broker_destroy(struct broker **bp);
/* Starts reading both sockets.  -1 if the loop refuses. */
int	broker_start(struct broker *b);

/* What the supervisor reaped: the documents the dead held. */
void	broker_on_deaths(struct broker *b, struct worker_death *deaths, int n);
/* Every loop tick: answers what the spool made durable, dispatches. */
void	broker_tick(struct broker *b);
/* After a reload: limits may have changed. */
void	broker_reconfigured(struct broker *b);

/* Draining: no new documents; replays wait safely on disk. */
void	broker_stop_taking(struct broker *b);
/* Past the drain deadline: everything queued or in a worker is answered
 * retry, and the workers holding documents are killed. */
void	broker_give_up(struct broker *b);
/* Nothing queued and nothing in a worker. */
int	broker_idle(const struct broker *b);

/* A worker said FATAL: its message, else NULL (planqd must stop). */
const char *broker_fatal(const struct broker *b);

/* Read-only views for status and metrics. */
const struct queue *broker_queue(const struct broker *b);
int	broker_db_down(const struct broker *b);
int	broker_reading(const struct broker *b);

#endif
