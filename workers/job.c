/*
 * job.c: what a worker does with one document.  The outcome is decided here
 * (stored, rejected as undecodable / not a plan / quarantined) and committed
 * by store.c before the reply is written; the database has the last word on
 * duplicates, so two workers racing on the same bytes agree.
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

static void
job_test_plan_hook(const void *body, size_t len, json_t *plan)
{
	if (plan != NULL && job_has_marker(body, len, "PLANQ-TEST-BAD-SHAPE"))
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

static char *
job_reply_from(const struct envelope *env, const char *status,
    const struct store_result *res, const char *reason)
{
	return envelope_reply(env->id, status, res ? res->document_id : 0,
	    res ? res->plan_id : 0, reason && *reason ? reason : NULL);
}

struct job_item;
static char *job_answer_rejection(struct store *st, struct job_item *it,
    const struct store_doc *doc, struct store_result *res);

/* One document of a batch, from its bytes to its reply. */
struct job_item {
	const struct job_input	*in;
	struct envelope		 env;
	char			*env_text;
	unsigned char		 sha[32];
	struct parse_result	 pr;
	char			*plan_text;
	char			 reason[400];
	struct store_doc	 doc;
	char			*reply;	/* set once the outcome is known */
};

/* Decides what to store: the parsed plan, or a rejection and its reason. */
static void
job_decide(struct job_item *it)
{
	const struct job_input *in = it->in;

	if (strcmp(in->kind, JOBWIRE_KIND_QUARANTINE) == 0) {
		it->doc.outcome = "rejected";
		it->doc.reason = in->quarantine_reason && *in->quarantine_reason ?
		    in->quarantine_reason : "quarantined by planqd";
		return;
	}
#ifdef PLANQ_TEST_HOOKS
	job_test_hooks(in->body, in->body_len);
#endif
	if (parse_bytes(in->body, in->body_len, it->env.content_type,
	    &it->pr) != 0) {
		it->reply = job_reply_from(&it->env, "retry", NULL, it->pr.reason);
		return;
	}
	it->doc.charset = it->pr.charset[0] ? it->pr.charset : NULL;
	switch (it->pr.status) {
	case PARSE_PLAN:
#ifdef PLANQ_TEST_HOOKS
		job_test_plan_hook(in->body, in->body_len, it->pr.plan);
#endif
		it->plan_text = plan_json_text(it->pr.plan, NULL);
		it->doc.outcome = "stored";
		it->doc.plan_json = it->plan_text;
		it->doc.plan = it->pr.plan;
		if (it->plan_text == NULL)
			it->reply = job_reply_from(&it->env, "retry", NULL,
			    "out of memory");
		break;
	case PARSE_NOT_PLAN:
		snprintf(it->reason, sizeof(it->reason), "not a plan: %s",
		    it->pr.reason);
		it->doc.outcome = "rejected";
		it->doc.reason = it->reason;
		break;
	case PARSE_UNDECODABLE:
		snprintf(it->reason, sizeof(it->reason), "undecodable: %s",
		    it->pr.reason);
		it->doc.outcome = "rejected";
		it->doc.reason = it->reason;
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

/* A parsed plan that cannot be stored is stored as a rejection instead,
 * with the bytes and the reason, so it can be reparsed after a fix. */
static char *
job_reject_plan(struct store *st, struct job_item *it, const char *reason)
{
	struct store_result again;
	struct store_doc doc;

	log_warnx("%s", reason);
	doc = it->doc;
	doc.outcome = "rejected";
	doc.reason = reason;
	doc.plan_json = NULL;
	doc.plan = NULL;
	return job_answer_rejection(st, it, &doc, &again);
}

/*
 * The reply for a document the database has answered for.  A plan the
 * database refused (the server's message) or that cannot be turned into
 * rows (plan_rows.c's reason) is stored as a rejection.
 */
static char *
job_answer(struct store *st, struct job_item *it, enum store_status status,
    const struct store_result *res)
{
	char reason[700];

	switch (status) {
	case STORE_OK:
		return job_reply_from(&it->env, res->status, res, res->reason);
	case STORE_UNAVAILABLE:
		snprintf(reason, sizeof(reason), "database unavailable (%s); "
		    "send again later", res->reason);
		return job_reply_from(&it->env, "retry", NULL, reason);
	case STORE_PLAN_REFUSED:
		snprintf(reason, sizeof(reason), "the parsed plan cannot be "
		    "stored: %s", res->reason);
		return job_reject_plan(st, it, reason);
	case STORE_DATA_ERROR:
		break;
	}
	if (strcmp(it->doc.outcome, "rejected") == 0) {
		snprintf(reason, sizeof(reason), "the database refused the "
		    "document: %s", res->reason);
		return job_reply_from(&it->env, "retry", NULL, reason);
	}
	snprintf(reason, sizeof(reason), "the database refused the parsed "
	    "plan: %s", res->reason);
	return job_reject_plan(st, it, reason);
}

static char *
job_answer_rejection(struct store *st, struct job_item *it,
    const struct store_doc *doc, struct store_result *res)
{
	enum store_status status = store_ingest(st, doc, res);
	char reason[700];

	if (status == STORE_OK)
		return job_reply_from(&it->env, res->status, res, res->reason);
	snprintf(reason, sizeof(reason), status == STORE_UNAVAILABLE ?
	    "database unavailable (%s); send again later" :
	    "the database refused the document: %s", res->reason);
	return job_reply_from(&it->env, "retry", NULL, reason);
}

/*
 * Decides and stores a batch of documents.  Everything that reaches the
 * database goes in one transaction (store_ingest_batch), so a batch costs
 * one commit; replies[i] is the malloc'd reply for in[i] (NULL: out of
 * memory).  Nothing is answered before its commit.
 */
void
job_run_batch(struct store *st, const struct job_input *in, int n,
    char **replies)
{
	struct job_item *items = calloc((size_t)n, sizeof(*items));
	struct store_doc *docs = calloc((size_t)n, sizeof(*docs));
	struct store_result *res = calloc((size_t)n, sizeof(*res));
	enum store_status *status = calloc((size_t)n, sizeof(*status));
	int *which = calloc((size_t)n, sizeof(*which)), k = 0;

	for (int i = 0; i < n; i++)
		replies[i] = NULL;
	if (items == NULL || docs == NULL || res == NULL || status == NULL ||
	    which == NULL)
		goto out;
	for (int i = 0; i < n; i++) {
		if (job_prepare(&items[i], &in[i]) != 0 || items[i].reply != NULL)
			continue;
		docs[k] = items[i].doc;
		which[k++] = i;
	}
	if (k > 0)
		store_ingest_batch(st, docs, k, res, status);
	for (int j = 0; j < k; j++)
		items[which[j]].reply = job_answer(st, &items[which[j]],
		    status[j], &res[j]);
	for (int i = 0; i < n; i++) {
		replies[i] = items[i].reply;
		job_item_clear(&items[i]);
	}
out:
	free(items);
	free(docs);
	free(res);
	free(status);
	free(which);
}

char *
job_run(struct store *st, const struct job_input *in)
{
	char *reply;

	job_run_batch(st, in, 1, &reply);
	return reply;
}
