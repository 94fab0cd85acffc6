/*
 * metrics.c: the Prometheus endpoint (/metrics) and /healthz on --metrics
 * ADDR:PORT, plus the reply counters and the ack-latency histogram.  The HTTP
 * server is libmicrohttpd in external epoll mode: its epoll fd is a zloop
 * poller, so every request is answered on the loop's thread (no locks).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "log.h"
#include "observe.h"
#include "planqd.h"

#ifndef PLANQ_VERSION
#define PLANQ_VERSION "dev"
#endif

#define METRICS_MAX_CONNECTIONS	16
#define METRICS_CONN_TIMEOUT_S	5
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

static const char *const metrics_statuses[] = {
	"stored", "duplicate", "rejected", "retry", "spooled",
};
#define METRICS_NSTATUS (sizeof(metrics_statuses) / sizeof(metrics_statuses[0]))

/* Rejection reason classes: a fixed set, so label cardinality is bounded. */
static const struct {
	const char *prefix;
	const char *label;
} metrics_reasons[] = {
	{ "message has ", "frames" },
	{ "envelope ", "bad_envelope" },
	{ "unsupported protocol version", "bad_envelope" },
	{ "document body is empty", "empty" },
	{ "document is ", "oversize" },
	{ "undecodable:", "undecodable" },
	{ "not a plan:", "not_a_plan" },
	{ "worker crashed on this document", "quarantined" },
	{ "worker timed out on this document", "quarantined" },
	{ "the database refused", "db_refused" },
};
static const char *const metrics_reason_labels[] = {
	"bad_envelope", "oversize", "empty", "frames", "undecodable",
	"not_a_plan", "quarantined", "db_refused", "other",
};
#define METRICS_NREASON \
	(sizeof(metrics_reason_labels) / sizeof(metrics_reason_labels[0]))

static const int metrics_buckets_ms[] = {
	1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
};
#define METRICS_NBUCKET (sizeof(metrics_buckets_ms) / sizeof(metrics_buckets_ms[0]))

struct metrics {
	struct MHD_Daemon *mhd;
	int		 epoll_fd;	/* MHD's, polled by the zloop */
	int64_t		 started_ms;
	uint64_t	 by_status[METRICS_NSTATUS];
	uint64_t	 by_reason[METRICS_NREASON];
	uint64_t	 ack_bucket[METRICS_NBUCKET + 1];	/* last: +Inf */
	uint64_t	 ack_count;
	uint64_t	 ack_sum_ms;
};

/* ---- spool fallbacks (spool.c provides the real ones) ------------------ */

__attribute__((weak)) uint64_t
spool_records(const struct daemon *d)
{
	(void)d;
	return 0;
}

__attribute__((weak)) uint64_t
spool_bytes(const struct daemon *d)
{
	(void)d;
	return 0;
}

/* ---- shared verdicts (observe.h) --------------------------------------- */

const char *
observe_worker_state(int state)
{
	switch (state) {
	case WORKER_EMPTY: return "empty";
	case WORKER_STARTING: return "starting";
	case WORKER_IDLE: return "idle";
	case WORKER_BUSY: return "busy";
	case WORKER_STOPPING: return "stopping";
	default: return "unknown";
	}
}

const char *
observe_phase(int phase)
{
	switch (phase) {
	case PHASE_RUNNING: return "running";
	case PHASE_DRAINING: return "draining";
	case PHASE_STOPPING: return "stopping";
	default: return "unknown";
	}
}

int
observe_ready_workers(const struct daemon *d)
{
	int n = 0;

	for (int i = 0; i < d->nslots; i++) {
		const struct worker *w = &d->workers[i];
		if ((w->state == WORKER_IDLE || w->state == WORKER_BUSY) &&
		    !w->retire)
			n++;
	}
	return n;
}

const char *
observe_unhealthy(const struct daemon *d)
{
	if (d->phase == PHASE_DRAINING)
		return "draining";
	if (d->phase != PHASE_RUNNING)
		return "stopping";
	if (observe_ready_workers(d) == 0)
		return "no worker ready";
	if (!d->reading_front && (d->queue.count >= d->cfg.queue_max ||
	    d->queue.bytes >= d->cfg.queue_max_bytes))
		return "queue full";
	return NULL;
}

/* ---- counting ---------------------------------------------------------- */

