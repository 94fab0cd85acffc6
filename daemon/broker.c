/*
 * broker.c: the daemon's two sockets.  The front ROUTER takes documents from
 * crawlers (wire protocol v1, docs/PROTOCOL.md), answers bad messages at
 * once, queues good ones and stops reading when the queue is full
 * (backpressure).  The back ROUTER hands each job to exactly one idle worker
 * and forwards the worker's reply, which is sent only after the outcome is
 * committed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envelope.h"
#include "jobwire.h"
#include "log.h"
#include "planqd.h"
#include "spool.h"

#define BROKER_READ_BATCH 64
#define BROKER_REASON_MAX 512
#define BROKER_PROBE_MIN_MS 500
#define BROKER_PROBE_MAX_MS 5000
/* libzmq drops the connection on a frame over 2 x max_body + this */
#define BROKER_FRAME_SLACK 65536

static int broker_on_front(zloop_t *loop, zsock_t *sock, void *arg);
static int broker_on_back(zloop_t *loop, zsock_t *sock, void *arg);

/* ---- opening ---------------------------------------------------------- */

/* The largest frame libzmq reads (ZMQ_MAXMSGSIZE); a larger one drops the
 * connection inside libzmq, before planqd sees a message. */
size_t
broker_frame_limit(const struct daemon *d)
{
	return d->cfg.max_body * 2 + BROKER_FRAME_SLACK;
}

/*
 * libzmq tells nobody why it dropped a connection (a frame over the limit
 * and a client that closed look the same to its monitor), so every ended
 * client connection is logged and counted: an operator can tell a client
 * that keeps being cut off from one that sends and leaves.
 */
static int
broker_on_front_event(zloop_t *loop, zsock_t *sock, void *arg)
{
	struct daemon *d = arg;
	zmsg_t *msg = zmsg_recv(sock);
	zframe_t *ev = msg ? zmsg_first(msg) : NULL;
	char *endpoint;
	uint16_t event;
	(void)loop;

	if (ev == NULL || zframe_size(ev) < 6) {
		zmsg_destroy(&msg);
		return 0;
	}
	memcpy(&event, zframe_data(ev), sizeof(event));
	endpoint = zframe_strdup(zmsg_next(msg));
	if (event == ZMQ_EVENT_DISCONNECTED) {
		d->count.front_disconnects++;
		log_info("front: a client connection on %s ended: closed by the "
		    "client, lost, or dropped by libzmq for a frame over %zu "
		    "bytes (2 x max_body + 64 KiB)", endpoint ? endpoint : "?",
		    broker_frame_limit(d));
	}
	free(endpoint);
	zmsg_destroy(&msg);
	return 0;
}

static int
broker_watch_front(struct daemon *d)
{
	char endpoint[64];

	snprintf(endpoint, sizeof(endpoint), "inproc://planqd-front-%d",
	    (int)getpid());
	if (zmq_socket_monitor(zsock_resolve(d->front), endpoint,
	    ZMQ_EVENT_DISCONNECTED) != 0)
		return -1;
	d->front_monitor = zsock_new_pair(endpoint);	/* connects */
	if (d->front_monitor == NULL)
		return -1;
	return zloop_reader(d->loop, d->front_monitor, broker_on_front_event, d);
}

static int
broker_open_front(struct daemon *d)
{
	d->front = zsock_new(ZMQ_ROUTER);
	if (d->front == NULL)
		return -1;
	/*
	 * Frames a little over max_body still get a readable rejection; far
	 * larger ones make libzmq drop the connection before buffering them.
	 */
	zsock_set_maxmsgsize(d->front, (int)broker_frame_limit(d));
	/*
	 * A few messages per client: beyond the queue (queue_max_bytes),
	 * senders wait in their own process, not in planqd's memory.
	 */
	zsock_set_rcvhwm(d->front, 16);
	zsock_set_sndhwm(d->front, 100000);
	zsock_set_linger(d->front, 2000);
	if (curve_setup(d, d->front) != 0)
		return -1;
	for (int i = 0; i < d->cfg.nlisten; i++) {
		if (zsock_bind(d->front, "%s", d->cfg.listen[i]) < 0) {
			log_errx("cannot listen on %s: %s; check the address "
			    "and that no other planqd uses it",
			    d->cfg.listen[i], zmq_strerror(zmq_errno()));
			return -1;
		}
		log_info("listening on %s", d->cfg.listen[i]);
	}
	log_info("front: a frame over %zu bytes (2 x max_body + 64 KiB) drops "
	    "the client's connection without a reply", broker_frame_limit(d));
	return broker_watch_front(d);
}

