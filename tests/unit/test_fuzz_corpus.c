/*
 * test_fuzz_corpus.c: replays every file in tests/fuzz/corpus/ through
 * parse_bytes() the way the fuzzer does (first byte picks the
 * content_type).  Nothing may crash; under `make asan` the sanitizers check
 * every replay.  Run from the repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "../fuzz/fuzz_ctype.h"

#include "check.h"
#include "slurp.h"
#include "docdirs.h"

#define CORPUS "tests/fuzz/corpus"

/* One corpus file, read whole and then as the fuzzer reads it: each
 * parse must succeed and keep parse_bytes()'s contract. */
static void
replay(const char *dir, const char *name, void *arg)
{
	char path[1024], *buf;
	struct parse_result r;
	const uint8_t *p;
	size_t n;
	int ok;

	(void)arg;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((buf = slurp(path, &n)) == NULL)
		return;
	p = (const uint8_t *)buf;
	ok = parse_bytes(p, n, NULL, &r) == 0;
	parse_result_clear(&r);
	{
		const char *ct = fuzz_pick_ctype(&p, &n);
		ok = ok && parse_bytes(p, n, ct, &r) == 0 &&
		    (r.status == PARSE_UNDECODABLE ? r.plan == NULL :
		    json_is_object(r.plan));
		parse_result_clear(&r);
	}
	CHECK(ok, "%s: parse_bytes failed or broke its contract", path);
	free(buf);
}

int
main(void)
{
	static const char *const corpus[] = { CORPUS, NULL };

	docdirs_walk(corpus, replay, NULL);
	check_some(CORPUS " is empty");
	return check_report(stdout, "test_fuzz_corpus");
}
