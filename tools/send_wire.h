/*
 * send_wire.h: the client side of wire protocol v1 for `planq send`: owns
 * the DEALER socket (open, Lazy Pirate close-and-reopen, send the two
 * frames) and turns a reply frame into a checked struct send_reply.
 */
#ifndef PLANQ_SEND_WIRE_H
#define PLANQ_SEND_WIRE_H

#include <stddef.h>

#include <jansson.h>

#include "send_curve.h"

struct send_wire {
	void		*ctx;		/* owned ZeroMQ context */
	void		*sock;		/* owned DEALER socket, or NULL */
	const char	*endpoint;	/* borrowed */
	struct send_curve curve;	/* set before open; owned */
};

/* Creates the context and connects.  -1 with a reason in why[]. */
int	send_wire_open(struct send_wire *w, const char *endpoint, char *why,
	    size_t whylen);
/* Lazy Pirate: drop the socket (LINGER 0) and connect a fresh one. */
int	send_wire_reopen(struct send_wire *w, char *why, size_t whylen);
void	send_wire_close(struct send_wire *w);

/* Queues one message: envelope frame + document frame.  0 or -1 (logged). */
int	send_wire_send(struct send_wire *w, const char *envelope,
	    const void *bytes, size_t len);

struct send_reply {
	json_t		*root;		/* owned, the parsed reply object */
	const char	*id;		/* the rest is borrowed from root */
	const char	*status;
	const char	*reason;	/* NULL if absent, null or empty */
	json_t		*document_id;	/* NULL if absent */
	json_t		*plan_id;
};

/*
 * Receives one message without blocking.  Returns 1 with *r filled (caller
 * must send_reply_clear), 0 if a message arrived but was unusable (logged to
 * stderr and dropped), -1 if nothing was waiting (or on error, logged).
 */
int	send_wire_recv(struct send_wire *w, struct send_reply *r);
void	send_reply_clear(struct send_reply *r);

#endif
