/*
 * fuzz_parse.c: libFuzzer target over parse_bytes().  The first byte picks
 * a content_type (fuzz_ctype.h); the rest is the document.  Checks the
 * result's invariants: a plan or not-plan object, or NULL when undecodable;
 * a plan's JSON text (the worker's, from the records) is what json_dumps
 * writes of the plan object, and the same without the object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "decode.h"
#include "fuzz_ctype.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The plan's text: json_dumps' bytes of its object, and the same bytes
 * when parsed without the object (the worker's way). */
static void
fuzz_parse_text(const uint8_t *data, size_t size, const char *ct,
    const struct parse_result *r)
{
	struct parse_result fast;
	char *s = json_dumps(r->plan, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15));

	if (s == NULL || r->json == NULL || strlen(s) != r->json_len ||
	    memcmp(s, r->json, r->json_len) != 0)
		abort();
	free(s);
	if (parse_bytes_flags(data, size, ct, 0, &fast) != 0)
		abort();
	if (fast.status != PARSE_PLAN || fast.plan != NULL ||
	    fast.doc == NULL || fast.json_len != r->json_len ||
	    memcmp(fast.json, r->json, r->json_len) != 0)
		abort();
	parse_result_clear(&fast);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_result r;
	const char *ct = fuzz_pick_ctype(&data, &size);

	if (parse_bytes(data, size, ct, &r) == 0) {
		if (r.status == PARSE_UNDECODABLE ? r.plan != NULL :
		    !json_is_object(r.plan))
			abort();
		if (r.plan != NULL) {
			char *s = json_dumps(r.plan, JSON_PRESERVE_ORDER);
			/* the output must be valid UTF-8 JSON */
			if (s == NULL || !decode_is_utf8((const unsigned char *)
			    s, strlen(s)))
				abort();
			free(s);
		}
		if (r.status == PARSE_PLAN)
			fuzz_parse_text(data, size, ct, &r);
	}
	parse_result_clear(&r);
	return 0;
}
