/*
 * test_wire.c: what planqd reads from outside, checked alone: a crawler's
 * message against the protocol (frames, envelope, body size: front_check),
 * and a worker's messages (lib/jobwire.h headers and workerlink_decode),
 * without sockets.  Each malformed input must be refused with the reason a
 * client can act on, or not be trusted at all.
 */
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "front.h"
#include "jobwire.h"
#include "workerlink.h"

#include "check.h"

#define MAX_BODY 1000

/* A message as the ROUTER delivers it: routing id, then the frames. */
static zmsg_t *
msg_of(int n, const char *const *frames, const size_t *lens)
{
	zmsg_t *msg = zmsg_new();

	zmsg_addstr(msg, "peer");
	for (int i = 0; i < n; i++)
		zmsg_addmem(msg, frames[i], lens ? lens[i] : strlen(frames[i]));
	return msg;
}

static void
expect(const char *name, zmsg_t *msg, enum reason want, const char *text_has,
    const char *want_id)
{
	char text[512];
	enum reason why = REASON_OTHER;
	struct job *job = front_check(msg, MAX_BODY, &why, text, sizeof(text));

	CHECK(job != NULL && why == want, "%s: reason %s, want %s (%s)", name,
	    reason_label(why), reason_label(want), text);
	if (job == NULL)
		return;
	CHECK(text_has == NULL || strstr(text, text_has) != NULL,
	    "%s: text [%s] lacks [%s]", name, text, text_has);
	CHECK((want_id == NULL && job->client_id == NULL) ||
	    (want_id != NULL && job->client_id != NULL &&
	    strcmp(job->client_id, want_id) == 0), "%s: id [%s]", name,
	    job->client_id ? job->client_id : "(none)");
	CHECK(job->client != NULL, "%s: the client's routing id is kept", name);
	job_free(&job);
	zmsg_destroy(&msg);
}

static void
test_front_check(void)
{
	const char *ok[] = { "{\"v\":1,\"id\":\"a1\",\"source_url\":\"http://x/\"}",
	    "body" };
	const char *one[] = { "{\"v\":1,\"id\":\"b\"}" };
	const char *three[] = { "{\"v\":1}", "x", "y" };
	const char *req[] = { "", "{\"v\":1,\"id\":\"r\"}", "body" };
	const char *v2[] = { "{\"v\":2,\"id\":\"c\"}", "body" };
	const char *notjson[] = { "{v:1", "body" };
	const char *wrongtype[] = { "{\"v\":1,\"id\":\"d\",\"source_url\":7}",
	    "body" };
	const char *empty[] = { "{\"v\":1,\"id\":\"e\"}", "" };
	const char *nul[] = { "{\"v\":1,\"id\":\"f\",\"source_url\":\"a\\u0000b\"}",
	    "body" };
	char big[MAX_BODY + 1];
	const char *over[] = { "{\"v\":1,\"id\":\"g\"}", big };
	size_t overlens[] = { strlen(over[0]), sizeof(big) };
	zmsg_t *m;
	struct job *job;
	enum reason why;
	char text[512];

	memset(big, 'x', sizeof(big));
	m = msg_of(2, ok, NULL);
	job = front_check(m, MAX_BODY, &why, text, sizeof(text));
	CHECK(why == REASON_NONE && job->envelope != NULL &&
	    zframe_size(job->body) == 4 && strcmp(job->source_url,
	    "http://x/") == 0 && !job->req_style, "a good message is taken");
	job_free(&job);
	zmsg_destroy(&m);
	expect("one frame", msg_of(1, one, NULL), REASON_FRAMES,
	    "message has 1 frame;", "b");
	expect("three frames", msg_of(3, three, NULL), REASON_FRAMES,
	    "message has 3 frames", NULL);
	m = msg_of(3, req, NULL);
	job = front_check(m, MAX_BODY, &why, text, sizeof(text));
	CHECK(why == REASON_NONE && job->req_style, "REQ's delimiter is "
	    "recognised and echoed (%s)", text);
	job_free(&job);
	zmsg_destroy(&m);
	expect("v 2", msg_of(2, v2, NULL), REASON_BAD_ENVELOPE,
	    "this daemon speaks v=1", "c");
	expect("not JSON", msg_of(2, notjson, NULL), REASON_BAD_ENVELOPE, NULL,
	    NULL);
	expect("a key of the wrong type", msg_of(2, wrongtype, NULL),
	    REASON_BAD_ENVELOPE, "source_url", "d");
	expect("empty body", msg_of(2, empty, NULL), REASON_EMPTY,
	    "document body is empty", "e");
	expect("a NUL in the envelope", msg_of(2, nul, NULL),
	    REASON_BAD_ENVELOPE, "NUL", "f");
	expect("over max_body", msg_of(2, over, overlens), REASON_OVERSIZE,
	    "over the limit of 1000 bytes (max_body)", "g");
}

