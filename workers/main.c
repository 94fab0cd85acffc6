/*
 * main.c: planq-worker, one process of planqd's pool.  Connects to the
 * database, then to the daemon's worker socket, warms its session up
 * (warmup.c), says READY and handles
 * batches of documents (job.c: parse, say STORING, store, one DONE per
 * document; lib/jobwire.h) until told to stop, parsing the next batch
 * while the database works on the one before (struct worker below).  Runnable by hand for
 * debugging:  PLANQ_DB=… planq-worker --broker ipc:///run/planq/workers.sock
 *               --id w9.1 -v
 * The protocol's frames are read and written by jobmsg.c.
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
#include <unistd.h>
#include <zmq.h>

#include "job.h"
#include "jobmsg.h"
#include "jobwire.h"
#include "log.h"
#include "maintain.h"
#include "sandbox.h"
#include "warmup.h"

#define WORKER_MMAP_THRESHOLD (16 << 20)
#define WORKER_TRIM_THRESHOLD (32 << 20)
/* the maintenance session, opened before READY (maintain.h) */
#define MAINTAIN_OPEN_MS 2000

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
	/* if planqd dies, its SIGTERM (PR_SET_PDEATHSIG, set by planqd's
	 * child before the exec: daemon/supervisor.c) ends the worker
	 * after the document in hand */
}

/* Sends DONE for each document of a batch, after the batch committed. */
static int
worker_send_results(void *sock, const uint64_t *ids,
    const struct job_result *results, int n)
{
	for (int i = 0; i < n; i++) {
		struct job_result oom = { 1, OUTCOME_RETRY, REASON_OTHER, 0, 0,
		    "the worker ran out of memory; send again later", 0 };
		const struct job_result *r = results[i].answered ? &results[i] :
		    &oom;

		if (!results[i].answered)
			log_errx("out of memory answering a batch");
		if (jobmsg_send_done(sock, ids[i], r) != 0)
			return -1;
	}
	return 0;
}

/*
 * A JOB message in hand: its frames (in[] points into them), its
 * documents' ids, the batch made of them and, once committed, their
 * answers.  Owned by the worker until every answer is sent.
 */
struct worker_batch {
	struct jobmsg		 m;
	struct job_input	 in[JOBWIRE_BATCH_MAX];
	uint64_t		 ids[JOBWIRE_BATCH_MAX];
	char			*reasons[JOBWIRE_BATCH_MAX];
	int			 n;
	struct job_batch	*b;	/* NULL: out of memory */
	struct job_result	 results[JOBWIRE_BATCH_MAX];
};

static void
worker_batch_free(struct worker_batch **wbp)
{
	struct worker_batch *wb = *wbp;

	if (wb == NULL)
		return;
	for (int i = 0; i < JOBWIRE_BATCH_MAX; i++)
		free(wb->reasons[i]);
	job_batch_free(&wb->b);
	jobmsg_close(&wb->m);
	free(wb);
	*wbp = NULL;
}

/*
 * The worker holds at most two batches (lib/jobwire.h): one whose
 * statement the database is working on, and the next one, parsed while
 * that commits and stored only after its answers went out.  So a
 * worker's core parses while its backend stores, every reply still
 * follows its own commit, and one connection runs one transaction at a
 * time, in the order planqd sent the batches.
 */
struct worker {
	void			*sock;
	struct store		*st;
	struct maintain		*mt;		/* its maintenance session */
	struct worker_batch	*storing;	/* sent to the database */
	struct worker_batch	*next;		/* parsed, waits for storing */
	int			 broken;	/* planqd cannot be told */
};

/* Answers the batch in the database once committed; the next one goes. */
static void
worker_finish(struct worker *w)
{
	struct worker_batch *wb = w->storing;

	w->storing = NULL;
	if (wb->b != NULL)
		job_batch_answer(w->st, wb->b, wb->results);
	for (int i = 0; i < wb->n; i++)
		if (wb->results[i].answered &&
		    wb->results[i].outcome == OUTCOME_STORED)
			maintain_stored(w->mt, 1);
	if (worker_send_results(w->sock, wb->ids, wb->results, wb->n) != 0)
		w->broken = 1;
	worker_batch_free(&wb);
	if ((w->storing = w->next) != NULL) {
		w->next = NULL;
		if (w->storing->b != NULL)
			job_batch_send(w->st, w->storing->b);
	}
}

/* The batch in the database has its answer (finishing it waits for no
 * first answer; it may still store its documents one by one or retry). */
static int
worker_storing_ready(struct worker *w)
{
	return w->storing != NULL && (w->storing->b == NULL ||
	    job_batch_poll(w->st, w->storing->b));
}

