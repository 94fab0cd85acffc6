/*
 * send_wire.c: the DEALER socket of `planq send` and the checking of the
 * replies planqd sends back.  Anything malformed coming from the server is
 * logged and dropped here; callers only ever see well-formed replies.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <zmq.h>

#include "log.h"
#include "send_wire.h"

#define SEND_MAX_REPLY	(4 * 1024 * 1024)	/* replies are tiny JSON */
#define SEND_EXCERPT	80
#define SEND_CONNECT_WAIT_MS	1000	/* for a first instance to connect */

static int
send_wire_setopt(void *sock, int opt, int value)
{
	return zmq_setsockopt(sock, opt, &value, sizeof(value));
}

/*
 * Connects to each endpoint of a comma-separated list.  With more than one,
 * ZMQ_IMMEDIATE: the DEALER deals documents round-robin over the planqd
 * instances it is connected to, and never queues one for an instance that
 * is down (docs/SCALING.md).
 */
static int
send_wire_connect_all(struct send_wire *w, char *why, size_t whylen)
{
	char one[1024];
	const char *p = w->endpoint, *comma;
	size_t len;

	if (strchr(p, ',') != NULL &&
	    send_wire_setopt(w->sock, ZMQ_IMMEDIATE, 1) != 0) {
		snprintf(why, whylen, "cannot set ZMQ_IMMEDIATE: %s",
		    zmq_strerror(zmq_errno()));
		return -1;
	}
	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == 0 || len >= sizeof(one)) {
			snprintf(why, whylen, "bad endpoint list \"%s\": %s",
			    w->endpoint, len == 0 ? "empty entry" : "entry too long");
			return -1;
		}
		memcpy(one, p, len);
		one[len] = '\0';
		if (zmq_connect(w->sock, one) != 0) {
			snprintf(why, whylen, "cannot connect to %s: %s", one,
			    zmq_strerror(zmq_errno()));
			return -1;
		}
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

/* Closes the socket (unsent requests die with it: LINGER 0), if any. */
static void
send_wire_drop_socket(struct send_wire *w)
{
	if (w->sock != NULL)
		zmq_close(w->sock);
	w->sock = NULL;
}

static int
send_wire_connect(struct send_wire *w, char *why, size_t whylen)
{
	int64_t maxsize = SEND_MAX_REPLY;

	w->sock = zmq_socket(w->ctx, ZMQ_DEALER);
	if (w->sock == NULL) {
		snprintf(why, whylen, "cannot create socket: %s",
		    zmq_strerror(zmq_errno()));
		return -1;
	}
	/*
	 * LINGER 0: unsent requests die with the socket (Lazy Pirate).
	 * SNDHWM 0: never block on send; the queue is bounded by
	 * --concurrency since every resend starts on a fresh socket.
	 */
	if (send_wire_setopt(w->sock, ZMQ_LINGER, 0) != 0 ||
	    send_wire_setopt(w->sock, ZMQ_SNDHWM, 0) != 0 ||
	    zmq_setsockopt(w->sock, ZMQ_MAXMSGSIZE, &maxsize,
	    sizeof(maxsize)) != 0 ||
	    send_curve_apply(&w->curve, w->sock) != 0) {
		snprintf(why, whylen, "cannot set up the socket for %s: %s",
		    w->endpoint, zmq_strerror(zmq_errno()));
		send_wire_drop_socket(w);
		return -1;
	}
	if (send_wire_connect_all(w, why, whylen) != 0) {
		send_wire_drop_socket(w);
		return -1;
	}
	return 0;
}

int
send_wire_open(struct send_wire *w, const char *endpoint, char *why,
    size_t whylen)
{
	w->endpoint = endpoint;
	w->sock = NULL;
	w->ctx = zmq_ctx_new();
	if (w->ctx == NULL) {
		snprintf(why, whylen, "cannot create ZeroMQ context: %s",
		    zmq_strerror(zmq_errno()));
		return -1;
	}
	if (send_wire_connect(w, why, whylen) != 0) {
		zmq_ctx_term(w->ctx);
		w->ctx = NULL;
		return -1;
	}
	return 0;
}

int
send_wire_reopen(struct send_wire *w, char *why, size_t whylen)
{
	send_wire_drop_socket(w);
	return send_wire_connect(w, why, whylen);
}

void
send_wire_close(struct send_wire *w)
{
	send_wire_drop_socket(w);
	if (w->ctx != NULL)
		zmq_ctx_term(w->ctx);
	w->ctx = NULL;
	send_curve_clear(&w->curve);
}

/*
 * The first frame.  With an endpoint list (ZMQ_IMMEDIATE) the socket takes
 * nothing until one instance is connected: wait up to SEND_CONNECT_WAIT_MS
 * for that (connects are asynchronous; a fresh socket has none yet).
 */
