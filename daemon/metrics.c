/*
 * metrics.c: the Prometheus page (metrics.h).  Label values come from
 * fixed tables (outcome and reason names, warning codes, worker states,
 * phases), so the number of series is bounded whatever clients send.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "front.h"
#include "health.h"
#include "metrics.h"

#ifndef PLANQ_VERSION
#define PLANQ_VERSION "dev"
#endif

/* the reason codes a rejection can carry, in the order they are listed */
static const enum reason metrics_rejections[] = {
	REASON_BAD_ENVELOPE, REASON_OVERSIZE, REASON_EMPTY, REASON_FRAMES,
	REASON_UNDECODABLE, REASON_NOT_A_PLAN, REASON_QUARANTINED,
	REASON_DB_REFUSED, REASON_OTHER,
};

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
metrics_render_replies(FILE *f, const struct stats *st)
{
	uint64_t other = st->rejected_by[REASON_OTHER];

	metrics_help(f, "planq_documents_total", "counter",
	    "Replies sent to clients, by status.");
	for (int o = 0; o < OUTCOME_COUNT; o++)
		fprintf(f, "planq_documents_total{status=\"%s\"} %" PRIu64 "\n",
		    outcome_name((enum outcome)o), st->by_outcome[o]);
	metrics_help(f, "planq_rejections_total", "counter",
	    "Rejected replies, by reason class.");
	/* codes that are no rejection class of their own count as other */
	for (int r = 0; r < REASON_COUNT; r++) {
		int listed = 0;

		for (size_t i = 0; i < sizeof(metrics_rejections) /
		    sizeof(metrics_rejections[0]); i++)
			listed |= metrics_rejections[i] == (enum reason)r;
		if (!listed)
			other += st->rejected_by[r];
	}
	for (size_t i = 0; i < sizeof(metrics_rejections) /
	    sizeof(metrics_rejections[0]); i++) {
		enum reason r = metrics_rejections[i];

		fprintf(f, "planq_rejections_total{reason=\"%s\"} %" PRIu64 "\n",
		    reason_label(r), r == REASON_OTHER ? other :
		    st->rejected_by[r]);
	}
}

/* every code from zero, so a rate() sees the first one */
static void
metrics_render_warnings(FILE *f, const struct stats *st)
{
	metrics_help(f, "planq_parse_warnings_total", "counter",
	    "Plans stored whose parse had the warning, by code (docs/PLAN-JSON.md).");
	for (unsigned i = 0; i < WARNCODE_COUNT; i++)
		fprintf(f, "planq_parse_warnings_total{code=\"%s\"} %" PRIu64 "\n",
		    warncode_name(i), st->warnings[i]);
}

static void
metrics_render_latency(FILE *f, const struct stats *st)
{
	uint64_t cum = 0;

	metrics_help(f, "planq_ack_latency_milliseconds", "histogram",
	    "Milliseconds from receiving a document to sending its reply.");
	for (int b = 0; b < STATS_NBUCKET; b++) {
		cum += st->ack_bucket[b];
		fprintf(f, "planq_ack_latency_milliseconds_bucket{le=\"%d\"} %"
		    PRIu64 "\n", stats_buckets_ms[b], cum);
	}
	cum += st->ack_bucket[STATS_NBUCKET];
	fprintf(f, "planq_ack_latency_milliseconds_bucket{le=\"+Inf\"} %" PRIu64
	    "\n", cum);
	fprintf(f, "planq_ack_latency_milliseconds_sum %" PRIu64 "\n",
	    st->ack_sum_ms);
	fprintf(f, "planq_ack_latency_milliseconds_count %" PRIu64 "\n",
	    st->ack_count);
}

/* One unlabelled series. */
struct metric {
	const char	*name;
	const char	*type;
	const char	*help;
	uint64_t	 value;
};

static void
metrics_table(FILE *f, const struct metric *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		metrics_one(f, m[i].name, m[i].type, m[i].help, m[i].value);
}

