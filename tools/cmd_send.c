/*
 * cmd_send.c: `planq send`: its options, and the Lazy Pirate loop that keeps
 * up to --concurrency documents in flight over one DEALER socket, matches
 * replies by id, resends on silence (on a fresh socket) and backs off on
 * "retry".  Documents come from send_input.c, lines go out via send_report.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "clock.h"
#include "commands.h"
#include "log.h"
#include "send_input.h"
#include "send_report.h"
#include "send_wire.h"

#define SEND_DEFAULT_ENDPOINT	"tcp://127.0.0.1:5570"
#define SEND_DEFAULT_CONCURRENCY 8
#define SEND_MAX_CONCURRENCY	10000
#define SEND_DEFAULT_TIMEOUT	30.0
#define SEND_DEFAULT_RETRIES	3
#define SEND_MAX_RETRIES	1000
#define SEND_BACKOFF_FIRST_MS	500
#define SEND_BACKOFF_MAX_MS	10000
#define SEND_ID_MAX		128

struct send_opts {
	const char		*endpoint;
	long			 concurrency;
	double			 timeout;	/* seconds */
	long			 retries;
	int			 quiet;
	const char		*server_key;	/* CurveZMQ, send_curve.c */
	const char		*client_cert;
	struct send_envelope_opts env;
};

enum send_doc_state {
	SEND_DOC_FREE,		/* slot unused */
	SEND_DOC_WAITING,	/* sent, waiting for the reply until due */
	SEND_DOC_BACKOFF,	/* answered "retry", resend at due */
};

/* One document in flight; its payload is owned from load to final reply. */
struct send_doc {
	enum send_doc_state	 state;
	const struct send_input	*input;		/* borrowed from run->inputs */
	char			 id[SEND_ID_MAX];
	struct send_payload	 payload;
	int64_t			 due;		/* monotonic ms */
	int64_t			 first_sent;
	long			 silences;	/* timeouts without a reply */
	long			 retried;	/* "retry" replies */
};

struct send_run {
	struct send_opts	 opts;
	struct send_input_list	 inputs;	/* owned */
	size_t			 next_input;
	struct send_doc		*docs;		/* owned, opts.concurrency slots */
	size_t			 inflight;
	struct send_wire	 wire;		/* owned */
	struct send_report	 report;
	char			 id_prefix[SEND_ID_MAX / 2];
	unsigned long long	 next_seq;
	int64_t			 timeout_ms;
	int64_t			 last_rx;	/* when anything last arrived */
	int			 gave_up;
};

static volatile sig_atomic_t send_interrupted;
static int send_sigpipe[2] = { -1, -1 };

/* ---- small helpers ------------------------------------------------------ */

static void
send_on_signal(int sig)
{
	int saved = errno;
	ssize_t n;

	(void)sig;
	send_interrupted = 1;
	n = write(send_sigpipe[1], "", 1);	/* wakes zmq_poll */
	(void)n;
	errno = saved;
}