static void
test_jobwire_headers(void)
{
	struct jobwire_done d = { 0x0102030405060708ULL, 42, 7, OUTCOME_DUPLICATE,
	    REASON_NONE, 0x1005 }, back;
	struct jobwire_job j = { 99, JOBWIRE_QUARANTINE }, jback;
	unsigned char h[JOBWIRE_DONE_HEAD], jh[JOBWIRE_JOB_HEAD];

	jobwire_done_pack(&d, h);
	CHECK(h[0] == 0x08 && h[7] == 0x01, "little-endian id");
	CHECK(jobwire_done_unpack(h, sizeof(h), &back) == 0 && back.id == d.id &&
	    back.document_id == 42 && back.plan_id == 7 &&
	    back.outcome == OUTCOME_DUPLICATE && back.warnings == 0x1005,
	    "DONE round trip");
	CHECK(JOBWIRE_DONE_HEAD == 30 && h[26] == 0x05 && h[27] == 0x10 &&
	    h[28] == 0 && h[29] == 0, "warnings: u32 little-endian at 26");
	h[29] = 0x80;
	CHECK(jobwire_done_unpack(h, sizeof(h), &back) != 0,
	    "a warning bit past the known codes is refused");
	h[29] = 0;
	h[27] = (unsigned char)(1u << (WARNCODE_COUNT - 1 - 8));
	CHECK(jobwire_done_unpack(h, sizeof(h), &back) == 0 &&
	    back.warnings == (1u << (WARNCODE_COUNT - 1)) + 0x05,
	    "the last code's bit is accepted");
	CHECK(jobwire_done_unpack(h, sizeof(h) - 1, &back) != 0,
	    "a short DONE head is refused");
	h[24] = OUTCOME_COUNT;
	CHECK(jobwire_done_unpack(h, sizeof(h), &back) != 0,
	    "an outcome out of range is refused");
	h[24] = OUTCOME_STORED;
	h[25] = REASON_COUNT;
	CHECK(jobwire_done_unpack(h, sizeof(h), &back) != 0,
	    "a reason out of range is refused");
	h[25] = 0;
	h[15] = 0x80;	/* document id negative */
	CHECK(jobwire_done_unpack(h, sizeof(h), &back) != 0,
	    "a negative id is refused");
	jobwire_job_pack(&j, jh);
	CHECK(jobwire_job_unpack(jh, sizeof(jh), &jback) == 0 &&
	    jback.id == 99 && jback.kind == JOBWIRE_QUARANTINE, "JOB round trip");
	jh[8] = 9;
	CHECK(jobwire_job_unpack(jh, sizeof(jh), &jback) != 0,
	    "an unknown kind is refused");
	CHECK(jobwire_type_of("DONE", 4) == JOBWIRE_T_DONE &&
	    jobwire_type_of("DONEX", 5) == JOBWIRE_T_UNKNOWN &&
	    jobwire_type_of("", 0) == JOBWIRE_T_UNKNOWN, "types by name");
}

static zmsg_t *
worker_says(const char *type, const void *f2, size_t l2, const char *f3)
{
	zmsg_t *msg = zmsg_new();

	zmsg_addstr(msg, "w0.1-1");
	zmsg_addstr(msg, type);
	if (f2 != NULL)
		zmsg_addmem(msg, f2, l2);
	if (f3 != NULL)
		zmsg_addstr(msg, f3);
	return msg;
}

static void
decodes(const char *name, zmsg_t *msg, int want_rc, enum jobwire_type want)
{
	struct worker_msg m;
	int rc = workerlink_decode(msg, &m);

	CHECK(rc == want_rc && (rc != 0 || m.type == want), "%s: rc %d type %d",
	    name, rc, (int)m.type);
	zmsg_destroy(&msg);
}

static void
test_worker_messages(void)
{
	struct jobwire_done d = { 5, 1, 2, OUTCOME_STORED, REASON_NONE, 3 };
	unsigned char h[JOBWIRE_DONE_HEAD];
	struct worker_msg m;
	zmsg_t *msg;

	jobwire_done_pack(&d, h);
	msg = worker_says(JOBWIRE_DONE, h, sizeof(h), "why");
	CHECK(workerlink_decode(msg, &m) == 0 && m.done.id == 5 &&
	    strcmp(m.text, "why") == 0 && strcmp(m.identity, "w0.1-1") == 0,
	    "DONE decoded");
	zmsg_destroy(&msg);
	decodes("READY", worker_says(JOBWIRE_READY, NULL, 0, NULL), 0,
	    JOBWIRE_T_READY);
	decodes("STORING", worker_says(JOBWIRE_STORING, NULL, 0, NULL), 0,
	    JOBWIRE_T_STORING);
	decodes("PARSING", worker_says(JOBWIRE_PARSING, NULL, 0, NULL), 0,
	    JOBWIRE_T_PARSING);
	decodes("PARSING with more frames", worker_says(JOBWIRE_PARSING, "x", 1,
	    NULL), -1, 0);
	decodes("FATAL", worker_says(JOBWIRE_FATAL, "no db", 5, NULL), 0,
	    JOBWIRE_T_FATAL);
	decodes("READY with more frames", worker_says(JOBWIRE_READY, "x", 1,
	    NULL), -1, 0);
	decodes("DONE without its text", worker_says(JOBWIRE_DONE, h, sizeof(h),
	    NULL), -1, 0);
	decodes("DONE with a short head", worker_says(JOBWIRE_DONE, h, 5, "t"),
	    -1, 0);
	decodes("an unknown type", worker_says("HELLO", NULL, 0, NULL), -1, 0);
	decodes("JOB from a worker", worker_says(JOBWIRE_JOB, NULL, 0, NULL), -1,
	    0);
}

