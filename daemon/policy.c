/*
 * policy.c: batch assembly and the fate of a dead worker's documents
 * (policy.h).  Pure functions over jobs and the queue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int
policy_travels_alone(const struct job *job, int db_down)
{
	return job->solo || job->crashes > 0 || job->quarantine_reason != NULL ||
	    db_down;
}

struct job *
policy_take_batch(struct queue *q, const struct batch_limits *lim,
    int db_down, int *count)
{
	struct job *head = queue_pop(q), *tail = head;
	size_t bytes;

	*count = head != NULL;
	if (head == NULL || policy_travels_alone(head, db_down))
		return head;
	bytes = job_bytes(head);
	while (q->head != NULL && *count < lim->max_docs &&
	    !policy_travels_alone(q->head, db_down) &&
	    bytes + job_bytes(q->head) <= lim->max_bytes) {
		tail->next = queue_pop(q);
		tail = tail->next;
		bytes += job_bytes(tail);
		(*count)++;
	}
	return head;
}

/* The reason a document is quarantined with, as the client reads it. */
static char *
policy_quarantine_reason(const struct job *job, const struct death *death)
{
	char reason[256];

	if (death->timed_out)
		snprintf(reason, sizeof(reason), "worker timed out on this "
		    "document %d times (job_timeout %d s)", job->crashes,
		    death->job_timeout);
	else
		snprintf(reason, sizeof(reason), "worker crashed on this "
		    "document %d times: %s", job->crashes, death->what);
	return strdup(reason);
}

enum death_action
policy_after_death(struct job *job, const struct death *death,
    int *quarantined)
{
	*quarantined = 0;
	if (death->db_stalled)
		return DEATH_REQUEUE;		/* an outage: nobody's fault */
	if (death->held > 1) {
		job->solo = 1;
		return DEATH_REQUEUE;
	}
	job->crashes++;
	snprintf(job->last_death, sizeof(job->last_death), "%s", death->what);
	if (job->quarantine_reason != NULL)
		return job->crashes >= death->max_crashes + 2 ? DEATH_GIVE_UP :
		    DEATH_REQUEUE;
	if (job->crashes >= death->max_crashes &&
	    (job->quarantine_reason = policy_quarantine_reason(job, death)) !=
	    NULL)
		*quarantined = 1;
	return DEATH_REQUEUE;
}