static int
send_signals_install(void)
{
	struct sigaction sa;

	if (pipe2(send_sigpipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = send_on_signal;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGINT, &sa, NULL) | sigaction(SIGTERM, &sa, NULL);
}

static void
send_signals_remove(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	for (int i = 0; i < 2; i++) {
		if (send_sigpipe[i] >= 0)
			close(send_sigpipe[i]);
		send_sigpipe[i] = -1;
	}
}

/* "<hostname>-<pid>"; ids are "<prefix>-<seq>" */
static void
send_make_prefix(char *buf, size_t buflen)
{
	char host[64];

	if (gethostname(host, sizeof(host)) != 0)
		strcpy(host, "planq");
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			*p = '_';
	/* the host part is cut to leave room for the pid */
	snprintf(buf, buflen, "%.40s-%ld", host, (long)getpid());
}

/* ---- options ------------------------------------------------------------ */

static void
send_usage_short(FILE *out)
{
	fprintf(out,
	    "usage: planq send [--to ENDPOINT] [--concurrency N] "
	    "[--timeout SECONDS]\n"
	    "                  [--retries N] [--content-type TYPE] "
	    "[--source-url URL] [--quiet]\n"
	    "                  [--server-key FILE|Z85 --client-cert FILE]\n"
	    "                  FILE|DIR|- ...\n");
}

static void
send_usage(FILE *out)
{
	send_usage_short(out);
	fprintf(out,
	    "  --to ENDPOINT[,...] planqd endpoint(s), dealt round-robin (default $PLANQ_ENDPOINT or "
	    SEND_DEFAULT_ENDPOINT ")\n"
	    "  --concurrency N    documents in flight (default %d)\n"
	    "  --timeout SECONDS  wait for each reply (default %g)\n"
	    "  --retries N        resends on silence or \"retry\" (default %d)\n"
	    "  --content-type T   content type of every document\n"
	    "  --source-url URL   source URL (default file://ABSOLUTE-PATH)\n"
	    "  --quiet            print only the summary\n"
	    "  --server-key K     CurveZMQ: planqd's public certificate file or "
	    "Z85 key\n"
	    "  --client-cert F    CurveZMQ: this client's NAME_secret from "
	    "'planq keygen'\n",
	    SEND_DEFAULT_CONCURRENCY, SEND_DEFAULT_TIMEOUT,
	    SEND_DEFAULT_RETRIES);
}

/* A usage error: the message (if any), the short usage; exit status 2. */
static int
send_usage_error(const char *msg, const char *arg)
{
	if (msg != NULL)
		fprintf(stderr, "planq send: %s%s%s\n", msg, arg ? " " : "",
		    arg ? arg : "");
	send_usage_short(stderr);
	fprintf(stderr, "run 'planq send --help' for the options\n");
	return 2;
}

static int
send_parse_long(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "planq send: %s must be a number from %ld to "
		    "%ld, not '%s'\n", opt, min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int
send_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0.001) ||
	    v > 86400) {
		fprintf(stderr, "planq send: --timeout must be a number of "
		    "seconds from 0.001 to 86400, not '%s'\n", s);
		return -1;
	}
	*out = v;
	return 0;
}

static void
send_opts_default(struct send_opts *o)
{
	const char *env = getenv("PLANQ_ENDPOINT");

	memset(o, 0, sizeof(*o));
	o->endpoint = (env != NULL && *env != '\0') ? env :
	    SEND_DEFAULT_ENDPOINT;
	o->concurrency = SEND_DEFAULT_CONCURRENCY;
	o->timeout = SEND_DEFAULT_TIMEOUT;
	o->retries = SEND_DEFAULT_RETRIES;
}

static int
send_parse_one(struct send_opts *o, int c, const char *arg)
{
	switch (c) {
	case 't':
		o->endpoint = arg;
		return 0;
	case 'c':
		return send_parse_long("--concurrency", arg, 1,
		    SEND_MAX_CONCURRENCY, &o->concurrency);
	case 'T':
		return send_parse_seconds(arg, &o->timeout);
	case 'r':
		return send_parse_long("--retries", arg, 0, SEND_MAX_RETRIES,
		    &o->retries);
	case 'C':
		o->env.content_type = arg;
		return 0;
	case 'u':
		o->env.source_url = arg;
		return 0;
	case 'q':
		o->quiet = 1;
		return 0;
	case 'K':
		o->server_key = arg;
		return 0;
	case 'k':
		o->client_cert = arg;
		return 0;
	default:
		return -1;
	}
}

/* 0: run, 1: --help shown, 2: usage error (reported).  *first: operands */
static int
send_parse_opts(int argc, char **argv, struct send_opts *o, int *first)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "retries", required_argument, NULL, 'r' },
		{ "content-type", required_argument, NULL, 'C' },
		{ "source-url", required_argument, NULL, 'u' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "server-key", required_argument, NULL, 'K' },
		{ "client-cert", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	send_opts_default(o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		if (c == 'h') {
			send_usage(stdout);
			return 1;
		}
		if (c == '?')
			return send_usage_error("unknown option",
			    argv[optind - 1]);
		if (c == ':')
			return send_usage_error("missing value for",
			    argv[optind - 1]);
		if (send_parse_one(o, c, optarg) != 0)
			return send_usage_error(NULL, NULL);	/* said why */
	}
	if (optind >= argc)
		return send_usage_error("no FILE, DIR or - given", NULL);
	if (*o->endpoint == '\0')
		return send_usage_error("empty --to endpoint", NULL);
	*first = optind;
	return 0;
}