static size_t
metrics_reason_class(const char *reason)
{
	if (reason != NULL)
		for (size_t i = 0; i < sizeof(metrics_reasons) /
		    sizeof(metrics_reasons[0]); i++)
			if (strncmp(reason, metrics_reasons[i].prefix,
			    strlen(metrics_reasons[i].prefix)) == 0)
				for (size_t k = 0; k < METRICS_NREASON; k++)
					if (strcmp(metrics_reason_labels[k],
					    metrics_reasons[i].label) == 0)
						return k;
	return METRICS_NREASON - 1;	/* "other" */
}

void
metrics_observe_ack(struct daemon *d, const char *status, const char *reason,
    int64_t ms)
{
	struct metrics *m = d->metrics;
	size_t b = 0;

	if (m == NULL)
		return;
	for (size_t i = 0; i < METRICS_NSTATUS; i++)
		if (status != NULL && strcmp(status, metrics_statuses[i]) == 0)
			m->by_status[i]++;
	if (status != NULL && strcmp(status, "rejected") == 0)
		m->by_reason[metrics_reason_class(reason)]++;
	if (ms < 0)
		ms = 0;
	while (b < METRICS_NBUCKET && ms > metrics_buckets_ms[b])
		b++;
	m->ack_bucket[b]++;
	m->ack_count++;
	m->ack_sum_ms += (uint64_t)ms;
}

/* ---- rendering --------------------------------------------------------- */

