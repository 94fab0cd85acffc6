/*
 * workerlink.h: the socket between planqd and its workers (lib/jobwire.h):
 * a ZeroMQ ROUTER on ipc://RUNDIR/workers.sock with ROUTER_MANDATORY, so a
 * send to a worker that has gone away fails at once.  Sends JOB batches;
 * reads and checks what workers say into typed messages.  A confused or
 * compromised worker's message is refused here, never trusted.
 */
#ifndef PLANQD_WORKERLINK_H
#define PLANQD_WORKERLINK_H

#include <czmq.h>

#include "jobwire.h"
#include "queue.h"

/* One message from a worker, checked. */
struct worker_msg {
	char			 identity[40];
	enum jobwire_type	 type;	/* READY, PARSING, STORING, DONE, FATAL */
	struct jobwire_done	 done;	/* DONE */
	char			 text[JOBWIRE_REASON_MAX];	/* DONE, FATAL */
};

struct workerlink;

/* Binds the socket in runtime_dir.  NULL with a log line on failure. */
struct workerlink *workerlink_open(const char *runtime_dir);
void	workerlink_destroy(struct workerlink **wlp);
const char *workerlink_endpoint(const struct workerlink *wl);
zsock_t *workerlink_sock(struct workerlink *wl);

/* One JOB message with the chain's documents; -1 if the worker is gone. */
int	workerlink_send(struct workerlink *wl, const char *identity,
	    const struct job *batch);
/* The next message, checked: 0, or -1 when none waits or it is malformed
 * (a malformed one is logged and dropped). */
int	workerlink_recv(struct workerlink *wl, struct worker_msg *m);

/* The check itself, on a received message (routing id first): a routing
 * id that is a name (no NUL, under 40 bytes), a known type with its
 * frames, a DONE whose outcome a worker may give (not "spooled"). */
int	workerlink_decode(zmsg_t *msg, struct worker_msg *m);

#endif