static void
metrics_render_workers(FILE *f, const struct view *v)
{
	const struct supervisor_counts *c = supervisor_counts(v->sup);
	int n[WORKER_STOPPING + 1] = { 0 }, nslots;
	const struct worker *w = supervisor_workers(v->sup, &nslots);
	const struct metric table[] = {
		{ "planq_workers_configured", "gauge",
		    "Workers the configuration asks for.",
		    (uint64_t)v->cfg->workers },
		{ "planq_in_flight_documents", "gauge",
		    "Documents a worker is working on now.",
		    (uint64_t)supervisor_busy_count(v->sup) },
		{ "planq_worker_restarts_total", "counter",
		    "Worker processes started again after one exited.",
		    c->respawns },
		{ "planq_worker_crashes_total", "counter",
		    "Workers that died (or were killed for job_timeout) holding "
		    "a document.", c->crashes },
		{ "planq_worker_db_stalls_total", "counter",
		    "Workers killed after waiting for the database past every "
		    "bound of their own (their documents were queued again, not "
		    "blamed).", c->db_stalls },
		{ "planq_worker_busy_milliseconds_total", "counter",
		    "Worker-milliseconds spent holding documents: its rate / "
		    "(1000 x planq_workers_configured) is the share of the "
		    "workers' time spent busy (batch_wait_busy_pct).",
		    (uint64_t)supervisor_busy_ms(v->sup, clock_ms()) },
		{ "planq_batches_total", "counter",
		    "Batches handed to workers (one transaction each; a batch "
		    "handed again after a worker died counts again).",
		    v->stats->batches },
		{ "planq_batch_documents_total", "counter",
		    "Documents in those batches: divided by planq_batches_total, "
		    "the mean batch size.", v->stats->batch_documents },
		{ "planq_documents_quarantined_total", "counter",
		    "Documents stored as rejected after killing max_crashes "
		    "workers.", v->stats->quarantined },
	};

	for (int i = 0; i < nslots; i++)
		if ((int)w[i].state >= 0 && w[i].state <= WORKER_STOPPING)
			n[w[i].state]++;
	metrics_help(f, "planq_workers", "gauge", "Worker slots by state.");
	for (int s = 0; s <= WORKER_STOPPING; s++)
		fprintf(f, "planq_workers{state=\"%s\"} %d\n",
		    supervisor_state_name((enum worker_state)s), n[s]);
	metrics_table(f, table, sizeof(table) / sizeof(table[0]));
}

static void
metrics_render_queue(FILE *f, const struct view *v)
{
	const struct queue *q = broker_queue(v->broker);
	const struct stats *st = v->stats;
	const struct spool_totals sp = spool_totals(v->spool);
	const struct metric table[] = {
		{ "planq_documents_received_total", "counter",
		    "Messages read from the front socket.", st->received },
		{ "planq_queue_documents", "gauge",
		    "Documents waiting for a worker.", (uint64_t)q->count },
		{ "planq_queue_bytes", "gauge",
		    "Bytes of the documents waiting for a worker.",
		    (uint64_t)q->bytes },
		{ "planq_queue_limit_documents", "gauge", "queue_max.",
		    (uint64_t)v->cfg->queue_max },
		{ "planq_queue_limit_bytes", "gauge", "queue_max_bytes.",
		    (uint64_t)v->cfg->queue_max_bytes },
		{ "planq_frame_limit_bytes", "gauge",
		    "Largest frame read (2 x max_body + 64 KiB); a larger one "
		    "drops the connection without a reply.",
		    (uint64_t)front_frame_limit(v->cfg->max_body) },
		{ "planq_front_disconnects_total", "counter",
		    "Client connections that ended: closed by the client, lost, "
		    "or dropped for a frame over planq_frame_limit_bytes.",
		    st->front_disconnects },
		{ "planq_front_reading", "gauge",
		    "1 while the front socket is read, 0 under backpressure.",
		    (uint64_t)(broker_reading(v->broker) != 0) },
		{ "planq_spool_records", "gauge", "Documents in the disk spool.",
		    sp.records },
		{ "planq_spool_bytes", "gauge", "Bytes in the disk spool.",
		    sp.bytes },
		{ "planq_spool_damaged_bytes_total", "counter",
		    "Bytes of damaged spool records (torn, corrupt) taken out "
		    "when planqd started; the records around them were kept.",
		    sp.damaged_bytes },
		{ "planq_spool_unreadable_records_total", "counter",
		    "Spooled documents lost because their segment could not be "
		    "read at replay (since planqd started); each is logged.",
		    sp.unreadable },
		{ "planq_spool_replayed_total", "counter",
		    "Spooled documents that reached a final outcome in the "
		    "database.", st->replayed },
		{ "planq_database_down", "gauge",
		    "1 while workers cannot reach the database (documents are "
		    "spooled or answered retry).",
		    (uint64_t)(broker_db_down(v->broker) != 0) },
	};

	metrics_table(f, table, sizeof(table) / sizeof(table[0]));
}

static void
metrics_render_process(FILE *f, const struct view *v)
{
	metrics_help(f, "planq_build_info", "gauge", "planqd's version.");
	fprintf(f, "planq_build_info{version=\"%s\"} 1\n", PLANQ_VERSION);
	metrics_help(f, "planq_phase", "gauge",
	    "1 for the daemon's current phase.");
	for (int p = PHASE_RUNNING; p <= PHASE_STOPPING; p++)
		fprintf(f, "planq_phase{phase=\"%s\"} %d\n",
		    health_phase_name((enum daemon_phase)p),
		    *v->phase == (enum daemon_phase)p);
	metrics_one(f, "planq_healthy", "gauge",
	    "1 when /healthz answers 200.", health_problem(v) == NULL);
	metrics_one(f, "planq_uptime_seconds", "gauge",
	    "Seconds since planqd started.",
	    (uint64_t)((clock_ms() - v->started_ms) / 1000));
}

char *
metrics_render(const struct view *v, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		return NULL;
	metrics_render_process(f, v);
	metrics_render_replies(f, v->stats);
	metrics_render_latency(f, v->stats);
	metrics_render_warnings(f, v->stats);
	metrics_render_queue(f, v);
	metrics_render_workers(f, v);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
