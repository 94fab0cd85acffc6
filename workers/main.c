/*
 * main.c: planq-worker, one process of planqd's pool.  Connects to the
 * database, then to the daemon's worker socket, says READY and handles one
 * document at a time (job.c) until told to stop.  Runnable by hand for
 * debugging:  PLANQ_DB=… planq-worker --broker ipc:///run/planq/workers.sock
 *               --id w9.1 -v
 * A worker that cannot work (database refused, schema missing) says FATAL
 * with the reason and exits 78, so planqd does not respawn it in a loop.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <zmq.h>

#include "job.h"
#include "jobwire.h"
#include "log.h"
#include "sandbox.h"

/* "JOB" and five frames per document, up to planqd's batch_max of 64 */
#define WORKER_MAX_BATCH 64
#define WORKER_MMAP_THRESHOLD (16 << 20)
#define WORKER_TRIM_THRESHOLD (32 << 20)
#define WORKER_MAX_FRAMES (1 + 5 * WORKER_MAX_BATCH)

static volatile sig_atomic_t worker_stop;

static void
worker_on_signal(int sig)
{
	(void)sig;
	worker_stop = 1;
}

static void
worker_setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* if planqd dies, finish the document in hand and leave */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static int
worker_send_parts(void *sock, const char *const *parts, int n)
{
	for (int i = 0; i < n; i++)
		if (zmq_send(sock, parts[i], strlen(parts[i]),
		    i + 1 < n ? ZMQ_SNDMORE : 0) < 0)
			return -1;
	return 0;
}

/* One message from the daemon, as frames that stay valid until closed. */
struct worker_msg {
	zmq_msg_t	frames[WORKER_MAX_FRAMES];
	int		n;
	int		truncated;
};

