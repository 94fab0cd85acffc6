/*
 * broker.c: the decisions of planqd (broker.h).  A document's path:
 *
 *   front_check ─▶ broker_take ─▶ queue (or spool while the database is
 *   down) ─▶ broker_dispatch: a batch to an idle worker (a short one
 *   waits up to batch_wait_ms for more while another worker is busy), or
 *   a full second one to a worker whose first commits ─▶ DONE per
 *   document ─▶
 *   broker_answer: reply JSON to the client (or, for a replayed spool
 *   record, spool_done)
 *
 * Nothing is answered "stored" before the worker committed it; a worker's
 * "retry" with a spool configured sends the document and everything queued
 * to the spool, and one document at a time then probes the database with a
 * growing backoff.  The first success replays the spool in order.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "clock.h"
#include "envelope.h"
#include "log.h"
#include "policy.h"

#define BROKER_READ_BATCH 64
#define BROKER_REASON_MAX 512
#define BROKER_PROBE_MIN_MS 500
#define BROKER_PROBE_MAX_MS 5000
/* a batch's commit takes 5-30 ms on a busy 2-core machine (bench/RESULTS.md) */
#define BROKER_SECOND_WAIT_MS 50
/*
 * How busy the workers are: the share of the configured workers' time
 * spent holding documents, over windows of BROKER_BUSY_WINDOW_MS.  A
 * batch waits for company (batch_wait_ms) only when the last window's
 * share reached batch_wait_busy_pct: the workers are the bottleneck and
 * larger transactions give the cores back; below it the wait would only
 * add to each reply's latency (bench/RESULTS.md, "the wait only when the
 * workers are busy").
 */
#define BROKER_BUSY_WINDOW_MS 200

struct broker {
	struct broker_parts	 p;
	struct queue		 queue;
	uint64_t		 next_job_id;
	int			 taking;	/* not draining */
	int			 db_down;	/* a worker answered "retry" */
	int64_t			 db_probe_at_ms; /* when to try one again */
	struct backoff		 probe;
	char			 fatal[JOBWIRE_REASON_MAX]; /* a worker said FATAL */
	int			 wait_timer;	/* a short batch waits: its
						 * timer's id, else -1 */
	int64_t			 busy_from_ms;	/* the busy window began */
	int64_t			 busy_ms_from;	/* supervisor_busy_ms then */
	int			 busy_pct;	/* of the last whole window */
};

static int broker_on_front(zloop_t *loop, zsock_t *sock, void *arg);
static int broker_on_back(zloop_t *loop, zsock_t *sock, void *arg);
static void broker_dispatch(struct broker *b);

struct broker *
broker_new(const struct broker_parts *parts)
{
	struct broker *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->p = *parts;
	b->taking = 1;
	b->wait_timer = -1;
	b->probe.min_ms = BROKER_PROBE_MIN_MS;
	b->probe.max_ms = BROKER_PROBE_MAX_MS;
	return b;
}

void
broker_destroy(struct broker **bp)
{
	struct broker *b = *bp;
	struct job *job;

	if (b == NULL)
		return;
	if (b->p.link != NULL)
		zloop_reader_end(b->p.loop, workerlink_sock(b->p.link));
	if (b->wait_timer >= 0)
		zloop_timer_end(b->p.loop, b->wait_timer);
	front_set_reading(b->p.front, 0, NULL, NULL);
	while ((job = queue_pop(&b->queue)) != NULL)
		job_free(&job);
	free(b);
	*bp = NULL;
}

/* ---- backpressure ----------------------------------------------------- */

static int
broker_can_accept(const struct broker *b)
{
	return b->taking && b->queue.count < b->p.cfg->queue_max &&
	    b->queue.bytes < b->p.cfg->queue_max_bytes;
}

/*
 * Reads the front socket only while the queue has room; otherwise libzmq's
 * high-water marks hold the senders back.
 */
static void
broker_update_reading(struct broker *b)
{
	front_set_reading(b->p.front, broker_can_accept(b), broker_on_front, b);
}

int
broker_start(struct broker *b)
{
	if (zloop_reader(b->p.loop, workerlink_sock(b->p.link), broker_on_back,
	    b) != 0)
		return -1;
	broker_update_reading(b);
	return 0;
}

/* ---- answers ---------------------------------------------------------- */

