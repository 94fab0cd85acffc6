/*
 * job.c: what a worker does with a batch of documents.  Each outcome is
 * decided here (stored, rejected as undecodable / not a plan / quarantined,
 * with a reason code and a text) and committed by store.c before it is
 * answered; the database has the last word on duplicates, so two workers
 * racing on the same bytes agree.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envelope.h"
#include "job.h"
#include "jobwire.h"
#include "log.h"
#include "parse.h"
#include "plan_json.h"
#include "warncode.h"

int
job_sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int outlen = 0;

	if (EVP_Digest(data, len, out, &outlen, EVP_sha256(), NULL) != 1 ||
	    outlen != 32)
		return -1;
	return 0;
}

#ifdef PLANQ_TEST_HOOKS
/* Test builds only: a document carrying one of these markers makes its
 * worker crash, try to write a file, or try to run a program, so the tests
 * can prove that poison documents end up quarantined and that the sandbox
 * (sandbox.c) kills a worker that does what it must not; or gives its
 * parsed plan a shape no rows can hold (plan_rows.c), which the parser
 * never makes, so that the tests can see such a plan rejected. */
static int
job_has_marker(const void *body, size_t len, const char *marker)
{
	return memmem(body, len, marker, strlen(marker)) != NULL;
}

static void
job_test_hooks(const void *body, size_t len)
{
	if (job_has_marker(body, len, "PLANQ-TEST-CRASH"))
		raise(SIGSEGV);
	if (job_has_marker(body, len, "PLANQ-TEST-OPEN")) {
		int fd = open("/tmp/planq-sandbox-test",
		    O_WRONLY | O_CREAT, 0600);

		log_errx("test hook: open for writing was not stopped "
		    "(fd %d)", fd);
		if (fd >= 0)
			close(fd);
	}
	if (job_has_marker(body, len, "PLANQ-TEST-EXEC")) {
		execl("/bin/true", "true", (char *)NULL);
		log_errx("test hook: execl failed: %s", strerror(errno));
	}
}

/* The document asks for a plan of a bad shape: parse it into a Jansson
 * object (PARSE_TREE), which the hook then breaks. */
static unsigned
job_test_parse_flags(const void *body, size_t len)
{
	return job_has_marker(body, len, "PLANQ-TEST-BAD-SHAPE") ? PARSE_TREE :
	    0;
}

static void
job_test_plan_hook(json_t *plan)
{
	if (plan != NULL)
		json_object_set_new(plan, "issues", json_object());
}
#endif