static void
metrics_help(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
metrics_one(FILE *f, const char *name, const char *type, const char *help,
    uint64_t value)
{
	metrics_help(f, name, type, help);
	fprintf(f, "%s %" PRIu64 "\n", name, value);
}

static void
metrics_render_replies(FILE *f, const struct metrics *m)
{
	metrics_help(f, "planq_documents_total", "counter",
	    "Replies sent to clients, by status.");
	for (size_t i = 0; i < METRICS_NSTATUS; i++)
		fprintf(f, "planq_documents_total{status=\"%s\"} %" PRIu64 "\n",
		    metrics_statuses[i], m->by_status[i]);
	metrics_help(f, "planq_rejections_total", "counter",
	    "Rejected replies, by reason class.");
	for (size_t i = 0; i < METRICS_NREASON; i++)
		fprintf(f, "planq_rejections_total{reason=\"%s\"} %" PRIu64 "\n",
		    metrics_reason_labels[i], m->by_reason[i]);
}

static void
metrics_render_latency(FILE *f, const struct metrics *m)
{
	uint64_t cum = 0;

	metrics_help(f, "planq_ack_latency_milliseconds", "histogram",
	    "Milliseconds from receiving a document to sending its reply.");
	for (size_t b = 0; b < METRICS_NBUCKET; b++) {
		cum += m->ack_bucket[b];
		fprintf(f, "planq_ack_latency_milliseconds_bucket{le=\"%d\"} %"
		    PRIu64 "\n", metrics_buckets_ms[b], cum);
	}
	cum += m->ack_bucket[METRICS_NBUCKET];
	fprintf(f, "planq_ack_latency_milliseconds_bucket{le=\"+Inf\"} %" PRIu64
	    "\n", cum);
	fprintf(f, "planq_ack_latency_milliseconds_sum %" PRIu64 "\n",
	    m->ack_sum_ms);
	fprintf(f, "planq_ack_latency_milliseconds_count %" PRIu64 "\n",
	    m->ack_count);
}

static void
metrics_render_workers(FILE *f, const struct daemon *d)
{
	int n[WORKER_STOPPING + 1] = { 0 };

	for (int i = 0; i < d->nslots; i++)
		if ((int)d->workers[i].state >= 0 &&
		    d->workers[i].state <= WORKER_STOPPING)
			n[d->workers[i].state]++;
	metrics_help(f, "planq_workers", "gauge", "Worker slots by state.");
	for (int s = 0; s <= WORKER_STOPPING; s++)
		fprintf(f, "planq_workers{state=\"%s\"} %d\n",
		    observe_worker_state(s), n[s]);
	metrics_one(f, "planq_workers_configured", "gauge",
	    "Workers the configuration asks for.", (uint64_t)d->cfg.workers);
	metrics_one(f, "planq_in_flight_documents", "gauge",
	    "Documents a worker is working on now.",
	    (uint64_t)supervisor_busy_count(d));
	metrics_one(f, "planq_worker_restarts_total", "counter",
	    "Worker processes started again after one exited.",
	    d->count.respawns);
	metrics_one(f, "planq_worker_crashes_total", "counter",
	    "Workers that died (or were killed for job_timeout) holding a "
	    "document.", d->count.crashes);
	metrics_one(f, "planq_worker_db_stalls_total", "counter",
	    "Workers killed after waiting for the database past every bound "
	    "of their own (their documents were queued again, not blamed).",
	    d->count.db_stalls);
	metrics_one(f, "planq_documents_quarantined_total", "counter",
	    "Documents stored as rejected after killing max_crashes workers.",
	    d->count.quarantined);
}

static void
metrics_render_queue(FILE *f, const struct daemon *d)
{
	metrics_one(f, "planq_documents_received_total", "counter",
	    "Messages read from the front socket.", d->count.received);
	metrics_one(f, "planq_queue_documents", "gauge",
	    "Documents waiting for a worker.", (uint64_t)d->queue.count);
	metrics_one(f, "planq_queue_bytes", "gauge",
	    "Bytes of the documents waiting for a worker.",
	    (uint64_t)d->queue.bytes);
	metrics_one(f, "planq_queue_limit_documents", "gauge",
	    "queue_max.", (uint64_t)d->cfg.queue_max);
	metrics_one(f, "planq_queue_limit_bytes", "gauge",
	    "queue_max_bytes.", (uint64_t)d->cfg.queue_max_bytes);
	metrics_one(f, "planq_frame_limit_bytes", "gauge",
	    "Largest frame read (2 x max_body + 64 KiB); a larger one drops "
	    "the connection without a reply.", (uint64_t)broker_frame_limit(d));
	metrics_one(f, "planq_front_disconnects_total", "counter",
	    "Client connections that ended: closed by the client, lost, or "
	    "dropped for a frame over planq_frame_limit_bytes.",
	    d->count.front_disconnects);
	metrics_one(f, "planq_front_reading", "gauge",
	    "1 while the front socket is read, 0 under backpressure.",
	    (uint64_t)(d->reading_front != 0));
	metrics_one(f, "planq_spool_records", "gauge",
	    "Documents in the disk spool.", spool_records(d));
	metrics_one(f, "planq_spool_bytes", "gauge",
	    "Bytes in the disk spool.", spool_bytes(d));
	metrics_one(f, "planq_spool_replayed_total", "counter",
	    "Spooled documents that reached a final outcome in the database.",
	    d->count.replayed);
	metrics_one(f, "planq_database_down", "gauge",
	    "1 while workers cannot reach the database (documents are spooled "
	    "or answered retry).", (uint64_t)(d->db_down != 0));
}

static void
metrics_render_process(FILE *f, const struct daemon *d,
    const struct metrics *m)
{
	metrics_help(f, "planq_build_info", "gauge", "planqd's version.");
	fprintf(f, "planq_build_info{version=\"%s\"} 1\n", PLANQ_VERSION);
	metrics_help(f, "planq_phase", "gauge",
	    "1 for the daemon's current phase.");
	for (int p = PHASE_RUNNING; p <= PHASE_STOPPING; p++)
		fprintf(f, "planq_phase{phase=\"%s\"} %d\n", observe_phase(p),
		    d->phase == (enum daemon_phase)p);
	metrics_one(f, "planq_healthy", "gauge",
	    "1 when /healthz answers 200.", observe_unhealthy(d) == NULL);
	metrics_one(f, "planq_uptime_seconds", "gauge",
	    "Seconds since planqd started.",
	    (uint64_t)((now_ms() - m->started_ms) / 1000));
}

/* The whole /metrics page, malloc'ed; NULL when out of memory. */
static char *
metrics_render(const struct daemon *d, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		return NULL;
	metrics_render_process(f, d, d->metrics);
	metrics_render_replies(f, d->metrics);
	metrics_render_latency(f, d->metrics);
	metrics_render_queue(f, d);
	metrics_render_workers(f, d);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- HTTP -------------------------------------------------------------- */

static enum MHD_Result
metrics_send(struct MHD_Connection *conn, unsigned code, const char *type,
    char *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    type) != MHD_YES ||
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store") != MHD_YES) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	rc = MHD_queue_response(conn, code, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result
metrics_send_text(struct MHD_Connection *conn, unsigned code, const char *text)
{
	size_t len = strlen(text);
	char *body = malloc(len + 2);

	if (body == NULL)
		return MHD_NO;
	snprintf(body, len + 2, "%s\n", text);
	return metrics_send(conn, code, "text/plain; charset=utf-8", body,
	    len + 1);
}

static enum MHD_Result
metrics_healthz(struct MHD_Connection *conn, const struct daemon *d)
{
	const char *why = observe_unhealthy(d);

	if (why == NULL)
		return metrics_send_text(conn, MHD_HTTP_OK, "ok");
	return metrics_send_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, why);
}

static enum MHD_Result
metrics_page(struct MHD_Connection *conn, const struct daemon *d)
{
	size_t len = 0;
	char *body = metrics_render(d, &len);

	if (body == NULL)
		return metrics_send_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "out of memory");
	return metrics_send(conn, MHD_HTTP_OK, METRICS_CONTENT_TYPE, body, len);
}

