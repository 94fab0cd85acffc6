/*
 * fuzz_workerlink.c: libFuzzer target over workerlink_decode()
 * (daemon/workerlink.c), planqd's check of what a worker says.  A
 * confused or compromised worker controls every byte of its messages,
 * its routing id included: the input is split into frames at
 * FUZZ_FRAME_SEP, the first being the routing id.  Checks that a message
 * taken is one of READY, STORING, DONE, FATAL with the right frames, an
 * identity that is exactly the routing id, an outcome a worker may give,
 * and a text that makes a reply a client can read.
 */
#include <jansson.h>

#include "envelope.h"
#include "fuzz.h"
#include "log.h"
#include "warncode.h"
#include "workerlink.h"

#define FUZZ_LINK_FRAMES 6

static void
fuzz_check_done(const struct worker_msg *m)
{
	const struct jobwire_done *d = &m->done;
	char *json;
	json_t *root, *reason;

	FUZZ_CHECK((unsigned)d->outcome < OUTCOME_COUNT &&
	    (unsigned)d->reason < REASON_COUNT, "outcome or reason out of range");
	FUZZ_CHECK(d->outcome != OUTCOME_SPOOLED, "a worker cannot have "
	    "spooled a document, only planqd can");
	FUZZ_CHECK(d->document_id >= 0 && d->plan_id >= 0, "negative ids");
	FUZZ_CHECK((d->warnings & ~WARNCODE_MASK_ALL) == 0,
	    "a warning bit no code has");
	/* the reply planqd builds from it (broker_answer) */
	json = envelope_reply("id", outcome_name(d->outcome), d->document_id,
	    d->plan_id, m->text[0] ? m->text : NULL);
	FUZZ_CHECK(json != NULL, "no reply built");
	root = json_loads(json, 0, NULL);
	FUZZ_CHECK(json_is_object(root), "reply is not JSON: %s", json);
	reason = json_object_get(root, "reason");
	FUZZ_CHECK(m->text[0] == '\0' ? json_is_null(reason) :
	    json_is_string(reason) && json_string_length(reason) > 0,
	    "the worker's reason text is lost from the reply: %s", json);
	json_decref(root);
	free(json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *parts[FUZZ_LINK_FRAMES];
	size_t lens[FUZZ_LINK_FRAMES];
	struct worker_msg m;
	zmsg_t *msg = zmsg_new();
	int n, rc;

	log_set_level(LOG_CRIT);
	n = fuzz_split(data, size, parts, lens, FUZZ_LINK_FRAMES);
	for (int i = 0; i < n; i++)
		zmsg_addmem(msg, parts[i], lens[i]);
	rc = workerlink_decode(msg, &m);
	if (rc == 0) {
		FUZZ_CHECK(strlen(m.identity) == lens[0] &&
		    memcmp(m.identity, parts[0], lens[0]) == 0,
		    "identity is not the routing id (%zu bytes)", lens[0]);
		FUZZ_CHECK(memchr(m.text, '\0', sizeof(m.text)) != NULL,
		    "text unterminated");
		switch (m.type) {
		case JOBWIRE_T_READY:
		case JOBWIRE_T_PARSING:
		case JOBWIRE_T_STORING:
			FUZZ_CHECK(n == 2, "%d frames taken", n);
			break;
		case JOBWIRE_T_FATAL:
			FUZZ_CHECK(n == 3, "%d frames taken", n);
			break;
		case JOBWIRE_T_DONE:
			FUZZ_CHECK(n == 4, "%d frames taken", n);
			fuzz_check_done(&m);
			break;
		default:
			FUZZ_CHECK(0, "message of type %d taken", (int)m.type);
		}
	}
	zmsg_destroy(&msg);
	return 0;
}
