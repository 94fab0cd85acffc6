/*
 * front.c: the crawlers' socket (front.h).  Messages are checked here
 * (front_check: frames, envelope, body size); the broker decides what
 * becomes of them and answers through front_reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "curve.h"
#include "envelope.h"
#include "front.h"
#include "log.h"

/* libzmq drops the connection on a frame over 2 x max_body + this */
#define FRONT_FRAME_SLACK 65536

struct front {
	const struct config	*cfg;
	zloop_t			*loop;
	struct stats		*stats;
	zsock_t			*sock;
	zsock_t			*monitor;	/* libzmq's events of sock */
	int			 reading;
};

struct front *
front_new(const struct config *cfg, zloop_t *loop, struct stats *stats)
{
	struct front *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->cfg = cfg;
	f->loop = loop;
	f->stats = stats;
	return f;
}

size_t
front_frame_limit(size_t max_body)
{
	return max_body * 2 + FRONT_FRAME_SLACK;
}

/*
 * libzmq tells nobody why it dropped a connection (a frame over the limit
 * and a client that closed look the same to its monitor), so every ended
 * client connection is logged and counted: an operator can tell a client
 * that keeps being cut off from one that sends and leaves.
 */
static int
front_on_event(zloop_t *loop, zsock_t *sock, void *arg)
{
	struct front *f = arg;
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
		f->stats->front_disconnects++;
		log_info("front: a client connection on %s ended: closed by the "
		    "client, lost, or dropped by libzmq for a frame over %zu "
		    "bytes (2 x max_body + 64 KiB)", endpoint ? endpoint : "?",
		    front_frame_limit(f->cfg->max_body));
	}
	free(endpoint);
	zmsg_destroy(&msg);
	return 0;
}

static int
front_watch(struct front *f)
{
	char endpoint[64];

	snprintf(endpoint, sizeof(endpoint), "inproc://planqd-front-%d",
	    (int)getpid());
	if (zmq_socket_monitor(zsock_resolve(f->sock), endpoint,
	    ZMQ_EVENT_DISCONNECTED) != 0)
		return -1;
	f->monitor = zsock_new_pair(endpoint);	/* connects */
	if (f->monitor == NULL)
		return -1;
	return zloop_reader(f->loop, f->monitor, front_on_event, f);
}

int
front_open(struct front *f, struct curve **curvep)
{
	const struct config *cfg = f->cfg;

	if ((f->sock = zsock_new(ZMQ_ROUTER)) == NULL)
		return -1;
	/*
	 * Frames a little over max_body still get a readable rejection; far
	 * larger ones make libzmq drop the connection before buffering them.
	 */
	zsock_set_maxmsgsize(f->sock, (int)front_frame_limit(cfg->max_body));
	/*
	 * A few messages per client: beyond the queue (queue_max_bytes),
	 * senders wait in their own process, not in planqd's memory.
	 */
	zsock_set_rcvhwm(f->sock, 16);
	zsock_set_sndhwm(f->sock, 100000);
	zsock_set_linger(f->sock, 2000);
	if (curve_setup(curvep, cfg, f->sock) != 0)
		return -1;
	for (int i = 0; i < cfg->nlisten; i++) {
		if (zsock_bind(f->sock, "%s", cfg->listen[i]) < 0) {
			log_errx("cannot listen on %s: %s; check the address "
			    "and that no other planqd uses it", cfg->listen[i],
			    zmq_strerror(zmq_errno()));
			return -1;
		}
		log_info("listening on %s", cfg->listen[i]);
	}
	log_info("front: a frame over %zu bytes (2 x max_body + 64 KiB) drops "
	    "the client's connection without a reply",
	    front_frame_limit(cfg->max_body));
	return front_watch(f);
}

void
front_destroy(struct front **fp)
{
	struct front *f = *fp;

	if (f == NULL)
		return;
	if (f->reading)
		zloop_reader_end(f->loop, f->sock);
	if (f->monitor != NULL) {
		zloop_reader_end(f->loop, f->monitor);
		zmq_socket_monitor(zsock_resolve(f->sock), NULL, 0);
		zsock_destroy(&f->monitor);
	}
	zsock_destroy(&f->sock);
	free(f);
	*fp = NULL;
}