static int
broker_open_back(struct daemon *d)
{
	snprintf(d->back_endpoint, sizeof(d->back_endpoint),
	    "ipc://%s/workers.sock", d->runtime_dir);
	d->back = zsock_new(ZMQ_ROUTER);
	if (d->back == NULL)
		return -1;
	zsock_set_router_mandatory(d->back, 1);
	zsock_set_sndhwm(d->back, 0);
	zsock_set_rcvhwm(d->back, 0);
	zsock_set_linger(d->back, 0);
	if (zsock_bind(d->back, "%s", d->back_endpoint) < 0) {
		log_errx("cannot bind the worker socket %s: %s",
		    d->back_endpoint, zmq_strerror(zmq_errno()));
		return -1;
	}
	return 0;
}

int
broker_open(struct daemon *d)
{
	if (broker_open_front(d) != 0 || broker_open_back(d) != 0)
		return -1;
	if (zloop_reader(d->loop, d->back, broker_on_back, d) != 0)
		return -1;
	d->reading_front = 0;
	broker_update_reading(d);
	return 0;
}

void
broker_close(struct daemon *d)
{
	if (d->front_monitor != NULL) {
		zloop_reader_end(d->loop, d->front_monitor);
		zmq_socket_monitor(zsock_resolve(d->front), NULL, 0);
		zsock_destroy(&d->front_monitor);
	}
	zsock_destroy(&d->front);
	zsock_destroy(&d->back);
}

/* ---- backpressure ----------------------------------------------------- */

static int
broker_can_accept(const struct daemon *d)
{
	return d->phase == PHASE_RUNNING &&
	    d->queue.count < d->cfg.queue_max &&
	    d->queue.bytes < d->cfg.queue_max_bytes;
}

/*
 * Reads the front socket only while the queue has room; otherwise libzmq's
 * high-water marks hold the senders back.
 */
void
broker_update_reading(struct daemon *d)
{
	int want = broker_can_accept(d);

	if (want && !d->reading_front) {
		if (zloop_reader(d->loop, d->front, broker_on_front, d) == 0)
			d->reading_front = 1;
	} else if (!want && d->reading_front) {
		zloop_reader_end(d->loop, d->front);
		d->reading_front = 0;
	}
}

/* ---- replies ---------------------------------------------------------- */

void
broker_reply(struct daemon *d, struct job *job, const char *json)
{
	zmsg_t *msg;

	if (job->client == NULL)	/* a replay: its client heard "spooled" */
		return;
	msg = zmsg_new();

	zmsg_append(msg, &(zframe_t *){ zframe_dup(job->client) });
	if (job->req_style)
		zmsg_addmem(msg, "", 0);
	zmsg_addstr(msg, json);
	/* ROUTER drops replies to peers that went away; the outcome is
	 * committed, and a resend of the same bytes answers "duplicate". */
	if (zmsg_send(&msg, d->front) != 0) {
		log_debug("reply to a departed client dropped (job %" PRIu64 ")",
		    job->id);
		zmsg_destroy(&msg);
	}
}

static void
broker_count_status(struct daemon *d, const char *status)
{
	if (strcmp(status, "stored") == 0)
		d->count.stored++;
	else if (strcmp(status, "duplicate") == 0)
		d->count.duplicate++;
	else if (strcmp(status, "rejected") == 0)
		d->count.rejected++;
	else if (strcmp(status, "retry") == 0)
		d->count.retry++;
	else if (strcmp(status, "spooled") == 0)
		d->count.spooled++;
}

