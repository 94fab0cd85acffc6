/*
 * queue.c: jobs, and the FIFO of jobs waiting for an idle worker (queue.h).
 */
#include <stdlib.h>
#include <string.h>

#include "queue.h"

struct job *
job_new(void)
{
	return calloc(1, sizeof(struct job));
}

void
job_free(struct job **jobp)
{
	struct job *job = *jobp;

	if (job == NULL)
		return;
	zframe_destroy(&job->client);
	zframe_destroy(&job->envelope);
	zframe_destroy(&job->body);
	free(job->client_id);
	free(job->source_url);
	free(job->quarantine_reason);
	free(job);
	*jobp = NULL;
}

void
job_free_chain(struct job **chainp)
{
	struct job *job = *chainp;

	while (job != NULL) {
		struct job *next = job->next;
		job_free(&job);
		job = next;
	}
	*chainp = NULL;
}

size_t
job_bytes(const struct job *job)
{
	return (job->body ? zframe_size(job->body) : 0) +
	    (job->envelope ? zframe_size(job->envelope) : 0);
}

void
queue_push_back(struct queue *q, struct job *job)
{
	job->next = NULL;
	if (q->tail != NULL)
		q->tail->next = job;
	else
		q->head = job;
	q->tail = job;
	q->count++;
	q->bytes += job_bytes(job);
}

void
queue_push_front(struct queue *q, struct job *job)
{
	job->next = q->head;
	q->head = job;
	if (q->tail == NULL)
		q->tail = job;
	q->count++;
	q->bytes += job_bytes(job);
}

struct job *
job_chain_reverse(struct job *chain)
{
	struct job *rev = NULL;

	while (chain != NULL) {
		struct job *next = chain->next;
		chain->next = rev;
		rev = chain;
		chain = next;
	}
	return rev;
}

void
queue_push_front_chain(struct queue *q, struct job *chain)
{
	struct job *rev = job_chain_reverse(chain);

	while (rev != NULL) {
		struct job *next = rev->next;
		queue_push_front(q, rev);
		rev = next;
	}
}

struct job *
queue_pop(struct queue *q)
{
	struct job *job = q->head;

	if (job == NULL)
		return NULL;
	q->head = job->next;
	if (q->head == NULL)
		q->tail = NULL;
	job->next = NULL;
	q->count--;
	q->bytes -= job_bytes(job);
	return job;
}