static void
broker_log_outcome(const struct job *job, enum outcome outcome,
    long long document_id, const char *text)
{
	int has_text = text != NULL && *text != '\0';

	log_info("%s status=%s job=%" PRIu64 " id=%s document_id=%lld "
	    "bytes=%zu ms=%lld source_url=%s%s%s%s",
	    job->spool_seg ? "replayed" : "outcome", outcome_name(outcome),
	    job->id, job->client_id ? job->client_id : "-", document_id,
	    job->body ? zframe_size(job->body) : 0,
	    (long long)(clock_ms() - job->received_ms),
	    job->source_url ? job->source_url : "-",
	    has_text ? " reason=\"" : "", has_text ? text : "",
	    has_text ? "\"" : "");
}

/*
 * The answer for one document: logged, counted and sent to its client (a
 * replayed spool record has none: its client heard "spooled").  Frees the
 * job.
 */
static void
broker_answer(struct broker *b, struct job *job, enum outcome outcome,
    enum reason why, const struct jobwire_done *ids, const char *text)
{
	long long doc = ids ? (long long)ids->document_id : 0;
	long long plan = ids ? (long long)ids->plan_id : 0;
	char *json;

	broker_log_outcome(job, outcome, doc, text);
	if (job->spool_seg) {
		b->p.stats->replayed++;
		spool_done(b->p.spool, job);
	} else {
		stats_reply(b->p.stats, outcome, why,
		    clock_ms() - job->received_ms);
		json = envelope_reply(job->client_id, outcome_name(outcome), doc,
		    plan, text && *text ? text : NULL);
		if (json != NULL)
			front_reply(b->p.front, job, json);
		else
			log_errx("out of memory answering job %" PRIu64, job->id);
		free(json);
	}
	job_free(&job);
}

static void
broker_answer_chain(struct broker *b, struct job *chain, enum outcome outcome,
    enum reason why, const char *text)
{
	while (chain != NULL) {
		struct job *next = chain->next;
		broker_answer(b, chain, outcome, why, NULL, text);
		chain = next;
	}
}

/* Answers what the spool made durable ("spooled") or could not ("retry"). */
static void
broker_flush_spool(struct broker *b)
{
	struct job *durable, *failed;

	spool_flush(b->p.spool, &durable, &failed);
	broker_answer_chain(b, durable, OUTCOME_SPOOLED, REASON_NONE, NULL);
	broker_answer_chain(b, failed, OUTCOME_RETRY, REASON_SPOOL,
	    "spool could not be made durable; send again later");
}

/* ---- taking documents ------------------------------------------------- */

/*
 * A new document goes to the queue, or to the spool while the database is
 * down or older spooled documents still wait (arrival order is kept).
 */
static void
broker_take(struct broker *b, struct job *job)
{
	char why[BROKER_REASON_MAX];

	if (!spool_takes_new(b->p.spool, b->db_down)) {
		queue_push_back(&b->queue, job);
		return;
	}
	if (spool_append(b->p.spool, job, why, sizeof(why)) == 0)
		return;
	if (!b->db_down) {
		/* the database is up, only the replay is not finished: better
		 * stored a little out of order than refused */
		queue_push_back(&b->queue, job);
		return;
	}
	broker_answer(b, job, OUTCOME_RETRY, REASON_SPOOL, NULL, why);
}

static void
broker_receive(struct broker *b, zmsg_t *msg)
{
	char text[BROKER_REASON_MAX];
	enum reason why;
	struct job *job;

	b->p.stats->received++;
	job = front_check(msg, b->p.cfg->max_body, &why, text, sizeof(text));
	if (job == NULL) {
		log_errx("out of memory taking a document; it is dropped "
		    "unanswered (the client resends on silence)");
		return;
	}
	job->id = ++b->next_job_id;
	job->received_ms = clock_ms();
	if (why != REASON_NONE)
		broker_answer(b, job, OUTCOME_REJECTED, why, NULL, text);
	else
		broker_take(b, job);
}

static int
broker_on_front(zloop_t *loop, zsock_t *sock, void *arg)
{
	struct broker *b = arg;
	(void)loop;
	(void)sock;

	for (int i = 0; i < BROKER_READ_BATCH && broker_can_accept(b); i++) {
		zmsg_t *msg = front_recv(b->p.front);

		if (msg == NULL)
			break;
		broker_receive(b, msg);
		zmsg_destroy(&msg);
	}
	broker_flush_spool(b);
	broker_dispatch(b);
	return 0;
}

