/*
 * jobmsg.c: the worker's end of the daemon<->worker protocol (jobmsg.h).
 * Nothing planqd sends is trusted further than its frames' sizes: a JOB
 * message is checked frame by frame (lib/jobwire.h) before any document in
 * it is looked at.
 */
#include <stdlib.h>
#include <string.h>

#include "jobmsg.h"

int
jobmsg_recv(void *sock, struct jobmsg *m)
{
	int more = 1;
	zmq_msg_t extra;

	m->n = 0;
	m->truncated = 0;
	while (more) {
		zmq_msg_t *f = m->n < JOBWIRE_MAX_FRAMES ? &m->frames[m->n] :
		    &extra;
		zmq_msg_init(f);
		if (zmq_msg_recv(f, sock, 0) < 0) {
			zmq_msg_close(f);
			jobmsg_close(m);
			return -1;
		}
		more = zmq_msg_more(f);
		if (f == &extra) {
			zmq_msg_close(f);
			m->truncated = 1;
		} else {
			m->n++;
		}
	}
	return 0;
}

int
jobmsg_from_parts(struct jobmsg *m, const void *const *parts,
    const size_t *lens, int n)
{
	m->n = 0;
	m->truncated = n > JOBWIRE_MAX_FRAMES;
	for (int i = 0; i < n && i < JOBWIRE_MAX_FRAMES; i++) {
		zmq_msg_t *f = &m->frames[m->n];

		if (zmq_msg_init_size(f, lens[i]) != 0) {
			jobmsg_close(m);
			return -1;
		}
		if (lens[i] > 0)
			memcpy(zmq_msg_data(f), parts[i], lens[i]);
		m->n++;
	}
	return 0;
}

void
jobmsg_close(struct jobmsg *m)
{
	for (int i = 0; i < m->n; i++)
		zmq_msg_close(&m->frames[i]);
	m->n = 0;
}

/* A NUL-terminated copy of a frame, for the short text frames. */
static char *
jobmsg_frame_str(zmq_msg_t *f)
{
	return strndup(zmq_msg_data(f), zmq_msg_size(f));
}

int
jobmsg_read_job(struct jobmsg *m, struct job_input *in, uint64_t *ids,
    char **reasons)
{
	int n = (m->n - 1) / JOBWIRE_JOB_FRAMES;

	if (m->truncated || m->n < 1 + JOBWIRE_JOB_FRAMES ||
	    (m->n - 1) % JOBWIRE_JOB_FRAMES != 0 || n > JOBWIRE_BATCH_MAX ||
	    jobwire_type_of(zmq_msg_data(&m->frames[0]),
	    zmq_msg_size(&m->frames[0])) != JOBWIRE_T_JOB)
		return -1;
	for (int i = 0; i < n; i++) {
		zmq_msg_t *f = &m->frames[1 + JOBWIRE_JOB_FRAMES * i];
		struct jobwire_job head;

		if (jobwire_job_unpack(zmq_msg_data(&f[0]), zmq_msg_size(&f[0]),
		    &head) != 0)
			return -1;
		ids[i] = head.id;
		in[i].kind = head.kind;
		in[i].envelope = zmq_msg_data(&f[1]);
		in[i].envelope_len = zmq_msg_size(&f[1]);
		in[i].body = zmq_msg_data(&f[2]);
		in[i].body_len = zmq_msg_size(&f[2]);
		reasons[i] = jobmsg_frame_str(&f[3]);
		in[i].quarantine_reason = reasons[i];
	}
	return n;
}

/* Sends frames; lens[i] < 0 means strlen(parts[i]). */
static int
jobmsg_send_frames(void *sock, const void *const *parts, const long *lens,
    int n)
{
	for (int i = 0; i < n; i++) {
		size_t len = lens[i] < 0 ? strlen(parts[i]) : (size_t)lens[i];

		if (zmq_send(sock, parts[i], len, i + 1 < n ? ZMQ_SNDMORE : 0) < 0)
			return -1;
	}
	return 0;
}

int
jobmsg_send_word(void *sock, const char *word)
{
	const void *parts[] = { word };
	const long lens[] = { -1 };

	return jobmsg_send_frames(sock, parts, lens, 1);
}

/* DONE for one document: its header, then the reason text. */
int
jobmsg_send_done(void *sock, uint64_t id, const struct job_result *r)
{
	unsigned char head[JOBWIRE_DONE_HEAD];
	struct jobwire_done done = {
		.id = id, .document_id = r->document_id, .plan_id = r->plan_id,
		.outcome = r->outcome, .reason = r->reason,
		.warnings = r->warnings,
	};
	const void *parts[] = { JOBWIRE_DONE, head, r->text };
	const long lens[] = { -1, JOBWIRE_DONE_HEAD, -1 };

	jobwire_done_pack(&done, head);
	return jobmsg_send_frames(sock, parts, lens, 3);
}

int
jobmsg_send_fatal(void *sock, const char *why)
{
	const void *parts[] = { JOBWIRE_FATAL, why };
	const long lens[] = { -1, -1 };

	return jobmsg_send_frames(sock, parts, lens, 2);
}
