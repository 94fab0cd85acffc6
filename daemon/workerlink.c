/*
 * workerlink.c: the daemon's end of the worker socket (workerlink.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "workerlink.h"

struct workerlink {
	zsock_t	*sock;
	char	 endpoint[256];
};

struct workerlink *
workerlink_open(const char *runtime_dir)
{
	struct workerlink *wl = calloc(1, sizeof(*wl));

	if (wl == NULL)
		return NULL;
	snprintf(wl->endpoint, sizeof(wl->endpoint), "ipc://%s/workers.sock",
	    runtime_dir);
	if ((wl->sock = zsock_new(ZMQ_ROUTER)) == NULL) {
		free(wl);
		return NULL;
	}
	zsock_set_router_mandatory(wl->sock, 1);
	zsock_set_sndhwm(wl->sock, 0);
	zsock_set_rcvhwm(wl->sock, 0);
	zsock_set_linger(wl->sock, 0);
	if (zsock_bind(wl->sock, "%s", wl->endpoint) < 0) {
		log_errx("cannot bind the worker socket %s: %s", wl->endpoint,
		    zmq_strerror(zmq_errno()));
		workerlink_destroy(&wl);
		return NULL;
	}
	return wl;
}

void
workerlink_destroy(struct workerlink **wlp)
{
	struct workerlink *wl = *wlp;

	if (wl == NULL)
		return;
	zsock_destroy(&wl->sock);
	free(wl);
	*wlp = NULL;
}

const char *
workerlink_endpoint(const struct workerlink *wl)
{
	return wl->endpoint;
}

zsock_t *
workerlink_sock(struct workerlink *wl)
{
	return wl->sock;
}

/* One document's four frames: header, envelope, body, quarantine reason. */
static void
workerlink_add_job(zmsg_t *msg, const struct job *job)
{
	unsigned char head[JOBWIRE_JOB_HEAD];
	struct jobwire_job jw = { job->id, job->quarantine_reason ?
	    JOBWIRE_QUARANTINE : JOBWIRE_PARSE };

	jobwire_job_pack(&jw, head);
	zmsg_addmem(msg, head, sizeof(head));
	zmsg_append(msg, &(zframe_t *){ zframe_dup(job->envelope) });
	zmsg_append(msg, &(zframe_t *){ zframe_dup(job->body) });
	zmsg_addstr(msg, job->quarantine_reason ? job->quarantine_reason : "");
}

int
workerlink_send(struct workerlink *wl, const char *identity,
    const struct job *batch)
{
	zmsg_t *msg = zmsg_new();

	zmsg_addstr(msg, identity);
	zmsg_addstr(msg, JOBWIRE_JOB);
	for (const struct job *job = batch; job != NULL; job = job->next)
		workerlink_add_job(msg, job);
	if (zmsg_send(&msg, wl->sock) != 0) {
		zmsg_destroy(&msg);
		return -1;
	}
	return 0;
}

/* A text frame into buf, NUL-terminated, cut to fit; "" if absent. */
static void
workerlink_text(zframe_t *f, char *buf, size_t len)
{
	size_t n = f ? zframe_size(f) : 0;

	if (n >= len)
		n = len - 1;
	if (n > 0)
		memcpy(buf, zframe_data(f), n);
	buf[n] = '\0';		/* a NUL inside ends the text early */
}

int
workerlink_decode(zmsg_t *msg, struct worker_msg *m)
{
	zframe_t *id = zmsg_first(msg), *type = zmsg_next(msg);
	size_t nframes = zmsg_size(msg);
	zframe_t *f2 = zmsg_next(msg), *f3 = zmsg_next(msg);

	memset(m, 0, sizeof(*m));
	/* a NUL would end the name early: "w0.1-42<NUL>x", a routing id
	 * libzmq lets through, would pass for the worker w0.1-42 */
	if (id == NULL || type == NULL ||
	    zframe_size(id) >= sizeof(m->identity) ||
	    memchr(zframe_data(id), '\0', zframe_size(id)) != NULL)
		return -1;
	memcpy(m->identity, zframe_data(id), zframe_size(id));
	m->type = jobwire_type_of(zframe_data(type), zframe_size(type));
	switch (m->type) {
	case JOBWIRE_T_READY:
	case JOBWIRE_T_PARSING:
	case JOBWIRE_T_STORING:
		return nframes == 2 ? 0 : -1;
	case JOBWIRE_T_FATAL:
		if (nframes != 3)
			return -1;
		workerlink_text(f2, m->text, sizeof(m->text));
		return 0;
	case JOBWIRE_T_DONE:
		/* only planqd spools: a worker saying so would tell a client
		 * that bytes nobody wrote down are safe */
		if (nframes != 4 || jobwire_done_unpack(zframe_data(f2),
		    zframe_size(f2), &m->done) != 0 ||
		    m->done.outcome == OUTCOME_SPOOLED)
			return -1;
		workerlink_text(f3, m->text, sizeof(m->text));
		return 0;
	default:
		return -1;
	}
}

int
workerlink_recv(struct workerlink *wl, struct worker_msg *m)
{
	zmsg_t *msg;
	int rc;

	if (!(zsock_events(wl->sock) & ZMQ_POLLIN) ||
	    (msg = zmsg_recv(wl->sock)) == NULL)
		return -1;
	rc = workerlink_decode(msg, m);
	if (rc != 0)
		log_warnx("worker %s sent a malformed message (%zu frames); "
		    "ignored", m->identity[0] ? m->identity : "?",
		    zmsg_size(msg));
	zmsg_destroy(&msg);
	return rc;
}