static int
send_wire_first_frame(struct send_wire *w, const char *envelope)
{
	zmq_pollitem_t item = { .socket = w->sock, .events = ZMQ_POLLOUT };

	if (zmq_send(w->sock, envelope, strlen(envelope),
	    ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
		return 0;
	if (zmq_errno() != EAGAIN ||
	    zmq_poll(&item, 1, SEND_CONNECT_WAIT_MS) <= 0)
		return -1;
	return zmq_send(w->sock, envelope, strlen(envelope),
	    ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 ? 0 : -1;
}

int
send_wire_send(struct send_wire *w, const char *envelope, const void *bytes,
    size_t len)
{
	if (send_wire_first_frame(w, envelope) != 0 ||
	    zmq_send(w->sock, bytes, len, ZMQ_DONTWAIT) < 0) {
		log_warnx("send: cannot queue a message to %s: %s",
		    w->endpoint, zmq_strerror(zmq_errno()));
		return -1;
	}
	return 0;
}

/* ---- replies ----------------------------------------------------------- */

/* A printable, bounded copy of a frame for log lines. */
static void
send_excerpt(const void *data, size_t len, char *out, size_t outlen)
{
	const unsigned char *s = data;
	size_t n = 0;

	for (size_t i = 0; i < len && n + 4 < outlen && i < SEND_EXCERPT; i++)
		out[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '.';
	if (len > SEND_EXCERPT && n + 4 < outlen) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

static const char *
send_reply_string(json_t *root, const char *key)
{
	const char *s = json_string_value(json_object_get(root, key));

	return (s != NULL && *s != '\0') ? s : NULL;
}

static json_t *
send_reply_number(json_t *root, const char *key)
{
	json_t *v = json_object_get(root, key);

	return (json_is_integer(v) || json_is_string(v)) ? v : NULL;
}

/* 1: *r filled, 0: unusable (logged). */
static int
send_reply_parse(const void *data, size_t len, struct send_reply *r)
{
	char excerpt[SEND_EXCERPT + 8];
	json_error_t jerr;

	memset(r, 0, sizeof(*r));
	send_excerpt(data, len, excerpt, sizeof(excerpt));
	r->root = json_loadb(data, len, 0, &jerr);
	if (r->root == NULL || !json_is_object(r->root)) {
		log_warnx("send: ignoring a reply that is not a JSON object: "
		    "\"%s\"", excerpt);
		send_reply_clear(r);
		return 0;
	}
	r->id = send_reply_string(r->root, "id");
	r->status = send_reply_string(r->root, "status");
	if (r->id == NULL || r->status == NULL) {
		log_warnx("send: ignoring a reply without %s: \"%s\"",
		    r->id == NULL ? "\"id\"" : "\"status\"", excerpt);
		send_reply_clear(r);
		return 0;
	}
	r->reason = send_reply_string(r->root, "reason");
	r->document_id = send_reply_number(r->root, "document_id");
	r->plan_id = send_reply_number(r->root, "plan_id");
	return 1;
}

/*
 * Reads every frame of one message; the reply is the first non-empty frame
 * (an empty delimiter, as a REQ-style peer would add, is tolerated).
 */
int
send_wire_recv(struct send_wire *w, struct send_reply *r)
{
	zmq_msg_t frame, reply;
	int have = 0, more, rc = 0, nframes = 0, leading_empty = 0;

	zmq_msg_init(&reply);
	do {
		zmq_msg_init(&frame);
		if (zmq_msg_recv(&frame, w->sock, nframes ? 0 : ZMQ_DONTWAIT) < 0) {
			if (zmq_errno() != EAGAIN && zmq_errno() != EINTR)
				log_warnx("send: receive from %s: %s",
				    w->endpoint, zmq_strerror(zmq_errno()));
			zmq_msg_close(&frame);
			zmq_msg_close(&reply);
			return -1;
		}
		nframes++;
		more = zmq_msg_more(&frame);
		if (nframes == 1 && zmq_msg_size(&frame) == 0)
			leading_empty = 1;
		if (!have && zmq_msg_size(&frame) > 0) {
			zmq_msg_move(&reply, &frame);
			have = 1;
		}
		zmq_msg_close(&frame);
	} while (more);
	if (nframes > 1 && !(nframes == 2 && leading_empty))
		log_warnx("send: reply had %d frames; using the first "
		    "non-empty one", nframes);
	if (have)
		rc = send_reply_parse(zmq_msg_data(&reply),
		    zmq_msg_size(&reply), r);
	else
		log_warnx("send: ignoring an empty reply");
	zmq_msg_close(&reply);
	return rc;
}

void
send_reply_clear(struct send_reply *r)
{
	json_decref(r->root);
	memset(r, 0, sizeof(*r));
}
