/*
 * fuzz_parse.c: libFuzzer target over parse_bytes().  The first byte picks
 * a content_type (fuzz_ctype.h); the rest is the document.  Checks the
 * result's invariants: a plan or not-plan object, or NULL when undecodable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "decode.h"
#include "fuzz_ctype.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	}
	parse_result_clear(&r);
	return 0;
}
