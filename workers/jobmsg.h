/*
 * jobmsg.h: the worker's end of the daemon<->worker protocol (lib/jobwire.h):
 * reading one message from planqd into frames, checking a JOB message into
 * the documents it carries, and the messages a worker sends back (READY,
 * PARSING, STORING, DONE, FATAL).  Kept apart from the worker's loop so
 * that a unit test and a fuzzer can feed it any bytes without a socket.
 */
#ifndef PLANQ_WORKER_JOBMSG_H
#define PLANQ_WORKER_JOBMSG_H

#include <stdint.h>
#include <zmq.h>

#include "job.h"
#include "jobwire.h"

/* One message from the daemon, as frames that stay valid until closed. */
struct jobmsg {
	zmq_msg_t	frames[JOBWIRE_MAX_FRAMES];
	int		n;
	int		truncated;	/* more frames came than fit: malformed */
};

/* Receives one whole message (blocking).  -1 on a socket error. */
int	jobmsg_recv(void *sock, struct jobmsg *m);
/* Builds a message from n byte strings (tests, fuzzers).  -1 when out of
 * memory; frames beyond JOBWIRE_MAX_FRAMES make it truncated. */
int	jobmsg_from_parts(struct jobmsg *m, const void *const *parts,
	    const size_t *lens, int n);
void	jobmsg_close(struct jobmsg *m);

/*
 * Reads a JOB message's documents into in[], ids[] and reasons[] (at most
 * JOBWIRE_BATCH_MAX each; in[] points into m's frames, reasons[] are
 * malloc'd copies the caller frees, also on failure).  Returns the count,
 * or -1 when the message is not a well-formed JOB.
 */
int	jobmsg_read_job(struct jobmsg *m, struct job_input *in, uint64_t *ids,
	    char **reasons);

/* The worker's messages to planqd.  -1 when the socket refuses. */
int	jobmsg_send_word(void *sock, const char *word);
int	jobmsg_send_done(void *sock, uint64_t id, const struct job_result *r);
int	jobmsg_send_fatal(void *sock, const char *why);

#endif