/* ---- dispatch --------------------------------------------------------- */

/*
 * While the database is down, only one document at a time goes out, after
 * a backoff, as a probe; its success brings everything else back.
 */
static int
broker_may_dispatch(const struct broker *b)
{
	if (!b->db_down)
		return 1;
	return supervisor_busy_count(b->p.sup) == 0 &&
	    clock_ms() >= b->db_probe_at_ms;
}

/* Whether the queue holds a whole batch (batch_max documents or bytes). */
static int
broker_queue_full_batch(const struct broker *b)
{
	return b->queue.count >= b->p.cfg->batch_max ||
	    b->queue.bytes >= b->p.cfg->batch_max_bytes;
}

/*
 * The worker for the next batch: an idle one, else, when the queue holds
 * a whole batch, one whose batch is parsed and committing (its second
 * batch: the worker parses it in the meantime and stores it after the
 * first).  Only a whole one: with fewer documents queued, a second batch
 * would split what the next idle worker can take in one transaction,
 * and each transaction costs the database the same again (bench/RESULTS.md,
 * "batch_wait_ms").  A batch that travels alone goes only to an idle
 * worker, so that a death still points at it.  A worker whose commit has
 * waited longer than BROKER_SECOND_WAIT_MS is held up (a lock, a slow
 * disk): documents given to it would wait with it, so they wait in the
 * queue, where they form one batch for whichever worker is free first.
 */
static struct worker *
broker_next_worker(struct broker *b)
{
	struct worker *w = supervisor_idle(b->p.sup);

	if (w != NULL || b->db_down ||
	    policy_travels_alone(b->queue.head, b->db_down) ||
	    !broker_queue_full_batch(b))
		return w;
	return supervisor_second_slot(b->p.sup, BROKER_SECOND_WAIT_MS);
}

/* Ends the busy window when it is BROKER_BUSY_WINDOW_MS old. */
static void
broker_measure_busy(struct broker *b)
{
	int64_t now = clock_ms(), span = now - b->busy_from_ms, busy;

	if (span < BROKER_BUSY_WINDOW_MS)
		return;
	busy = supervisor_busy_ms(b->p.sup, now);
	if (b->busy_from_ms > 0 && b->p.cfg->workers > 0) {
		int64_t pct = 100 * (busy - b->busy_ms_from) /
		    (span * b->p.cfg->workers);

		b->busy_pct = pct > 100 ? 100 : (int)pct;
	}
	b->busy_from_ms = now;
	b->busy_ms_from = busy;
}

static int
broker_on_batch_wait(zloop_t *loop, int timer_id, void *arg)
{
	struct broker *b = arg;
	(void)loop;
	(void)timer_id;

	b->wait_timer = -1;
	broker_dispatch(b);
	return 0;
}

/*
 * Whether the documents queued wait a moment to travel as one batch with
 * those still to come: while another worker is busy (its backend keeps a
 * core at work), fewer than a whole batch is queued and the oldest, a
 * client's, has waited less than batch_wait_ms; and only while the
 * workers are busy (batch_wait_busy_pct).  A client keeps a fixed
 * number of documents in flight; without the wait each worker set free
 * takes the few that came back meanwhile, and batches stay small
 * whatever batch_max says.  Arms the timer that looks again.
 */
static int
broker_batch_waits(struct broker *b)
{
	const struct job *head = b->queue.head;
	int64_t waited;

	if (b->p.cfg->batch_wait_ms <= 0 || b->db_down || head->client == NULL ||
	    b->busy_pct < b->p.cfg->batch_wait_busy_pct ||
	    broker_queue_full_batch(b) ||
	    policy_travels_alone(head, b->db_down) ||
	    supervisor_busy_count(b->p.sup) == 0 ||
	    supervisor_idle(b->p.sup) == NULL)
		return 0;
	waited = clock_ms() - head->received_ms;
	if (waited >= b->p.cfg->batch_wait_ms)
		return 0;
	if (b->wait_timer < 0)
		b->wait_timer = zloop_timer(b->p.loop,
		    (size_t)(b->p.cfg->batch_wait_ms - waited), 1,
		    broker_on_batch_wait, b);
	return b->wait_timer >= 0;
}