static int
send_check_operands(char **operands, int n)
{
	int stdin_seen = 0;

	for (int i = 0; i < n; i++) {
		if (strcmp(operands[i], "-") != 0)
			continue;
		if (stdin_seen++) {
			send_usage_error("'-' (stdin) may be given only once",
			    NULL);
			return -1;
		}
	}
	return 0;
}

/* ---- documents in flight ------------------------------------------------ */

static void
send_doc_finish(struct send_run *run, struct send_doc *doc)
{
	send_payload_free(&doc->payload);
	doc->state = SEND_DOC_FREE;
	doc->input = NULL;
	run->inflight--;
}

static void
send_doc_fail(struct send_run *run, struct send_doc *doc, const char *reason)
{
	send_report_failed(&run->report, reason, doc->input->path);
	send_doc_finish(run, doc);
}

/* Queues the document on the current socket and starts its reply clock. */
static void
send_doc_transmit(struct send_run *run, struct send_doc *doc, int64_t now)
{
	/* a failure here is logged; the reply clock then triggers a resend */
	(void)send_wire_send(&run->wire, doc->payload.envelope,
	    doc->payload.bytes, doc->payload.len);
	doc->state = SEND_DOC_WAITING;
	doc->due = now + run->timeout_ms;
}

static struct send_doc *
send_free_slot(struct send_run *run)
{
	for (long i = 0; i < run->opts.concurrency; i++)
		if (run->docs[i].state == SEND_DOC_FREE)
			return &run->docs[i];
	return NULL;
}

/* Loads and sends the next input; unreadable ones are reported at once. */
static void
send_start_next(struct send_run *run)
{
	const struct send_input *in = &run->inputs.items[run->next_input++];
	struct send_doc *doc = send_free_slot(run);
	char why[512];

	if (doc == NULL)	/* cannot happen: callers check inflight */
		return;
	memset(doc, 0, sizeof(*doc));
	snprintf(doc->id, sizeof(doc->id), "%s-%llu", run->id_prefix,
	    run->next_seq++);
	if (send_payload_load(in, doc->id, &run->opts.env, &doc->payload,
	    why, sizeof(why)) != 0) {
		if (send_interrupted)	/* e.g. a read of stdin cut by ^C */
			run->next_input--;
		else
			send_report_failed(&run->report, why, in->path);
		return;
	}
	doc->input = in;
	run->inflight++;
	doc->first_sent = clock_ms();
	send_doc_transmit(run, doc, doc->first_sent);
}

static void
send_fill(struct send_run *run)
{
	while (!send_interrupted && !run->gave_up &&
	    run->inflight < (size_t)run->opts.concurrency &&
	    run->next_input < run->inputs.count)
		send_start_next(run);
}

static struct send_doc *
send_find(struct send_run *run, const char *id)
{
	for (long i = 0; i < run->opts.concurrency; i++)
		if (run->docs[i].state != SEND_DOC_FREE &&
		    strcmp(run->docs[i].id, id) == 0)
			return &run->docs[i];
	return NULL;
}

/* An id this run handed out earlier (its document is finished). */
static int
send_is_old_id(const struct send_run *run, const char *id)
{
	size_t n = strlen(run->id_prefix);
	char *end;
	unsigned long long seq;

	if (strncmp(id, run->id_prefix, n) != 0 || id[n] != '-' ||
	    id[n + 1] < '0' || id[n + 1] > '9')
		return 0;
	errno = 0;
	seq = strtoull(id + n + 1, &end, 10);
	return errno == 0 && *end == '\0' && seq < run->next_seq;
}

/* ---- replies ------------------------------------------------------------ */

static int64_t
send_backoff_ms(long retried)
{
	int64_t ms = SEND_BACKOFF_FIRST_MS;

	for (long i = 1; i < retried && ms < SEND_BACKOFF_MAX_MS; i++)
		ms *= 2;
	return ms < SEND_BACKOFF_MAX_MS ? ms : SEND_BACKOFF_MAX_MS;
}