static int
worker_recv(void *sock, struct worker_msg *m)
{
	int more = 1;
	zmq_msg_t extra;

	m->n = 0;
	m->truncated = 0;
	while (more) {
		zmq_msg_t *f = m->n < WORKER_MAX_FRAMES ? &m->frames[m->n] : &extra;
		zmq_msg_init(f);
		if (zmq_msg_recv(f, sock, 0) < 0) {
			zmq_msg_close(f);
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

static void
worker_msg_close(struct worker_msg *m)
{
	for (int i = 0; i < m->n; i++)
		zmq_msg_close(&m->frames[i]);
	m->n = 0;
}

/* A NUL-terminated copy of a frame, for the short text frames. */
static char *
worker_frame_str(zmq_msg_t *f)
{
	return strndup(zmq_msg_data(f), zmq_msg_size(f));
}

/* Sends DONE for each document of a batch, after the batch committed. */
static int
worker_send_replies(void *sock, struct worker_msg *m, char **replies, int n)
{
	int rc = 0;

	for (int i = 0; i < n; i++) {
		char *jobid = worker_frame_str(&m->frames[1 + 5 * i]);
		const char *parts[] = { JOBWIRE_DONE, jobid, replies[i] };

		if (jobid == NULL || replies[i] == NULL) {
			log_errx("out of memory answering a batch");
			rc = -1;
		} else if (rc == 0) {
			rc = worker_send_parts(sock, parts, 3);
		}
		free(jobid);
	}
	return rc;
}

/*
 * Parses the batch, tells planqd that the parsing is over (STORING: from
 * now on the worker waits for the database, which its statement_timeout
 * bounds, and planqd's job_timeout no longer applies), then stores it.
 * replies[i] as job_batch_store; -1 if planqd cannot be told.
 */
static int
worker_run_batch(void *sock, struct store *st, const struct job_input *in,
    int n, char **replies)
{
	const char *storing[] = { JOBWIRE_STORING };
	struct job_batch *b = job_batch_prepare(in, n);

	for (int i = 0; i < n; i++)
		replies[i] = NULL;
	if (b == NULL) {
		log_errx("out of memory preparing a batch of %d", n);
		return 0;	/* every reply NULL: answered as such */
	}
	if (worker_send_parts(sock, storing, 1) != 0) {
		job_batch_free(&b);
		return -1;
	}
	job_batch_store(st, b, replies);
	job_batch_free(&b);
	return 0;
}

/*
 * A JOB message: "JOB", then for each document id, kind, envelope, body,
 * reason.  The documents are decided and committed together.
 */
static int
worker_handle(void *sock, struct store *st, struct worker_msg *m)
{
	struct job_input in[WORKER_MAX_BATCH];
	char *kinds[WORKER_MAX_BATCH], *reasons[WORKER_MAX_BATCH];
	char *replies[WORKER_MAX_BATCH];
	int n = (m->n - 1) / 5, rc;

	if (m->n < 6 || (m->n - 1) % 5 != 0 || m->truncated ||
	    zmq_msg_size(&m->frames[0]) != strlen(JOBWIRE_JOB) ||
	    memcmp(zmq_msg_data(&m->frames[0]), JOBWIRE_JOB,
	    strlen(JOBWIRE_JOB)) != 0) {
		log_warnx("malformed message from planqd (%d frames) ignored",
		    m->n);
		return 0;
	}
	memset(in, 0, sizeof(in));
	for (int i = 0; i < n; i++) {
		zmq_msg_t *f = &m->frames[1 + 5 * i];
		kinds[i] = worker_frame_str(&f[1]);
		reasons[i] = worker_frame_str(&f[4]);
		in[i].kind = kinds[i] ? kinds[i] : "";
		in[i].envelope = zmq_msg_data(&f[2]);
		in[i].envelope_len = zmq_msg_size(&f[2]);
		in[i].body = zmq_msg_data(&f[3]);
		in[i].body_len = zmq_msg_size(&f[3]);
		in[i].quarantine_reason = reasons[i];
	}
	rc = worker_run_batch(sock, st, in, n, replies);
	if (rc == 0)
		rc = worker_send_replies(sock, m, replies, n);
	for (int i = 0; i < n; i++) {
		free(kinds[i]);
		free(reasons[i]);
		free(replies[i]);
	}
	return rc;
}

static int
worker_loop(void *sock, struct store *st)
{
	const char *ready[] = { JOBWIRE_READY };

	if (worker_send_parts(sock, ready, 1) != 0)
		return -1;
	while (!worker_stop) {
		zmq_pollitem_t item = { sock, 0, ZMQ_POLLIN, 0 };
		struct worker_msg m;
		int rc;

		rc = zmq_poll(&item, 1, 1000);
		if (rc < 0 && zmq_errno() == EINTR)
			continue;
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		if (worker_recv(sock, &m) != 0)
			continue;
		rc = worker_handle(sock, st, &m);
		worker_msg_close(&m);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static void
worker_fatal(void *sock, const char *why)
{
	const char *parts[] = { JOBWIRE_FATAL, why };

	log_errx("%s", why);
	worker_send_parts(sock, parts, 2);
}

static void
usage(void)
{
	fprintf(stderr, "usage: planq-worker --broker ENDPOINT --id NAME [-v]\n"
	    "         [--no-sandbox] [--max-memory BYTES] [--db-retry-seconds N]\n"
	    "         [--db-timeout SECONDS]\n"
	    "The database DSN comes from PLANQ_DB or libpq's environment.\n");
}

/*
 * A batch's buffers (the documents' bytes, their text at each stage, the
 * parameter arrays) are a few hundred KB to a few MB, freed after every
 * batch.  With glibc's defaults the larger ones came from fresh mmap()s and
 * the freed heap top went back to the kernel, so every batch paid page
 * faults on zeroed pages again (worker CPU 0.54-0.59 ms per bench document
 * against 0.48-0.51 with these settings, bench/RESULTS.md).  Buffers up
 * to 16 MB now come from the heap, and up to 32 MB of freed heap is kept
 * for the next batch; after a larger document the rest goes back.
 */
static void
worker_tune_malloc(void)
{
	if (mallopt(M_MMAP_THRESHOLD, WORKER_MMAP_THRESHOLD) != 1 ||
	    mallopt(M_TRIM_THRESHOLD, WORKER_TRIM_THRESHOLD) != 1)
		log_warnx("mallopt refused; allocation settings left as they are");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "broker", required_argument, NULL, 'b' },
		{ "id", required_argument, NULL, 'i' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-sandbox", no_argument, NULL, 'S' },
		{ "max-memory", required_argument, NULL, 'm' },
		{ "db-retry-seconds", required_argument, NULL, 'r' },
		{ "db-timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct sandbox_opts sandbox = { 1, 0 };
	int db_retry_seconds = 30, db_timeout = 60;
	const char *broker = NULL, *id = NULL;
	char name[64], appname[64], why[600];
	struct store st;
	void *ctx, *sock;
	int c, rc, level = LOG_INFO, linger = 2000;

	while ((c = getopt_long(argc, argv, "b:i:v", opts, NULL)) != -1) {
		switch (c) {
		case 'b': broker = optarg; break;
		case 'i': id = optarg; break;
		case 'v': level = LOG_DEBUG; break;
		case 'S': sandbox.enabled = 0; break;
		case 'm': sandbox.max_memory = strtoull(optarg, NULL, 10); break;
		case 'r': db_retry_seconds = (int)strtol(optarg, NULL, 10); break;
		case 't': db_timeout = (int)strtol(optarg, NULL, 10); break;
		default: usage(); return 2;
		}
	}
	if (broker == NULL || id == NULL || optind != argc) {
		usage();
		return 2;
	}
	snprintf(name, sizeof(name), "planq-worker[%s]", id);
	log_init(name, level);
	worker_tune_malloc();
	worker_setup_signals();
	snprintf(appname, sizeof(appname), "planq-worker %s pid=%d", id,
	    (int)getpid());

	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(sock, ZMQ_ROUTING_ID, id, strlen(id));
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	/* a worker serves the planqd that started it and no other; if that
	 * planqd is gone, a reply cannot wait for it forever */
	zmq_setsockopt(sock, ZMQ_RECONNECT_IVL, &(int){ -1 }, sizeof(int));
	zmq_setsockopt(sock, ZMQ_SNDTIMEO, &(int){ 10000 }, sizeof(int));
	if (zmq_connect(sock, broker) != 0) {
		log_errx("cannot connect to planqd at %s: %s", broker,
		    zmq_strerror(zmq_errno()));
		zmq_close(sock);
		zmq_ctx_term(ctx);
		return JOBWIRE_EXIT_CONFIG;
	}
	if (store_open(&st, getenv(JOBWIRE_ENV_DB), appname, db_timeout, why,
	    sizeof(why)) != 0) {
		worker_fatal(sock, why);
		store_close(&st);
		zmq_close(sock);
		zmq_ctx_term(ctx);
		return JOBWIRE_EXIT_CONFIG;
	}
	st.retry_seconds = db_retry_seconds;
	if (sandbox_enter(&sandbox, why, sizeof(why)) != 0) {
		worker_fatal(sock, why);
		store_close(&st);
		zmq_close(sock);
		zmq_ctx_term(ctx);
		return JOBWIRE_EXIT_CONFIG;
	}
	log_debug("connected to the database and to %s", broker);
	rc = worker_loop(sock, &st);
	store_close(&st);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return rc == 0 ? 0 : 1;
}
