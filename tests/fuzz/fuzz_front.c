/*
 * fuzz_front.c: libFuzzer target over front_check() (daemon/front.c), the
 * check of every message a crawler sends.  The first byte picks max_body
 * (1 to 16321 bytes); the rest is split into frames at FUZZ_FRAME_SEP and
 * delivered behind a routing id, as the ROUTER would.  Checks that every
 * message becomes a job that is either a document (two frames, a valid
 * envelope, a body within max_body) or a rejection with a reason code and
 * a text, and that the reply planqd would send is JSON a client can read:
 * its id, its status and, for a rejection, its reason.
 */
#include <jansson.h>

#include "envelope.h"
#include "front.h"
#include "fuzz.h"
#include "log.h"

#define FUZZ_FRONT_FRAMES 8

static void
fuzz_check_document(const struct job *job, size_t max_body)
{
	struct envelope env;
	char why[256];

	FUZZ_CHECK(job->envelope != NULL && job->body != NULL,
	    "a document without its two frames");
	FUZZ_CHECK(zframe_size(job->body) >= 1 &&
	    zframe_size(job->body) <= max_body, "body of %zu bytes taken",
	    zframe_size(job->body));
	FUZZ_CHECK(envelope_parse(zframe_data(job->envelope),
	    zframe_size(job->envelope), &env, why, sizeof(why)) == 0,
	    "an envelope taken that does not parse: %s", why);
	envelope_clear(&env);
}

/* The reply JSON planqd sends for this job: a client must be able to read
 * its id back, and a rejection's reason. */
static void
fuzz_check_reply(const struct job *job, enum reason why, const char *text)
{
	const char *status = why == REASON_NONE ? "stored" : "rejected";
	char *json = envelope_reply(job->client_id, status, 0, 0,
	    why == REASON_NONE ? NULL : text);
	json_t *root, *id, *reason;

	FUZZ_CHECK(json != NULL, "no reply built");
	root = json_loads(json, 0, NULL);
	FUZZ_CHECK(json_is_object(root), "reply is not a JSON object: %s",
	    json);
	id = json_object_get(root, "id");
	FUZZ_CHECK(job->client_id == NULL ? json_is_null(id) :
	    json_is_string(id) && strcmp(json_string_value(id),
	    job->client_id) == 0, "reply id does not echo the envelope's");
	FUZZ_CHECK(json_is_string(json_object_get(root, "status")),
	    "reply without a status: %s", json);
	reason = json_object_get(root, "reason");
	FUZZ_CHECK(why == REASON_NONE || (json_is_string(reason) &&
	    json_string_length(reason) > 0), "a rejection whose reply has no "
	    "reason: %s (text [%s])", json, text);
	json_decref(root);
	free(json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *parts[FUZZ_FRONT_FRAMES];
	size_t lens[FUZZ_FRONT_FRAMES], max_body;
	char text[512];
	enum reason why = REASON_OTHER;
	struct job *job;
	zmsg_t *msg;
	int n;

	if (size < 1)
		return 0;
	log_set_level(LOG_CRIT);
	max_body = 1 + (size_t)data[0] * 64;
	n = fuzz_split(data + 1, size - 1, parts, lens, FUZZ_FRONT_FRAMES);
	msg = zmsg_new();
	zmsg_addstr(msg, "peer");
	for (int i = 0; i < n; i++)
		zmsg_addmem(msg, parts[i], lens[i]);
	job = front_check(msg, max_body, &why, text, sizeof(text));
	FUZZ_CHECK(job != NULL, "front_check returned no job");
	FUZZ_CHECK(job->client != NULL && zframe_streq(job->client, "peer"),
	    "the routing id is not kept for the reply");
	FUZZ_CHECK(memchr(text, '\0', sizeof(text)) != NULL, "text unterminated");
	if (why == REASON_NONE)
		fuzz_check_document(job, max_body);
	else
		FUZZ_CHECK(text[0] != '\0' && (why == REASON_FRAMES ||
		    why == REASON_BAD_ENVELOPE || why == REASON_EMPTY ||
		    why == REASON_OVERSIZE), "rejection %s without a text",
		    reason_label(why));
	fuzz_check_reply(job, why, text);
	job_free(&job);
	zmsg_destroy(&msg);
	return 0;
}