static void
send_on_retry(struct send_run *run, struct send_doc *doc, const char *reason)
{
	char why[512];

	if (doc->state == SEND_DOC_BACKOFF)
		return;		/* answer to an earlier send: already waiting */
	doc->retried++;
	if (doc->retried > run->opts.retries) {
		snprintf(why, sizeof(why), "still retry after %ld attempts%s%s",
		    doc->retried, reason ? ": " : "", reason ? reason : "");
		send_doc_fail(run, doc, why);
		return;
	}
	log_info("send: %s answered retry (%s); resending in %" PRId64 " ms",
	    doc->input->path, reason ? reason : "no reason",
	    send_backoff_ms(doc->retried));
	doc->state = SEND_DOC_BACKOFF;
	doc->due = clock_ms() + send_backoff_ms(doc->retried);
}

static void
send_on_reply(struct send_run *run, const struct send_reply *r)
{
	struct send_doc *doc = send_find(run, r->id);
	char why[256];

	if (doc == NULL) {
		if (send_is_old_id(run, r->id))
			log_debug("send: ignoring a late reply for %s", r->id);
		else
			log_warnx("send: ignoring a reply for unknown id "
			    "\"%.100s\"", r->id);
		return;
	}
	if (strcmp(r->status, "retry") == 0) {
		send_on_retry(run, doc, r->reason);
		return;
	}
	if (send_report_outcome(&run->report, r->status, r->document_id,
	    r->plan_id, r->reason, doc->input->path) == 0) {
		send_doc_finish(run, doc);
		return;
	}
	snprintf(why, sizeof(why), "unexpected status '%.100s' from server",
	    r->status);
	send_doc_fail(run, doc, why);
}

static void
send_drain(struct send_run *run)
{
	struct send_reply r;
	int rc;

	while ((rc = send_wire_recv(&run->wire, &r)) >= 0) {
		run->last_rx = clock_ms();
		if (rc == 1) {
			send_on_reply(run, &r);
			send_reply_clear(&r);
		}
	}
}

/* ---- timers ------------------------------------------------------------- */

/* The server is gone: everything left fails without further waiting. */
static void
send_give_up(struct send_run *run, const char *why)
{
	char reason[512];

	log_errx("send: %s; giving up on the remaining documents", why);
	run->gave_up = 1;
	for (long i = 0; i < run->opts.concurrency; i++)
		if (run->docs[i].state != SEND_DOC_FREE)
			send_doc_fail(run, &run->docs[i], why);
	snprintf(reason, sizeof(reason), "not sent: %s", why);
	while (run->next_input < run->inputs.count)
		send_report_failed(&run->report, reason,
		    run->inputs.items[run->next_input++].path);
}

/* A reply deadline passed: 1 if the document needs a resend. */
static int
send_on_silence(struct send_run *run, struct send_doc *doc)
{
	char why[256];

	doc->silences++;
	if (doc->silences <= run->opts.retries)
		return 1;
	snprintf(why, sizeof(why), "no reply after %ld tries (timeout %g s)",
	    doc->silences, run->opts.timeout);
	if (run->last_rx < doc->first_sent) {
		send_doc_fail(run, doc, why);
		snprintf(why, sizeof(why), "no reply from %s in %g s",
		    run->opts.endpoint, run->opts.timeout *
		    (double)(run->opts.retries + 1));
		send_give_up(run, why);
		return 0;
	}
	send_doc_fail(run, doc, why);
	return 0;
}

/* Lazy Pirate: a fresh socket, and everything awaiting a reply sent again. */
static void
send_resend_all(struct send_run *run, int64_t now)
{
	char why[256];
	size_t n = 0;

	if (send_wire_reopen(&run->wire, why, sizeof(why)) != 0) {
		send_give_up(run, why);
		return;
	}
	for (long i = 0; i < run->opts.concurrency; i++)
		if (run->docs[i].state == SEND_DOC_WAITING) {
			send_doc_transmit(run, &run->docs[i], now);
			n++;
		}
	log_notice("send: no reply from %s within %g s; reconnected and "
	    "resent %zu document(s)", run->opts.endpoint, run->opts.timeout, n);
}

static void
send_handle_due(struct send_run *run)
{
	int64_t now = clock_ms();
	int resend = 0;

	for (long i = 0; i < run->opts.concurrency && !run->gave_up; i++) {
		struct send_doc *doc = &run->docs[i];

		if (doc->state == SEND_DOC_FREE || doc->due > now)
			continue;
		if (doc->state == SEND_DOC_BACKOFF)
			send_doc_transmit(run, doc, now);
		else if (send_on_silence(run, doc))
			resend = 1;
	}
	if (resend && !run->gave_up)
		send_resend_all(run, now);
}