void
front_set_reading(struct front *f, int on, zloop_reader_fn *fn, void *arg)
{
	if (f->sock == NULL)
		return;
	if (on && !f->reading) {
		if (zloop_reader(f->loop, f->sock, fn, arg) == 0)
			f->reading = 1;
	} else if (!on && f->reading) {
		zloop_reader_end(f->loop, f->sock);
		f->reading = 0;
	}
}

int
front_reading(const struct front *f)
{
	return f->reading;
}

zmsg_t *
front_recv(struct front *f)
{
	if (!(zsock_events(f->sock) & ZMQ_POLLIN))
		return NULL;
	return zmsg_recv(f->sock);
}

void
front_reply(struct front *f, const struct job *job, const char *json)
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
	if (zmsg_send(&msg, f->sock) != 0) {
		log_debug("reply to a departed client dropped (job %llu)",
		    (unsigned long long)job->id);
		zmsg_destroy(&msg);
	}
}

/* ---- the protocol check ------------------------------------------------ */

/*
 * An empty first frame is a delimiter (REQ style, echoed in front of the
 * reply) when the peer is a REQ socket, which always sends one, or when
 * an envelope and a body follow it.  A DEALER's ["", body] is therefore
 * an empty envelope, answered with one frame like any DEALER message.
 */
static int
front_has_delimiter(zmsg_t *msg, zframe_t *first)
{
	const char *type;

	if (first == NULL || zframe_size(first) != 0 || zmsg_size(msg) < 2)
		return 0;
	if (zmsg_size(msg) >= 3)
		return 1;
	type = zframe_meta(first, "Socket-Type");
	return type != NULL && strcmp(type, "REQ") == 0;
}

/* The envelope frame; REASON_NONE if it is a valid one. */
static enum reason
front_check_envelope(struct job *job, char *text, size_t textlen)
{
	struct envelope env;

	if (envelope_parse(zframe_data(job->envelope),
	    zframe_size(job->envelope), &env, text, textlen) != 0) {
		job->source_url = envelope_salvage_string(
		    zframe_data(job->envelope), zframe_size(job->envelope),
		    "source_url");	/* for the outcome log line */
		return REASON_BAD_ENVELOPE;
	}
	if (env.source_url != NULL)
		job->source_url = strdup(env.source_url);
	envelope_clear(&env);
	return REASON_NONE;
}

static enum reason
front_check_body(const struct job *job, size_t max_body, char *text,
    size_t textlen)
{
	if (zframe_size(job->body) == 0) {
		snprintf(text, textlen, "document body is empty; send the "
		    "fetched bytes as the second frame");
		return REASON_EMPTY;
	}
	if (zframe_size(job->body) > max_body) {
		snprintf(text, textlen, "document is %zu bytes, over the limit "
		    "of %zu bytes (max_body); it was not stored; a frame over "
		    "%zu bytes drops the connection without a reply",
		    zframe_size(job->body), max_body,
		    front_frame_limit(max_body));
		return REASON_OVERSIZE;
	}
	return REASON_NONE;
}

struct job *
front_check(zmsg_t *msg, size_t max_body, enum reason *why, char *text,
    size_t textlen)
{
	struct job *job = job_new();
	zframe_t *first;
	size_t nframes;

	if (job == NULL)
		return NULL;
	text[0] = '\0';
	job->client = zmsg_pop(msg);
	first = zmsg_first(msg);
	if (front_has_delimiter(msg, first)) {
		job->req_style = 1;	/* echoed in front of the reply */
		first = zmsg_pop(msg);
		zframe_destroy(&first);
	}
	nframes = zmsg_size(msg);
	if (nframes >= 1) {
		zframe_t *ef = zmsg_first(msg);
		job->client_id = envelope_salvage_id(zframe_data(ef),
		    zframe_size(ef));
	}
	if (nframes != 2) {
		snprintf(text, textlen, "message has %zu frame%s; send exactly "
		    "2 frames: the JSON envelope, then the document", nframes,
		    nframes == 1 ? "" : "s");
		*why = REASON_FRAMES;
		return job;
	}
	job->envelope = zmsg_pop(msg);
	job->body = zmsg_pop(msg);
	*why = front_check_envelope(job, text, textlen);
	if (*why == REASON_NONE)
		*why = front_check_body(job, max_body, text, textlen);
	return job;
}