/* The reply's "reason" as a C string (malloc'd), or NULL if it has none. */
static char *
reply_reason(const char *id, const char *status, const char *reason)
{
	char *json = envelope_reply(id, status, 0, 0, reason), *copy = NULL;
	json_t *root = json ? json_loads(json, 0, NULL) : NULL;
	json_t *r = json_object_get(root, "reason");

	if (json_is_string(r))
		copy = strdup(json_string_value(r));
	json_decref(root);
	free(json);
	return copy;
}

/*
 * Found by fuzz_front: jansson's message for bad JSON quotes the client's
 * bytes ("invalid escape near '\"a\u000\xd7'"), half a character or
 * bytes that are no UTF-8, and json_string() refused the reason: the
 * client was answered "rejected" with no reason at all.
 */
static void
test_reply_reason_not_utf8(void)
{
	const char *bad[] = { "{\"v\":1,\"id\":\"a\\u000\xd7\x9d\"}", "b" };
	char text[512], cut[1024], *r;
	enum reason why;
	zmsg_t *m = msg_of(2, bad, NULL);
	struct job *job = front_check(m, MAX_BODY, &why, text, sizeof(text));

	r = reply_reason(job->client_id, "rejected", text);
	CHECK(why == REASON_BAD_ENVELOPE && r != NULL && strstr(r,
	    "envelope is not valid JSON") != NULL && strstr(r, "\xef\xbf\xbd"),
	    "a rejection quoting bytes that are not UTF-8 keeps its reason, "
	    "the bytes as U+FFFD: [%s]", r ? r : "(none)");
	free(r);
	job_free(&job);
	zmsg_destroy(&m);
	/* a worker's text cut inside a character (JOBWIRE_REASON_MAX) */
	memset(cut, 0, sizeof(cut));
	for (size_t i = 0; i + 3 <= sizeof(cut) - 1; i += 3)
		memcpy(cut + i, "\xe3\x81\x82", 3);	/* あ */
	cut[sizeof(cut) - 2] = '\0';	/* 1022 bytes: the last あ cut */
	r = reply_reason("x", "rejected", cut);
	CHECK(r != NULL && strncmp(r, "\xe3\x81\x82", 3) == 0, "a reason cut "
	    "inside a character keeps its reason");
	free(r);
	r = reply_reason("x", "stored", NULL);
	CHECK(r == NULL, "no reason stays null");
}

/*
 * Found by fuzz_workerlink: a routing id with a NUL ("w0.1-1<NUL>x", which
 * libzmq accepts from any peer on the worker socket) was cut at the NUL
 * and passed for the worker w0.1-1, whose jobs it could then answer.
 */
static void
test_worker_identity_nul(void)
{
	zmsg_t *msg = zmsg_new();

	zmsg_addmem(msg, "w0.1-1\0x", 8);
	zmsg_addstr(msg, JOBWIRE_READY);
	decodes("a routing id with a NUL", msg, -1, 0);
}

/* Only planqd spools: a worker's DONE saying "spooled" is refused. */
static void
test_worker_says_spooled(void)
{
	struct jobwire_done d = { 5, 0, 0, OUTCOME_SPOOLED, REASON_NONE, 0 };
	unsigned char h[JOBWIRE_DONE_HEAD];

	jobwire_done_pack(&d, h);
	decodes("DONE saying spooled", worker_says(JOBWIRE_DONE, h, sizeof(h),
	    ""), -1, 0);
	d.outcome = OUTCOME_RETRY;
	jobwire_done_pack(&d, h);
	decodes("DONE saying retry", worker_says(JOBWIRE_DONE, h, sizeof(h),
	    "database unavailable"), 0, JOBWIRE_T_DONE);
}

int
main(void)
{
	test_front_check();
	test_jobwire_headers();
	test_worker_messages();
	test_reply_reason_not_utf8();
	test_worker_identity_nul();
	test_worker_says_spooled();
	return check_report(stdout, "test_wire");
}