static long
send_next_wait(const struct send_run *run)
{
	int64_t now = clock_ms(), first = INT64_MAX;

	for (long i = 0; i < run->opts.concurrency; i++)
		if (run->docs[i].state != SEND_DOC_FREE &&
		    run->docs[i].due < first)
			first = run->docs[i].due;
	if (first == INT64_MAX)
		return -1;
	return first <= now ? 0 : (long)(first - now);
}

/* ---- the loop ----------------------------------------------------------- */

static int
send_poll(struct send_run *run)
{
	zmq_pollitem_t items[2] = {
		{ run->wire.sock, 0, ZMQ_POLLIN, 0 },
		{ NULL, send_sigpipe[0], ZMQ_POLLIN, 0 },
	};

	if (zmq_poll(items, 2, send_next_wait(run)) < 0) {
		if (zmq_errno() == EINTR)
			return 0;
		log_errx("send: poll: %s", zmq_strerror(zmq_errno()));
		return -1;
	}
	if (items[0].revents & ZMQ_POLLIN)
		send_drain(run);
	return 0;
}

static int
send_loop(struct send_run *run)
{
	for (;;) {
		send_fill(run);
		if (send_interrupted || run->inflight == 0)
			return 0;
		if (send_poll(run) != 0)
			return -1;
		if (!send_interrupted)
			send_handle_due(run);
	}
}

static void
send_report_unfinished(const struct send_run *run)
{
	fprintf(stderr, "planq send: interrupted; %zu document(s) in flight "
	    "and %zu not sent are not counted\n", run->inflight,
	    run->inputs.count - run->next_input);
}

static int
send_run_init(struct send_run *run, char **operands, int n)
{
	char why[512];

	run->docs = calloc((size_t)run->opts.concurrency, sizeof(*run->docs));
	if (run->docs == NULL ||
	    send_input_collect(&run->inputs, operands, n) != 0) {
		fprintf(stderr, "planq send: out of memory\n");
		return 1;
	}
	if (run->opts.env.source_url != NULL && run->inputs.count > 1)
		fprintf(stderr, "planq send: warning: --source-url is used for "
		    "all %zu documents\n", run->inputs.count);
	if (send_curve_load(&run->wire.curve, run->opts.server_key,
	    run->opts.client_cert, why, sizeof(why)) != 0 ||
	    send_wire_open(&run->wire, run->opts.endpoint, why,
	    sizeof(why)) != 0) {
		fprintf(stderr, "planq send: %s\n", why);
		return 2;
	}
	if (send_signals_install() != 0) {
		fprintf(stderr, "planq send: signals: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static void
send_run_free(struct send_run *run)
{
	for (long i = 0; run->docs != NULL && i < run->opts.concurrency; i++)
		send_payload_free(&run->docs[i].payload);
	free(run->docs);
	send_wire_close(&run->wire);
	send_input_list_free(&run->inputs);
	send_signals_remove();
}

int
cmd_send(int argc, char **argv)
{
	struct send_run run;
	int first = 0, rc;

	memset(&run, 0, sizeof(run));
	send_interrupted = 0;
	rc = send_parse_opts(argc, argv, &run.opts, &first);
	if (rc != 0)
		return rc == 1 ? 0 : 2;
	if (send_check_operands(argv + first, argc - first) != 0)
		return 2;
	run.report.out = stdout;
	run.report.quiet = run.opts.quiet;
	run.timeout_ms = (int64_t)(run.opts.timeout * 1000.0 + 0.5);
	run.last_rx = INT64_MIN;
	send_make_prefix(run.id_prefix, sizeof(run.id_prefix));
	rc = send_run_init(&run, argv + first, argc - first);
	if (rc == 0) {
		rc = send_loop(&run) == 0 ? 0 : 1;
		if (send_interrupted)
			send_report_unfinished(&run);
		send_report_summary(&run.report);
		if (send_interrupted || !send_report_all_ok(&run.report))
			rc = 1;
	}
	send_run_free(&run);
	return rc;
}