/*
 * Before each document of a batch being parsed: a batch whose statement
 * succeeded meanwhile is committed (store.c: the worker waits for that
 * COMMIT, so no commit is ever unanswered while a document is parsed) and
 * answered at once.  Anything slower (a refused batch stored one by one,
 * retries) waits until this batch is parsed and STORING said, so that
 * planqd's job_timeout never runs while the worker waits for a statement.
 */
static void
worker_between(void *arg)
{
	struct worker *w = arg;

	if (w->storing != NULL && (w->storing->b == NULL ||
	    job_batch_quick(w->st, w->storing->b)))
		worker_finish(w);
}

/*
 * Takes a JOB message: parses its batch (saying PARSING first when
 * another batch is in the database), builds its statement, says STORING
 * (from now on it only waits for the database, which its
 * statement_timeout bounds, and planqd's job_timeout no longer applies),
 * then sends it, or keeps it until the batch before it is answered.
 */
static void
worker_take(struct worker *w)
{
	struct worker_batch *wb = calloc(1, sizeof(*wb));

	if (wb == NULL) {
		log_errx("out of memory receiving a batch");
		w->broken = 1;
		return;
	}
	if (jobmsg_recv(w->sock, &wb->m) != 0) {
		free(wb);
		return;
	}
	if ((wb->n = jobmsg_read_job(&wb->m, wb->in, wb->ids,
	    wb->reasons)) <= 0) {
		log_warnx("malformed message from planqd (%d frames) ignored",
		    wb->m.n);
		worker_batch_free(&wb);
		return;
	}
	if (w->storing != NULL && jobmsg_send_word(w->sock,
	    JOBWIRE_PARSING) != 0)
		w->broken = 1;
	wb->b = job_batch_prepare(wb->in, wb->n, worker_between, w);
	if (wb->b == NULL)
		log_errx("out of memory preparing a batch of %d", wb->n);
	else if (job_batch_build(w->st, wb->b) != 0)
		log_errx("out of memory building a batch of %d", wb->n);
	if (jobmsg_send_word(w->sock, JOBWIRE_STORING) != 0)
		w->broken = 1;
	if (w->storing != NULL) {
		w->next = wb;
		return;
	}
	w->storing = wb;
	if (wb->b != NULL)
		job_batch_send(w->st, wb->b);
}

static int
worker_loop(void *sock, struct store *st, struct maintain *mt)
{
	struct worker w = { .sock = sock, .st = st, .mt = mt };

	if (jobmsg_send_word(sock, JOBWIRE_READY) != 0)
		return -1;
	while (!w.broken && (!worker_stop || w.storing != NULL ||
	    w.next != NULL)) {
		zmq_pollitem_t items[3];
		int take = !worker_stop && w.next == NULL, ni = 0, rc, fd, wr;

		if (worker_storing_ready(&w)) {
			worker_finish(&w);
			continue;
		}
		maintain_tick(mt, w.storing != NULL || w.next != NULL);
		if (take)
			items[ni++] = (zmq_pollitem_t){ sock, 0, ZMQ_POLLIN, 0 };
		if (w.storing != NULL)
			items[ni++] = (zmq_pollitem_t){ NULL,
			    job_batch_socket(st, w.storing->b), ZMQ_POLLIN, 0 };
		if ((fd = maintain_socket(mt, &wr)) >= 0)
			items[ni++] = (zmq_pollitem_t){ NULL, fd,
			    wr ? ZMQ_POLLOUT : ZMQ_POLLIN, 0 };
		rc = zmq_poll(items, ni, 1000);
		if (rc < 0 && zmq_errno() == EINTR)
			continue;
		if (rc < 0)
			return -1;
		if (take && (items[0].revents & ZMQ_POLLIN))
			worker_take(&w);
	}
	worker_batch_free(&w.storing);
	worker_batch_free(&w.next);
	return w.broken ? -1 : 0;
}

static void
worker_fatal(void *sock, const char *why)
{
	log_errx("%s", why);
	if (jobmsg_send_fatal(sock, why) != 0)
		log_warnx("cannot tell planqd why: %s", zmq_strerror(zmq_errno()));
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
	struct maintain mt;
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
	maintain_init(&mt, st.dsn, st.appname);
	if (st.conn != NULL) {
		warmup_run(&st);
		maintain_open(&mt, MAINTAIN_OPEN_MS);
	}
	rc = worker_loop(sock, &st, &mt);
	maintain_close(&mt);
	store_close(&st);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return rc == 0 ? 0 : 1;
}