static void
broker_log_outcome(struct daemon *d, const struct job *job, const char *status,
    long long document_id, const char *reason)
{
	log_info("%s status=%s job=%" PRIu64 " id=%s document_id=%lld "
	    "bytes=%zu ms=%lld source_url=%s%s%s%s",
	    job->spool_seg ? "replayed" : "outcome", status, job->id,
	    job->client_id ? job->client_id : "-", document_id,
	    job->body ? zframe_size(job->body) : 0,
	    (long long)(now_ms() - job->received_ms),
	    job->source_url ? job->source_url : "-",
	    reason ? " reason=\"" : "", reason ? reason : "",
	    reason ? "\"" : "");
	if (job->spool_seg) {
		d->count.replayed++;
		return;
	}
	broker_count_status(d, status);
	metrics_observe_ack(d, status, reason, now_ms() - job->received_ms);
}

void
broker_reply_status(struct daemon *d, struct job *job, const char *status,
    const char *reason)
{
	char *json = envelope_reply(job->client_id, status, 0, 0, reason);

	broker_log_outcome(d, job, status, 0, reason);
	if (json != NULL) {
		broker_reply(d, job, json);
		free(json);
	}
}

/* Answers every queued job (shutdown deadline, fatal error). */
void
broker_fail_all(struct daemon *d, const char *status, const char *reason)
{
	struct job *job;

	while ((job = queue_pop(&d->queue)) != NULL) {
		broker_reply_status(d, job, status, reason);
		job_free(&job);
	}
}

/* ---- the front socket ------------------------------------------------- */

/*
 * An empty first frame is a delimiter (REQ style, echoed in front of the
 * reply) when the peer is a REQ socket, which always sends one, or when
 * an envelope and a body follow it.  A DEALER's ["", body] is therefore
 * an empty envelope, answered with one frame like any DEALER message.
 */
static int
broker_has_delimiter(zmsg_t *msg, zframe_t *first)
{
	const char *type;

	if (first == NULL || zframe_size(first) != 0 || zmsg_size(msg) < 2)
		return 0;
	if (zmsg_size(msg) >= 3)
		return 1;
	type = zframe_meta(first, "Socket-Type");
	return type != NULL && strcmp(type, "REQ") == 0;
}

/*
 * Splits a received message into a job, or answers it with a rejection.
 * Returns the job, or NULL when the message was answered (or unusable).
 */
static struct job *
broker_accept(struct daemon *d, zmsg_t *msg)
{
	char why[BROKER_REASON_MAX];
	struct envelope env;
	struct job *job;
	zframe_t *first;
	size_t nframes;

	if ((job = job_new()) == NULL)
		return NULL;
	job->id = ++d->next_job_id;
	job->received_ms = now_ms();
	job->client = zmsg_pop(msg);
	first = zmsg_first(msg);
	if (broker_has_delimiter(msg, first)) {
		job->req_style = 1;	/* echoed in front of the reply */
		first = zmsg_pop(msg);
		zframe_destroy(&first);
	}
	d->count.received++;
	nframes = zmsg_size(msg);
	if (nframes >= 1) {
		zframe_t *ef = zmsg_first(msg);
		job->client_id = envelope_salvage_id(zframe_data(ef),
		    zframe_size(ef));
	}
	if (nframes != 2) {
		snprintf(why, sizeof(why), "message has %zu frame%s; send exactly "
		    "2 frames: the JSON envelope, then the document", nframes,
		    nframes == 1 ? "" : "s");
		goto reject;
	}
	job->envelope = zmsg_pop(msg);
	job->body = zmsg_pop(msg);
	if (envelope_parse(zframe_data(job->envelope),
	    zframe_size(job->envelope), &env, why, sizeof(why)) != 0) {
		job->source_url = envelope_salvage_string(
		    zframe_data(job->envelope), zframe_size(job->envelope),
		    "source_url");	/* for the outcome log line */
		goto reject;
	}
	if (env.source_url != NULL)
		job->source_url = strdup(env.source_url);
	envelope_clear(&env);
	if (zframe_size(job->body) == 0) {
		snprintf(why, sizeof(why), "document body is empty; send the "
		    "fetched bytes as the second frame");
		goto reject;
	}
	if (zframe_size(job->body) > d->cfg.max_body) {
		snprintf(why, sizeof(why), "document is %zu bytes, over the "
		    "limit of %zu bytes (max_body); it was not stored; a frame "
		    "over %zu bytes drops the connection without a reply",
		    zframe_size(job->body), d->cfg.max_body,
		    broker_frame_limit(d));
		goto reject;
	}
	return job;
reject:
	broker_reply_status(d, job, "rejected", why);
	job_free(&job);
	return NULL;
}