/* Gives queued jobs to workers, oldest first, as batches. */
static void
broker_dispatch(struct broker *b)
{
	struct batch_limits lim = { b->p.cfg->batch_max,
	    b->p.cfg->batch_max_bytes };
	struct worker *w;

	broker_measure_busy(b);
	/* while the database is down, one spooled record serves as the probe */
	if (b->taking)
		spool_feed(b->p.spool, &b->queue, b->db_down ? 1 :
		    2 * b->p.cfg->workers, &b->next_job_id);
	while (b->queue.head != NULL && broker_may_dispatch(b) &&
	    !broker_batch_waits(b) && (w = broker_next_worker(b)) != NULL) {
		int count, alone = policy_travels_alone(b->queue.head,
		    b->db_down);
		struct job *batch = policy_take_batch(&b->queue, &lim,
		    b->db_down, &count);

		if (workerlink_send(b->p.link, w->identity, batch) != 0) {
			log_warnx("worker %s (pid %d) unreachable: %s",
			    w->identity, (int)w->pid, zmq_strerror(zmq_errno()));
			supervisor_unreachable(w);
			queue_push_front_chain(&b->queue, batch);
			continue;
		}
		supervisor_assign(w, batch, count, alone);
		stats_batch(b->p.stats, count);
		log_debug("job %" PRIu64 " and %d more to worker %s", batch->id,
		    count - 1, w->identity);
	}
	broker_update_reading(b);
}

/* ---- the database is down --------------------------------------------- */

/* Spools the queued documents whose clients are waiting. */
static void
broker_spool_queued(struct broker *b)
{
	struct queue keep = { 0 };
	struct job *job;

	while ((job = queue_pop(&b->queue)) != NULL) {
		if (job->client != NULL && job->quarantine_reason == NULL)
			broker_take(b, job);
		else
			queue_push_back(&keep, job);
	}
	b->queue = keep;
}

/*
 * A worker could not reach the database in db_retry_seconds.  The document
 * and everything queued go to the spool (clients hear "spooled"); one
 * document at a time probes the database with a growing backoff.
 */
static void
broker_on_db_down(struct broker *b, struct job *job, const char *why)
{
	char reason[BROKER_REASON_MAX];

	if (!b->db_down)
		log_warnx("database unavailable (%s); spooling documents to %s",
		    why && *why ? why : "?", b->p.cfg->spool_dir);
	b->db_down = 1;
	b->db_probe_at_ms = clock_ms() + backoff_next(&b->probe);
	if (job->spool_seg != 0 || job->quarantine_reason != NULL) {
		queue_push_front(&b->queue, job);	/* already durable */
	} else if (spool_append(b->p.spool, job, reason, sizeof(reason)) != 0) {
		broker_answer(b, job, OUTCOME_RETRY, REASON_SPOOL, NULL, reason);
	}
	broker_spool_queued(b);
	broker_flush_spool(b);
}

static void
broker_db_is_back(struct broker *b)
{
	log_notice("database is back; replaying %" PRIu64 " spooled "
	    "documents", spool_totals(b->p.spool).records);
	b->db_down = 0;
	backoff_reset(&b->probe);
}

/* ---- what workers say ------------------------------------------------- */

static void
broker_on_done(struct broker *b, struct worker *w, const struct worker_msg *m)
{
	struct job *job = supervisor_answered(b->p.sup, w, m->done.id);

	if (job == NULL) {
		log_warnx("worker %s sent a reply for job %" PRIu64 " it does "
		    "not hold", w->identity, m->done.id);
		return;
	}
	job->solo = 0;	/* it went through a worker alive */
	if (m->done.outcome == OUTCOME_RETRY && b->p.spool != NULL) {
		broker_on_db_down(b, job, m->text);
		return;
	}
	if (job->quarantine_reason)
		b->p.stats->quarantined++;
	if (m->done.outcome == OUTCOME_STORED)
		stats_warnings(b->p.stats, m->done.warnings);
	if (b->db_down && m->done.outcome != OUTCOME_RETRY)
		broker_db_is_back(b);
	broker_answer(b, job, m->done.outcome, m->done.reason, &m->done,
	    m->text);
}

static void
broker_on_fatal(struct broker *b, struct worker *w, const char *why)
{
	log_errx("worker %s cannot work: %s", w->identity,
	    *why ? why : "no reason given");
	if (!b->fatal[0])
		snprintf(b->fatal, sizeof(b->fatal), "%s", *why ? why :
		    "a worker cannot work");
}

