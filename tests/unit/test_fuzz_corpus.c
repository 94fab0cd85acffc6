/*
 * test_fuzz_corpus.c: replays every file in tests/fuzz/corpus/ through
 * parse_bytes() the way the fuzzer does (first byte picks the
 * content_type).  Nothing may crash; under `make asan` the sanitizers check
 * every replay.  Run from the repository root.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "../fuzz/fuzz_ctype.h"

#define CORPUS "tests/fuzz/corpus"

int
main(void)
{
	DIR *d = opendir(CORPUS);
	struct dirent *e;
	int npass = 0, nfail = 0;

	if (d == NULL) {
		printf("FAIL cannot open %s (run from the repository root)\n",
		    CORPUS);
		printf("test_fuzz_corpus: 0 passed, 1 failed\n");
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		char path[1024];
		struct parse_result r;
		unsigned char *buf;
		const uint8_t *p;
		size_t n;
		long len;
		FILE *f;
		int ok;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", CORPUS, e->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc(len > 0 ? (size_t)len : 1);
		n = buf && len > 0 ? fread(buf, 1, (size_t)len, f) : 0;
		fclose(f);
		p = buf;
		ok = parse_bytes(p, n, NULL, &r) == 0;
		parse_result_clear(&r);
		{
			const char *ct = fuzz_pick_ctype(&p, &n);
			ok = ok && parse_bytes(p, n, ct, &r) == 0 &&
			    (r.status == PARSE_UNDECODABLE ? r.plan == NULL :
			    json_is_object(r.plan));
			parse_result_clear(&r);
		}
		if (ok)
			npass++;
		else {
			nfail++;
			printf("FAIL %s: parse_bytes failed or broke its "
			    "contract\n", path);
		}
		free(buf);
	}
	closedir(d);
	if (npass + nfail == 0) {
		printf("FAIL %s is empty\n", CORPUS);
		nfail++;
	}
	printf("test_fuzz_corpus: %d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