/* The envelope as stored: the client's own JSON, or {} if unreadable. */
static char *
job_envelope_text(const void *data, size_t len, struct envelope *env)
{
	char why[256];

	if (envelope_parse(data, len, env, why, sizeof(why)) != 0)
		return strdup("{}");
	return json_dumps(env->root, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

/* Sets a document's answer; text (may be NULL) is cut to fit. */
static void
job_answer_set(struct job_result *r, enum outcome outcome, enum reason why,
    const struct store_result *res, const char *text)
{
	r->outcome = outcome;
	r->reason = why;
	r->document_id = res ? res->document_id : 0;
	r->plan_id = res ? res->plan_id : 0;
	snprintf(r->text, sizeof(r->text), "%s", text ? text : "");
	r->warnings = 0;
	r->answered = 1;
}

/* The codes of a plan's "warnings" list as bits of warncode.h (a code
 * this build does not know is not counted): from its records, or from its
 * Jansson object when it has no records (a test hook's plan). */
static uint32_t
job_warning_bits(const struct store_doc *doc)
{
	const json_t *list = json_object_get(doc->plan, "warnings");
	uint32_t bits = 0;
	size_t n = doc->rec ? (size_t)doc->rec->nwarnings :
	    json_array_size(list);

	for (size_t i = 0; i < n; i++) {
		int w = warncode_from_name(doc->rec ? doc->rec->warnings[i].code :
		    json_string_value(json_object_get(json_array_get(list, i),
		    "code")));

		if (w >= 0)
			bits |= (uint32_t)1 << w;
	}
	return bits;
}

/* One document of a batch, from its bytes to its answer. */
struct job_item {
	const struct job_input	*in;
	struct envelope		 env;
	char			*env_text;
	unsigned char		 sha[32];
	struct parse_result	 pr;
	char			*plan_text;
	char			 reason[400];
	enum reason		 why;	/* of a rejection decided here */
	struct store_doc	 doc;
	struct job_result	 result;
};

static void
job_reject(struct job_item *it, enum reason why, const char *prefix)
{
	snprintf(it->reason, sizeof(it->reason), "%s: %s", prefix,
	    it->pr.reason);
	it->doc.outcome = "rejected";
	it->doc.reason = it->reason;
	it->why = why;
}

/* Decides what to store: the parsed plan, or a rejection and its reason. */
static void
job_decide(struct job_item *it)
{
	const struct job_input *in = it->in;

	if (in->kind == JOBWIRE_QUARANTINE) {
		it->doc.outcome = "rejected";
		it->doc.reason = in->quarantine_reason && *in->quarantine_reason ?
		    in->quarantine_reason : "quarantined by planqd";
		it->why = REASON_QUARANTINED;
		return;
	}
#ifdef PLANQ_TEST_HOOKS
	job_test_hooks(in->body, in->body_len);
#endif
	unsigned flags = 0;

#ifdef PLANQ_TEST_HOOKS
	flags = job_test_parse_flags(in->body, in->body_len);
#endif
	if (parse_bytes_flags(in->body, in->body_len, it->env.content_type,
	    flags, &it->pr) != 0) {
		job_answer_set(&it->result, OUTCOME_RETRY, REASON_OTHER, NULL,
		    it->pr.reason);
		return;
	}
	it->doc.charset = it->pr.charset[0] ? it->pr.charset : NULL;
	switch (it->pr.status) {
	case PARSE_PLAN:
		it->doc.outcome = "stored";
		/* the parser's text and records; only a test hook's plan
		 * (parsed into a Jansson object, then broken) is written
		 * from its object */
		it->doc.plan_json = it->pr.json;
		it->doc.rec = it->pr.doc;
		if (it->pr.plan != NULL) {
#ifdef PLANQ_TEST_HOOKS
			job_test_plan_hook(it->pr.plan);
#endif
			it->plan_text = plan_json_text(it->pr.plan, NULL);
			it->doc.plan_json = it->plan_text;
			it->doc.rec = NULL;
			it->doc.plan = it->pr.plan;
		}
		if (it->doc.plan_json == NULL)
			job_answer_set(&it->result, OUTCOME_RETRY, REASON_OTHER,
			    NULL, "out of memory");
		break;
	case PARSE_NOT_PLAN:
		job_reject(it, REASON_NOT_A_PLAN, "not a plan");
		break;
	case PARSE_UNDECODABLE:
		job_reject(it, REASON_UNDECODABLE, "undecodable");
		break;
	}
}

/* Hashes, parses and describes one document; -1 when out of memory. */
static int
job_prepare(struct job_item *it, const struct job_input *in)
{
	it->in = in;
	it->env_text = job_envelope_text(in->envelope, in->envelope_len,
	    &it->env);
	if (it->env_text == NULL || job_sha256(in->body, in->body_len,
	    it->sha) != 0)
		return -1;
	it->doc.sha256 = it->sha;
	it->doc.raw = in->body;
	it->doc.raw_len = in->body_len;
	it->doc.envelope_json = it->env_text;
	it->doc.parser_version = PARSER_VERSION;
	job_decide(it);
	return 0;
}

static void
job_item_clear(struct job_item *it)
{
	free(it->env_text);
	free(it->plan_text);
	envelope_clear(&it->env);
	parse_result_clear(&it->pr);
}

int
job_rehearse(struct store *st, const struct job_input *in, char *why,
    size_t whylen)
{
	struct job_item it;
	int rc = -1;

	memset(&it, 0, sizeof(it));
	if (job_prepare(&it, in) != 0)
		snprintf(why, whylen, "out of memory");
	else if (it.doc.outcome == NULL || strcmp(it.doc.outcome, "stored") != 0)
		snprintf(why, whylen, "the document is not a plan: %s",
		    it.pr.reason[0] ? it.pr.reason : it.result.text);
	else
		rc = store_rehearse(st, &it.doc, 1, why, whylen);
	job_item_clear(&it);
	return rc;
}

/*
 * The answer the database gave for a document.  Its reason code is this
 * worker's own when the database agrees that the bytes are rejected (the
 * same bytes make the same decision), else "other".
 */
static void
job_answer_committed(struct job_item *it, const struct store_result *res)
{
	enum outcome outcome;
	enum reason why = REASON_NONE;

	if (outcome_from_name(res->status, &outcome) != 0 ||
	    !outcome_is_final(outcome)) {
		job_answer_set(&it->result, OUTCOME_RETRY, REASON_OTHER, NULL,
		    "the database answered an unknown status; send again later");
		return;
	}
	if (outcome == OUTCOME_REJECTED)
		why = strcmp(it->doc.outcome, "rejected") == 0 ? it->why :
		    REASON_OTHER;
	job_answer_set(&it->result, outcome, why, res, res->reason);
	/* a plan this batch stored: planqd counts its warnings */
	if (outcome == OUTCOME_STORED && res->plan_id != 0 &&
	    (it->doc.plan != NULL || it->doc.rec != NULL))
		it->result.warnings = job_warning_bits(&it->doc);
}

/* The database could not be reached, or refused even a rejection. */
static void
job_answer_unstored(struct job_item *it, enum store_status status,
    const char *server_message)
{
	char text[700];

	snprintf(text, sizeof(text), status == STORE_UNAVAILABLE ?
	    "database unavailable (%s); send again later" :
	    "the database refused the document: %s", server_message);
	job_answer_set(&it->result, OUTCOME_RETRY, status == STORE_UNAVAILABLE ?
	    REASON_DB_UNAVAILABLE : REASON_DB_REFUSED, NULL, text);
}

/*
 * A parsed plan that cannot be stored (the database refused it, or no
 * rows can hold it) is stored as a rejection instead, with the bytes and
 * the reason, so it can be reparsed after a fix.
 */
static void
job_reject_plan(struct store *st, struct job_item *it, const char *reason)
{
	struct store_result again;
	enum store_status status;

	log_warnx("%s", reason);
	it->doc.outcome = "rejected";
	it->doc.reason = reason;
	it->doc.plan_json = NULL;
	it->doc.plan = NULL;
	it->doc.rec = NULL;
	it->why = REASON_DB_REFUSED;
	status = store_ingest(st, &it->doc, &again);
	if (status == STORE_OK)
		job_answer_committed(it, &again);
	else
		job_answer_unstored(it, status, again.reason);
}

/* The answer for a document the database has seen (or could not see). */
static void
job_answer(struct store *st, struct job_item *it, enum store_status status,
    const struct store_result *res)
{
	char reason[700];

	switch (status) {
	case STORE_OK:
		job_answer_committed(it, res);
		return;
	case STORE_UNAVAILABLE:
		job_answer_unstored(it, status, res->reason);
		store_note_retry(st, it->env.source_url, it->result.text);
		return;
	case STORE_PLAN_REFUSED:
		snprintf(reason, sizeof(reason), "the parsed plan cannot be "
		    "stored: %s", res->reason);
		job_reject_plan(st, it, reason);
		return;
	case STORE_DATA_ERROR:
		break;
	}
	if (strcmp(it->doc.outcome, "rejected") == 0) {
		job_answer_unstored(it, status, res->reason);
		return;
	}
	snprintf(reason, sizeof(reason), "the database refused the parsed "
	    "plan: %s", res->reason);
	job_reject_plan(st, it, reason);
}

/*
 * A batch in phases, so that planqd can tell a worker stuck on a document
 * (parsing: bounded by job_timeout, a death blames the document) from one
 * waiting for the database (an outage, bounded by db_timeout and
 * db_retry_seconds inside the worker), and so that the worker can parse
 * its next batch while this one commits:
 *   job_batch_prepare   hash, decode, parse, decide: CPU work only
 *   job_batch_build     the statement's parameters and rows: CPU work only
 *   job_batch_send      one transaction for everything that reaches the
 *                       database, sent without waiting
 *   job_batch_answer    its commit (or the slow path), then the answers
 */
struct job_batch {
	int			 n;
	struct job_item		*items;
	struct store_doc	*docs;	/* those that reach the database */
	int			*which;	/* docs[j] is items[which[j]] */
	int			 k;
	struct store_batch	*call;	/* NULL: nothing to store */
	struct store_result	*res;	/* its answers, docs[j]'s at j */
	enum store_status	*status;
};

struct job_batch *
job_batch_prepare(const struct job_input *in, int n,
    void (*between)(void *), void *arg)
{
	struct job_batch *b = calloc(1, sizeof(*b));

	if (b == NULL || (b->items = calloc((size_t)n, sizeof(*b->items))) ==
	    NULL || (b->docs = calloc((size_t)n, sizeof(*b->docs))) == NULL ||
	    (b->which = calloc((size_t)n, sizeof(*b->which))) == NULL ||
	    (b->res = calloc((size_t)n, sizeof(*b->res))) == NULL ||
	    (b->status = calloc((size_t)n, sizeof(*b->status))) == NULL) {
		job_batch_free(&b);
		return NULL;
	}
	b->n = n;
	for (int i = 0; i < n; i++) {
		if (between != NULL)
			between(arg);
		job_prepare(&b->items[i], &in[i]);	/* -1: left unanswered */
	}
	return b;
}

int
job_batch_build(const struct store *st, struct job_batch *b)
{
	b->k = 0;
	for (int i = 0; i < b->n; i++) {
		if (b->items[i].doc.outcome == NULL ||
		    b->items[i].result.answered)
			continue;	/* answered already, or no memory */
		b->docs[b->k] = b->items[i].doc;
		b->which[b->k++] = i;
	}
	if (b->k == 0)
		return 0;
	b->call = store_batch_build(st, b->docs, b->k);
	return b->call != NULL ? 0 : -1;
}

void
job_batch_send(struct store *st, struct job_batch *b)
{
	if (b->call != NULL)
		store_batch_send(st, b->call);
}

int
job_batch_socket(const struct store *st, const struct job_batch *b)
{
	return b->call != NULL ? store_batch_socket(st, b->call) : -1;
}

int
job_batch_poll(struct store *st, const struct job_batch *b)
{
	return b->call == NULL || store_batch_poll(st, b->call, b->res);
}

int
job_batch_quick(struct store *st, const struct job_batch *b)
{
	return b->call == NULL || (store_batch_poll(st, b->call, b->res) &&
	    store_batch_succeeded(b->call));
}

/*
 * The commit of what the batch decided (one transaction: store.c), then
 * the answers; results[i] is the answer for the i-th document (answered
 * 0: out of memory).  Nothing is answered before its commit.
 */
void
job_batch_answer(struct store *st, struct job_batch *b,
    struct job_result *results)
{
	if (b->call != NULL) {
		store_batch_finish(st, b->call, b->res, b->status);
		for (int j = 0; j < b->k; j++)
			job_answer(st, &b->items[b->which[j]], b->status[j],
			    &b->res[j]);
	}
	for (int i = 0; i < b->n; i++)
		results[i] = b->items[i].result;
}

void
job_batch_free(struct job_batch **bp)
{
	struct job_batch *b = *bp;

	if (b == NULL)
		return;
	if (b->items != NULL)
		for (int i = 0; i < b->n; i++)
			job_item_clear(&b->items[i]);
	store_batch_free(&b->call);
	free(b->items);
	free(b->docs);
	free(b->which);
	free(b->res);
	free(b->status);
	free(b);
	*bp = NULL;
}
