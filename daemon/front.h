/*
 * front.h: the crawlers' socket (wire protocol v1, docs/PROTOCOL.md): a
 * ZeroMQ ROUTER bound to every listen endpoint, optionally with CurveZMQ,
 * whose reading the broker switches on and off (backpressure).  It checks
 * each message (frames, envelope, body size) into a job or a rejection,
 * and carries replies back; what to answer is the broker's decision.
 */
#ifndef PLANQD_FRONT_H
#define PLANQD_FRONT_H

#include <stddef.h>
#include <czmq.h>

#include "config.h"
#include "outcome.h"
#include "queue.h"
#include "stats.h"

struct curve;
struct front;

/* cfg must outlive the front; stats counts ended client connections. */
struct front *front_new(const struct config *cfg, zloop_t *loop,
	    struct stats *stats);
/* Sets up authentication (curve.h: *curvep) and binds every endpoint.
 * -1 with a log line. */
int	front_open(struct front *f, struct curve **curvep);
void	front_destroy(struct front **fp);

/* Reading on (the loop calls fn(…, arg) when a message waits) or off. */
void	front_set_reading(struct front *f, int on, zloop_reader_fn *fn,
	    void *arg);
int	front_reading(const struct front *f);
/* The next message, or NULL when none is waiting. */
zmsg_t	*front_recv(struct front *f);
/* Sends a reply to the job's client (none for a replay). */
void	front_reply(struct front *f, const struct job *job, const char *json);

/* The largest frame libzmq reads; a larger one drops the connection. */
size_t	front_frame_limit(size_t max_body);

/*
 * Checks one received message (routing id first) against the protocol.
 * Returns a new job that owns the message's frames, with client_id and
 * source_url salvaged for the reply and the log; *why is REASON_NONE for a
 * document to take, else the rejection's code with its text in text[].
 * NULL only when out of memory.
 */
struct job *front_check(zmsg_t *msg, size_t max_body, enum reason *why,
	    char *text, size_t textlen);

#endif
