/*
 * test_policy.c: the queue and the broker's policy without sockets or
 * processes: FIFO order and byte counts, a chain put back in order, batch
 * assembly within batch_max / batch_max_bytes, who travels alone, and the
 * fate of the documents a dead worker held (blame, quarantine, give up,
 * no blame for a database stall).
 */
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "queue.h"

#include "check.h"

static struct job *
make_job(uint64_t id, size_t body)
{
	struct job *job = job_new();
	char *bytes = calloc(1, body ? body : 1);

	job->id = id;
	job->envelope = zframe_new("{\"v\":1}", 7);
	job->body = zframe_new(bytes, body);
	free(bytes);
	return job;
}

static void
test_queue_order(void)
{
	struct queue q = { 0 };
	struct job *a = make_job(1, 10), *b = make_job(2, 20), *c = make_job(3, 30);
	struct job *x;

	queue_push_back(&q, a);
	queue_push_back(&q, b);
	queue_push_front(&q, c);
	CHECK(q.count == 3, "count %d", q.count);
	CHECK(q.bytes == 60 + 3 * 7, "bytes %zu", q.bytes);
	x = queue_pop(&q);
	CHECK(x == c, "push_front goes first");
	job_free(&x);
	x = queue_pop(&q);
	CHECK(x == a && x->next == NULL, "then FIFO, unlinked");
	/* a chain a→… back at the head keeps its order */
	x->next = NULL;
	{
		struct job *d = make_job(4, 1);
		x->next = d;
		queue_push_front_chain(&q, x);
	}
	CHECK(q.head->id == 1 && q.head->next->id == 4 &&
	    q.head->next->next->id == 2, "chain in order before the rest");
	CHECK(q.count == 3, "count after chain %d", q.count);
	while ((x = queue_pop(&q)) != NULL)
		job_free(&x);
	CHECK(q.count == 0 && q.bytes == 0 && q.tail == NULL, "empty again");
}

static void
test_batches(void)
{
	struct queue q = { 0 };
	struct batch_limits lim = { 3, 100 };
	struct job *batch;
	int n;

	for (uint64_t i = 1; i <= 5; i++)
		queue_push_back(&q, make_job(i, 20));
	batch = policy_take_batch(&q, &lim, 0, &n);
	CHECK(n == 3 && batch->id == 1 && batch->next->next->id == 3 &&
	    batch->next->next->next == NULL, "batch_max 3 takes 3, oldest first");
	job_free_chain(&batch);
	lim.max_docs = 16;
	lim.max_bytes = 30;	/* 27 bytes a job: one fits */
	batch = policy_take_batch(&q, &lim, 0, &n);
	CHECK(n == 1 && batch->id == 4, "batch_max_bytes keeps it to one (%d)",
	    n);
	job_free_chain(&batch);
	queue_push_back(&q, make_job(6, 1));
	lim.max_bytes = 1000;
	batch = policy_take_batch(&q, &lim, 1, &n);
	CHECK(n == 1, "database down: documents travel alone (%d)", n);
	job_free_chain(&batch);
	q.head->solo = 1;
	queue_push_back(&q, make_job(7, 1));
	batch = policy_take_batch(&q, &lim, 0, &n);
	CHECK(n == 1 && batch->id == 6, "a suspect travels alone");
	job_free_chain(&batch);
	queue_push_front(&q, make_job(8, 1));
	batch = policy_take_batch(&q, &lim, 0, &n);
	CHECK(n == 2 && batch->id == 8 && batch->next->id == 7,
	    "a suspect behind is left for the next batch");
	job_free_chain(&batch);
	batch = policy_take_batch(&q, &lim, 0, &n);
	CHECK(batch == NULL && n == 0, "empty queue: no batch");
}

static void
test_deaths(void)
{
	struct job *job = make_job(1, 5);
	struct death batch = { "signal 9", 0, 0, 3, 3, 120 };
	struct death alone = { "signal 11", 0, 0, 1, 3, 120 };
	struct death slow = { "timed out", 1, 0, 1, 3, 7 };
	struct death stall = { "killed waiting for the database", 0, 1, 1, 3, 7 };
	int q;

	CHECK(policy_after_death(job, &batch, &q) == DEATH_REQUEUE && !q &&
	    job->solo && job->crashes == 0, "a batch death blames nobody");
	CHECK(policy_after_death(job, &stall, &q) == DEATH_REQUEUE && !q &&
	    job->crashes == 0, "a database stall blames nobody");
	CHECK(policy_after_death(job, &alone, &q) == DEATH_REQUEUE && !q &&
	    job->crashes == 1 && strcmp(job->last_death, "signal 11") == 0,
	    "a death alone counts");
	policy_after_death(job, &alone, &q);
	CHECK(!q && job->quarantine_reason == NULL, "two: not yet");
	CHECK(policy_after_death(job, &alone, &q) == DEATH_REQUEUE && q &&
	    job->quarantine_reason != NULL && strcmp(job->quarantine_reason,
	    "worker crashed on this document 3 times: signal 11") == 0,
	    "three: quarantined (%s)", job->quarantine_reason ?
	    job->quarantine_reason : "-");
	CHECK(policy_after_death(job, &alone, &q) == DEATH_REQUEUE && !q,
	    "the quarantine record killed one: retried");
	CHECK(policy_after_death(job, &alone, &q) == DEATH_GIVE_UP,
	    "max_crashes + 2: give up");
	job_free(&job);

	job = make_job(2, 5);
	for (int i = 0; i < 3; i++)
		policy_after_death(job, &slow, &q);
	CHECK(q && strcmp(job->quarantine_reason, "worker timed out on this "
	    "document 3 times (job_timeout 7 s)") == 0, "timeouts: %s",
	    job->quarantine_reason ? job->quarantine_reason : "-");
	CHECK(policy_travels_alone(job, 0), "a quarantine record goes alone");
	job_free(&job);
}

int
main(void)
{
	test_queue_order();
	test_batches();
	test_deaths();
	return check_report(stdout, "test_policy");
}