/*
 * A new document goes to the queue, or to the spool while the database is
 * down or older spooled documents still wait (arrival order is kept).
 */
static void
broker_take(struct daemon *d, struct job *job)
{
	char why[BROKER_REASON_MAX];

	if (!spool_takes_new(d)) {
		queue_push_back(&d->queue, job);
		return;
	}
	if (spool_append(d, job, why, sizeof(why)) == 0)
		return;
	if (!d->db_down) {
		/* the database is up, only the replay is not finished: better
		 * stored a little out of order than refused */
		queue_push_back(&d->queue, job);
		return;
	}
	broker_reply_status(d, job, "retry", why);
	job_free(&job);
}

static int
broker_on_front(zloop_t *loop, zsock_t *sock, void *arg)
{
	struct daemon *d = arg;
	(void)loop;

	for (int i = 0; i < BROKER_READ_BATCH && broker_can_accept(d); i++) {
		zmsg_t *msg;
		struct job *job;

		if (!(zsock_events(sock) & ZMQ_POLLIN))
			break;
		if ((msg = zmsg_recv(sock)) == NULL)
			break;
		job = broker_accept(d, msg);
		zmsg_destroy(&msg);
		if (job != NULL)
			broker_take(d, job);
	}
	spool_flush(d);
	broker_dispatch(d);
	broker_update_reading(d);
	return 0;
}

/* ---- the back socket -------------------------------------------------- */

/* One job's five frames: id, kind, envelope, body, reason ("" if none). */
static void
broker_add_job_frames(zmsg_t *msg, const struct job *job)
{
	char idtext[24];

	snprintf(idtext, sizeof(idtext), "%" PRIu64, job->id);
	zmsg_addstr(msg, idtext);
	zmsg_addstr(msg, job->quarantine_reason ? JOBWIRE_KIND_QUARANTINE :
	    JOBWIRE_KIND_PARSE);
	zmsg_append(msg, &(zframe_t *){ zframe_dup(job->envelope) });
	zmsg_append(msg, &(zframe_t *){ zframe_dup(job->body) });
	zmsg_addstr(msg, job->quarantine_reason ? job->quarantine_reason : "");
}

/* Sends a chain of jobs (linked by ->next) as one JOB message. */
static int
broker_send_batch(struct daemon *d, struct worker *w, struct job *batch)
{
	zmsg_t *msg = zmsg_new();

	zmsg_addstr(msg, w->identity);
	zmsg_addstr(msg, JOBWIRE_JOB);
	for (struct job *job = batch; job != NULL; job = job->next)
		broker_add_job_frames(msg, job);
	if (zmsg_send(&msg, d->back) != 0) {
		zmsg_destroy(&msg);
		return -1;
	}
	return 0;
}

/* A job that must travel alone: suspected of killing workers, a
 * quarantine record, or a probe of a database that was down. */
static int
broker_travels_alone(const struct daemon *d, const struct job *job)
{
	return job->solo || job->crashes > 0 || job->quarantine_reason != NULL ||
	    d->db_down;
}

/*
 * Takes the next batch off the queue: everything waiting, oldest first, up
 * to batch_max documents and batch_max_bytes (at least one document).  The
 * worker commits the batch in one transaction: group commit.
 */
static struct job *
broker_take_batch(struct daemon *d, int *count)
{
	struct job *head = queue_pop(&d->queue), *tail = head;
	size_t bytes = job_bytes(head);

	*count = 1;
	if (broker_travels_alone(d, head))
		return head;
	while (d->queue.head != NULL && *count < d->cfg.batch_max &&
	    !broker_travels_alone(d, d->queue.head) &&
	    bytes + job_bytes(d->queue.head) <= d->cfg.batch_max_bytes) {
		tail->next = queue_pop(&d->queue);
		tail = tail->next;
		bytes += job_bytes(tail);
		(*count)++;
	}
	return head;
}