static enum MHD_Result
metrics_on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	const struct daemon *d = cls;
	(void)version;
	(void)upload_data;
	(void)con_cls;

	if (*upload_data_size != 0)
		return MHD_NO;	/* no request bodies here */
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return metrics_send_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "only GET and HEAD");
	if (strcmp(url, "/metrics") == 0)
		return metrics_page(conn, d);
	if (strcmp(url, "/healthz") == 0)
		return metrics_healthz(conn, d);
	return metrics_send_text(conn, MHD_HTTP_NOT_FOUND,
	    "not found: try /metrics or /healthz");
}

static void
metrics_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;
	(void)cls;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_warnx("metrics http: %s", line);
}

/* ---- the listener in the loop ------------------------------------------ */

static int
metrics_on_epoll(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
	struct metrics *m = arg;
	(void)loop;
	(void)item;

	if (MHD_run(m->mhd) != MHD_YES)
		log_warnx("metrics http: MHD_run failed");
	return 0;	/* never stop the loop */
}

/* "HOST:PORT" or "[V6]:PORT" to an address; -1 with a message if bad. */
static int
metrics_resolve(const char *spec, struct sockaddr_storage *ss, int *is_v6)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints, *res = NULL;
	size_t hl;
	int rc;

	if (colon == NULL || colon == spec || colon[1] == '\0' ||
	    (hl = (size_t)(colon - spec)) >= sizeof(host)) {
		log_errx("metrics_listen \"%s\" must be HOST:PORT, such as "
		    "127.0.0.1:9570", spec);
		return -1;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, colon + 1, &hints, &res)) != 0) {
		log_errx("metrics_listen \"%s\": %s", spec, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*is_v6 = res->ai_family == AF_INET6;
	freeaddrinfo(res);
	return 0;
}

static int
metrics_start_http(struct daemon *d, struct metrics *m)
{
	struct sockaddr_storage ss;
	zmq_pollitem_t item = { NULL, 0, ZMQ_POLLIN, 0 };
	const union MHD_DaemonInfo *info;
	int v6 = 0;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

	if (metrics_resolve(d->cfg.metrics_listen, &ss, &v6) != 0)
		return -1;
	if (v6)
		flags |= MHD_USE_IPv6;
	m->mhd = MHD_start_daemon(flags, 0, NULL, NULL, metrics_on_request, d,
	    MHD_OPTION_EXTERNAL_LOGGER, metrics_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_MAX_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_CONN_TIMEOUT_S,
	    MHD_OPTION_END);
	if (m->mhd == NULL) {
		log_errx("cannot serve metrics on %s (address in use or not "
		    "local?)", d->cfg.metrics_listen);
		return -1;
	}
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL)
		return -1;
	m->epoll_fd = info->epoll_fd;
	item.fd = m->epoll_fd;
	if (zloop_poller(d->loop, &item, metrics_on_epoll, m) != 0)
		return -1;
	log_info("metrics on http://%s/metrics", d->cfg.metrics_listen);
	return 0;
}

int
metrics_open(struct daemon *d)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return -1;
	m->epoll_fd = -1;
	m->started_ms = now_ms();
	d->metrics = m;		/* counters work without the HTTP side */
	if (d->cfg.metrics_listen == NULL || *d->cfg.metrics_listen == '\0')
		return 0;
	return metrics_start_http(d, m);
}

/* MHD's own timeouts (idle keep-alive connections) need a regular run. */
void
metrics_tick(struct daemon *d)
{
	struct metrics *m = d->metrics;

	if (m != NULL && m->mhd != NULL)
		(void)MHD_run(m->mhd);
}

void
metrics_close(struct daemon *d)
{
	struct metrics *m = d->metrics;

	if (m == NULL)
		return;
	if (m->epoll_fd >= 0 && d->loop != NULL) {
		zmq_pollitem_t item = { NULL, m->epoll_fd, 0, 0 };
		zloop_poller_end(d->loop, &item);
	}
	if (m->mhd != NULL)
		MHD_stop_daemon(m->mhd);
	free(m);
	d->metrics = NULL;
}
