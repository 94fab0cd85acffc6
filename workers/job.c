/*
 * job.c: what a worker does with one document.  The outcome is decided here
 * (stored, rejected as undecodable / not a plan / quarantined) and committed
 * by store.c before the reply is written; the database has the last word on
 * duplicates, so two workers racing on the same bytes agree.
 */
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
/* Test builds only: a document carrying this marker kills its worker, so the
 * fault suite can prove that poison documents end up quarantined. */
static void
job_test_hooks(const void *body, size_t len)
{
	static const char marker[] = "PLANQ-TEST-CRASH";

	if (memmem(body, len, marker, sizeof(marker) - 1) != NULL)
		raise(SIGSEGV);
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

/*
 * Stores the document with the decided outcome and answers for it.  Takes
 * the description by value: the rejection fallback points it at locals.
 */
static char *
job_store(struct store *st, struct store_doc doc, const struct envelope *env)
{
	struct store_result res;
	char reason[700];

	switch (store_ingest(st, &doc, &res)) {
	case STORE_OK:
		return job_reply_from(env, res.status, &res, res.reason);
	case STORE_DATA_ERROR:
		if (strcmp(doc.outcome, "rejected") == 0)
			break;
		/* the plan broke a constraint: keep the bytes, say why */
		snprintf(reason, sizeof(reason), "the database refused the "
		    "parsed plan: %s", res.reason);
		log_warnx("%s", reason);
		doc.outcome = "rejected";
		doc.reason = reason;
		doc.plan_json = NULL;
		return job_store(st, doc, env);
	case STORE_UNAVAILABLE:
		snprintf(reason, sizeof(reason), "database unavailable (%s); "
		    "send again later", res.reason);
		return job_reply_from(env, "retry", NULL, reason);
	}
	snprintf(reason, sizeof(reason), "the database refused the document: %s",
	    res.reason);
	return job_reply_from(env, "retry", NULL, reason);
}

static char *
job_parse_and_store(struct store *st, const struct job_input *in,
    struct store_doc doc, const struct envelope *env)
{
	struct parse_result pr;
	char reason[400], *plan_text = NULL, *reply;

	if (parse_bytes(in->body, in->body_len, env->content_type, &pr) != 0)
		return job_reply_from(env, "retry", NULL, pr.reason);
	doc.charset = pr.charset[0] ? pr.charset : NULL;
	switch (pr.status) {
	case PARSE_PLAN:
		plan_text = json_dumps(pr.plan, JSON_COMPACT | JSON_PRESERVE_ORDER |
		    JSON_REAL_PRECISION(15));
		doc.outcome = "stored";
		doc.plan_json = plan_text;
		break;
	case PARSE_NOT_PLAN:
		snprintf(reason, sizeof(reason), "not a plan: %s", pr.reason);
		doc.outcome = "rejected";
		doc.reason = reason;
		break;
	case PARSE_UNDECODABLE:
		snprintf(reason, sizeof(reason), "undecodable: %s", pr.reason);
		doc.outcome = "rejected";
		doc.reason = reason;
		break;
	}
	if (strcmp(doc.outcome, "stored") == 0 && plan_text == NULL)
		reply = job_reply_from(env, "retry", NULL, "out of memory");
	else
		reply = job_store(st, doc, env);
	free(plan_text);
	parse_result_clear(&pr);
	return reply;
}

char *
job_run(struct store *st, const struct job_input *in)
{
	unsigned char sha[32];
	struct envelope env;
	struct store_doc doc;
	char *env_text, *reply;

	memset(&env, 0, sizeof(env));
	memset(&doc, 0, sizeof(doc));
	env_text = job_envelope_text(in->envelope, in->envelope_len, &env);
	if (env_text == NULL || job_sha256(in->body, in->body_len, sha) != 0) {
		free(env_text);
		envelope_clear(&env);
		return NULL;
	}
	doc.sha256 = sha;
	doc.raw = in->body;
	doc.raw_len = in->body_len;
	doc.envelope_json = env_text;
	doc.parser_version = PARSER_VERSION;
	if (strcmp(in->kind, JOBWIRE_KIND_QUARANTINE) == 0) {
		doc.outcome = "rejected";
		doc.reason = in->quarantine_reason ? in->quarantine_reason :
		    "quarantined by planqd";
		reply = job_store(st, doc, &env);
	} else {
#ifdef PLANQ_TEST_HOOKS
		job_test_hooks(in->body, in->body_len);
#endif
		reply = job_parse_and_store(st, in, doc, &env);
	}
	free(env_text);
	envelope_clear(&env);
	return reply;
}