/* Puts an undelivered batch back at the head of the queue, in order. */
static void
broker_requeue_batch(struct daemon *d, struct job *batch)
{
	struct job *rev = NULL;

	while (batch != NULL) {
		struct job *next = batch->next;
		batch->next = rev;
		rev = batch;
		batch = next;
	}
	while (rev != NULL) {
		struct job *next = rev->next;
		queue_push_front(&d->queue, rev);
		rev = next;
	}
}

/*
 * While the database is down, only one document at a time goes out, after
 * a backoff, as a probe; its success brings everything else back.
 */
static int
broker_may_dispatch(struct daemon *d)
{
	if (!d->db_down)
		return 1;
	return supervisor_busy_count(d) == 0 && now_ms() >= d->db_probe_at_ms;
}

/* Gives queued jobs to idle workers, oldest first. */
void
broker_dispatch(struct daemon *d)
{
	struct worker *w;

	/* while the database is down, one spooled record serves as the probe */
	if (d->phase == PHASE_RUNNING)
		spool_feed(d, d->db_down ? 1 : 2 * d->cfg.workers);
	while (d->queue.head != NULL && broker_may_dispatch(d) &&
	    (w = supervisor_idle(d)) != NULL) {
		int count;
		struct job *batch = broker_take_batch(d, &count);

		if (broker_send_batch(d, w, batch) != 0) {
			/* the worker is gone; SIGCHLD will tell us more */
			log_warnx("worker %s (pid %d) unreachable: %s",
			    w->identity, (int)w->pid, zmq_strerror(zmq_errno()));
			w->state = WORKER_STOPPING;
			broker_requeue_batch(d, batch);
			continue;
		}
		w->state = WORKER_BUSY;
		w->storing = 0;
		w->job = batch;
		w->njobs = count;
		w->job_started_ms = now_ms();
		log_debug("job %" PRIu64 " and %d more to worker %s", batch->id,
		    count - 1, w->identity);
	}
	broker_update_reading(d);
}

/* A final outcome from a worker: tell the client, or the spool. */
static void
broker_finish(struct daemon *d, struct job *job, json_t *root,
    const char *reply)
{
	const char *status = json_string_value(json_object_get(root, "status"));

	broker_log_outcome(d, job, status ? status : "?",
	    (long long)json_integer_value(json_object_get(root, "document_id")),
	    json_string_value(json_object_get(root, "reason")));
	if (job->quarantine_reason)
		d->count.quarantined++;
	if (d->db_down && status != NULL && strcmp(status, "retry") != 0) {
		log_notice("database is back; replaying %" PRIu64 " spooled "
		    "documents", spool_records(d));
		d->db_down = 0;
		d->db_backoff_ms = 0;
	}
	if (job->spool_seg)
		spool_done(d, job);
	else
		broker_reply(d, job, reply);
	job_free(&job);
}

/* Spools the queued documents whose clients are waiting. */
static void
broker_spool_queued(struct daemon *d)
{
	struct queue keep = { 0 };
	struct job *job;

	while ((job = queue_pop(&d->queue)) != NULL) {
		if (job->client != NULL && job->quarantine_reason == NULL)
			broker_take(d, job);
		else
			queue_push_back(&keep, job);
	}
	d->queue = keep;
}

/*
 * A worker could not reach the database in db_retry_seconds.  The document
 * and everything queued go to the spool (clients hear "spooled"); one
 * document at a time probes the database with a growing backoff.
 */
static void
broker_on_db_down(struct daemon *d, struct job *job, const char *why)
{
	char reason[BROKER_REASON_MAX];

	if (!d->db_down)
		log_warnx("database unavailable (%s); spooling documents to %s",
		    why ? why : "?", d->cfg.spool_dir);
	d->db_down = 1;
	d->db_backoff_ms = d->db_backoff_ms ? d->db_backoff_ms * 2 :
	    BROKER_PROBE_MIN_MS;
	if (d->db_backoff_ms > BROKER_PROBE_MAX_MS)
		d->db_backoff_ms = BROKER_PROBE_MAX_MS;
	d->db_probe_at_ms = now_ms() + d->db_backoff_ms;
	if (job->spool_seg != 0 || job->quarantine_reason != NULL) {
		queue_push_front(&d->queue, job);	/* already durable */
	} else if (spool_append(d, job, reason, sizeof(reason)) != 0) {
		broker_reply_status(d, job, "retry", reason);
		job_free(&job);
	}
	broker_spool_queued(d);
	spool_flush(d);
}

