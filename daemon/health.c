/*
 * health.c: readiness (health.h).  Ready means running, with at least one
 * worker that said READY, and a queue that is not holding senders back.
 */
#include "health.h"

const char *
health_phase_name(enum daemon_phase phase)
{
	switch (phase) {
	case PHASE_RUNNING: return "running";
	case PHASE_DRAINING: return "draining";
	case PHASE_STOPPING: return "stopping";
	default: return "unknown";
	}
}

const char *
health_problem(const struct view *v)
{
	const struct queue *q = broker_queue(v->broker);

	if (*v->phase == PHASE_DRAINING)
		return "draining";
	if (*v->phase != PHASE_RUNNING)
		return "stopping";
	if (supervisor_ready_count(v->sup) == 0)
		return "no worker ready";
	if (!broker_reading(v->broker) && (q->count >= v->cfg->queue_max ||
	    q->bytes >= v->cfg->queue_max_bytes))
		return "queue full";
	return NULL;
}