static void
broker_on_message(struct broker *b, const struct worker_msg *m)
{
	struct worker *w = supervisor_find(b->p.sup, m->identity);

	if (w == NULL) {
		log_debug("message from unknown worker %s ignored", m->identity);
		return;
	}
	switch (m->type) {
	case JOBWIRE_T_READY:
		supervisor_ready(w);
		break;
	case JOBWIRE_T_PARSING:
		supervisor_parsing(w);
		break;
	case JOBWIRE_T_STORING:
		supervisor_storing(w);
		break;
	case JOBWIRE_T_DONE:
		broker_on_done(b, w, m);
		break;
	case JOBWIRE_T_FATAL:
		broker_on_fatal(b, w, m->text);
		break;
	default:
		break;
	}
}

static int
broker_on_back(zloop_t *loop, zsock_t *sock, void *arg)
{
	struct broker *b = arg;
	struct worker_msg m;
	(void)loop;
	(void)sock;

	if (workerlink_recv(b->p.link, &m) == 0)
		broker_on_message(b, &m);
	broker_flush_spool(b);
	broker_dispatch(b);
	return 0;
}

/* ---- deaths ----------------------------------------------------------- */

static void
broker_rescue(struct broker *b, const struct worker_death *wd, struct job *job)
{
	struct death death = { wd->what, wd->timed_out, wd->db_stalled,
	    wd->njobs, b->p.cfg->max_crashes, b->p.cfg->job_timeout };
	int quarantined;

	if (policy_after_death(job, &death, &quarantined) == DEATH_GIVE_UP) {
		/* even storing it as rejected kills workers: give up loudly */
		log_errx("job %" PRIu64 " could not be quarantined (%s); "
		    "answering rejected without a database record", job->id,
		    wd->what);
		broker_answer(b, job, OUTCOME_REJECTED, REASON_QUARANTINED,
		    NULL, job->quarantine_reason);
		return;
	}
	if (quarantined)
		log_warnx("quarantining job %" PRIu64 " source_url=%s: %s",
		    job->id, job->source_url ? job->source_url : "-",
		    job->quarantine_reason);
	queue_push_front(&b->queue, job);
}

/* The documents a dead worker held go back to the queue, in order. */
void
broker_on_deaths(struct broker *b, struct worker_death *deaths, int n)
{
	for (int i = 0; i < n; i++) {
		/* reversed: each rescue pushes to the front */
		struct job *rev = job_chain_reverse(deaths[i].jobs);

		deaths[i].jobs = NULL;
		while (rev != NULL) {
			struct job *next = rev->next;
			rev->next = NULL;
			broker_rescue(b, &deaths[i], rev);
			rev = next;
		}
	}
	broker_dispatch(b);
}

/* ---- the tick, draining ----------------------------------------------- */

void
broker_tick(struct broker *b)
{
	broker_flush_spool(b);
	broker_dispatch(b);
}

void
broker_reconfigured(struct broker *b)
{
	broker_update_reading(b);
	broker_dispatch(b);
}

/* Replay jobs in the queue are on disk: at shutdown they can just go. */
void
broker_stop_taking(struct broker *b)
{
	struct queue keep = { 0 };
	struct job *job;

	b->taking = 0;
	while ((job = queue_pop(&b->queue)) != NULL) {
		if (job->spool_seg != 0)
			job_free(&job);
		else
			queue_push_back(&keep, job);
	}
	b->queue = keep;
	broker_update_reading(b);
}

void
broker_give_up(struct broker *b)
{
	struct job *job;

	broker_answer_chain(b, supervisor_abandon_all(b->p.sup), OUTCOME_RETRY,
	    REASON_SHUTDOWN, "planqd stopped before this document was "
	    "finished; send it again");
	while ((job = queue_pop(&b->queue)) != NULL)
		broker_answer(b, job, OUTCOME_RETRY, REASON_SHUTDOWN, NULL,
		    "planqd is shutting down; send again later");
}

int
broker_idle(const struct broker *b)
{
	return b->queue.count == 0 && supervisor_busy_count(b->p.sup) == 0;
}

const char *
broker_fatal(const struct broker *b)
{
	return b->fatal[0] ? b->fatal : NULL;
}

const struct queue *
broker_queue(const struct broker *b)
{
	return &b->queue;
}

int
broker_db_down(const struct broker *b)
{
	return b->db_down;
}

int
broker_reading(const struct broker *b)
{
	return front_reading(b->p.front);
}