/* Replay jobs in the queue are on disk: at shutdown they can just go. */
void
broker_release_replays(struct daemon *d)
{
	struct queue keep = { 0 };
	struct job *job;

	while ((job = queue_pop(&d->queue)) != NULL) {
		if (job->spool_seg != 0)
			job_free(&job);
		else
			queue_push_back(&keep, job);
	}
	d->queue = keep;
}

/* Unlinks job `id` from the worker's batch; NULL if it holds no such job. */
static struct job *
broker_unlink_job(struct worker *w, uint64_t id)
{
	for (struct job **pp = &w->job; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->id == id) {
			struct job *job = *pp;
			*pp = job->next;
			job->next = NULL;
			w->njobs--;
			return job;
		}
	}
	return NULL;
}

static void
broker_on_done(struct daemon *d, struct worker *w, zmsg_t *msg)
{
	char *idtext = zmsg_popstr(msg);
	char *reply = zmsg_popstr(msg);
	struct job *job;
	const char *status;
	json_t *root;

	job = idtext ? broker_unlink_job(w, strtoull(idtext, NULL, 10)) : NULL;
	if (job == NULL || reply == NULL) {
		log_warnx("worker %s sent a reply for job %s it does not hold",
		    w->identity, idtext ? idtext : "?");
		if (job != NULL)
			broker_requeue_batch(d, job);
		goto out;
	}
	root = json_loads(reply, 0, NULL);
	status = json_string_value(json_object_get(root, "status"));
	job->solo = 0;	/* it went through a worker alive */
	w->done++;
	if (w->job == NULL)
		supervisor_job_done(d, w);
	if (status != NULL && strcmp(status, "retry") == 0 && d->spool != NULL)
		broker_on_db_down(d, job,
		    json_string_value(json_object_get(root, "reason")));
	else
		broker_finish(d, job, root, reply);
	json_decref(root);
out:
	free(idtext);
	free(reply);
}

static void
broker_on_fatal(struct daemon *d, struct worker *w, zmsg_t *msg)
{
	char *why = zmsg_popstr(msg);

	log_errx("worker %s cannot work: %s", w->identity,
	    why ? why : "no reason given");
	free(why);
	d->exit_code = 1;
	if (d->phase == PHASE_RUNNING) {
		d->phase = PHASE_DRAINING;
		d->drain_deadline_ms = now_ms();
	}
}

static int
broker_on_back(zloop_t *loop, zsock_t *sock, void *arg)
{
	struct daemon *d = arg;
	zmsg_t *msg = zmsg_recv(sock);
	char *identity, *type;
	struct worker *w;
	(void)loop;

	if (msg == NULL)
		return 0;
	identity = zmsg_popstr(msg);
	type = zmsg_popstr(msg);
	w = identity ? supervisor_find(d, identity) : NULL;
	if (w == NULL || type == NULL) {
		log_debug("message from unknown worker %s ignored",
		    identity ? identity : "?");
	} else if (strcmp(type, JOBWIRE_READY) == 0) {
		if (w->state == WORKER_STARTING) {
			w->state = WORKER_IDLE;
			w->failures = 0;
			log_info("worker %s ready (pid %d)", w->identity,
			    (int)w->pid);
		}
	} else if (strcmp(type, JOBWIRE_STORING) == 0) {
		supervisor_storing(w);
	} else if (strcmp(type, JOBWIRE_DONE) == 0) {
		broker_on_done(d, w, msg);
	} else if (strcmp(type, JOBWIRE_FATAL) == 0) {
		broker_on_fatal(d, w, msg);
	} else {
		log_warnx("worker %s sent unknown message %s", w->identity, type);
	}
	free(identity);
	free(type);
	zmsg_destroy(&msg);
	spool_flush(d);
	broker_dispatch(d);
	return 0;
}
