/*
 * test_plan_digest.c: rows/plan_digest.c writes the text jsonb prints for
 * a JSON text (key order, separators, escaping, numbers), and refuses what
 * jsonb refuses; without arguments, on values whose jsonb text is written
 * down here.
 *
 * With --dump, it prints one line per JSON text instead: a label, the hex
 * SHA-256 plan_digest computes and the JSON text in base64, tab-separated,
 * for the parse of every fixture document, sample and fuzz-corpus file
 * (as the worker parses them: the parser's text) and for the values above;
 * tests/integration/test_plan_digest.sh has PostgreSQL compute
 * planq_plan_digest of each and compares.
 * Run from the repository root; exit 0 = all checks passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "plan_digest.h"
#include "../fuzz/fuzz_ctype.h"

#include "check.h"
#include "slurp.h"
#include "docdirs.h"

static const char *const doc_dirs[] = {
	"tests/fixtures/layouts", "tests/fixtures/parser", "samples",
	"tests/fuzz/corpus", NULL
};

/* JSON texts and what jsonb prints for each (NULL: jsonb refuses it) */
static const char *const cases[][2] = {
	{ "{\"b\":1,\"a\":2,\"aa\":3,\"c\":{\"y\":[],\"x\":{}}}",
	  "{\"a\": 2, \"b\": 1, \"c\": {\"x\": {}, \"y\": []}, \"aa\": 3}" },
	{ "{\"k\":1,\"k\":2}", "{\"k\": 2}" },
	{ " [ 1 , true,false ,null ] ", "[1, true, false, null]" },
	{ "[1.50,1e2,1.5E-3,-0,-0.0,0.10e1,12e-1,-1.25e+1,100e-2]",
	  "[1.50, 100, 0.0015, 0, 0.0, 1.0, 1.2, -12.5, 1.00]" },
	{ "[1e20,61.2,48.3,-9007199254740993,0.000123]",
	  "[100000000000000000000, 61.2, 48.3, -9007199254740993, 0.000123]" },
	{ "\"a\\u00e9\\ud83d\\ude00\\/\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"",
	  "\"a\xc3\xa9\xf0\x9f\x98\x80/\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"" },
	{ "{\"\xe5\x8c\x97\":1,\"z\":2}", "{\"z\": 2, \"\xe5\x8c\x97\": 1}" },
	{ "\"\\u0000\"", NULL },
	{ "\"\\ud83d\"", NULL },
	{ "[1,]", NULL },
	{ "{\"a\":1", NULL },
	{ "01", NULL },
	{ "1.", NULL },
	{ "[1] x", NULL },
	{ "\"tab\there\"", NULL },
};
#define NCASES	(sizeof(cases) / sizeof(cases[0]))

static void
test_cases(void)
{
	for (size_t i = 0; i < NCASES; i++) {
		struct sbuf b;
		int rc;

		sbuf_init(&b);
		rc = plan_digest_text(cases[i][0], strlen(cases[i][0]), &b);
		if (cases[i][1] == NULL)
			CHECK(rc != 0, "%s: taken, as %s", cases[i][0],
			    b.p ? b.p : "");
		else
			CHECK(rc == 0 && b.p != NULL &&
			    strcmp(b.p, cases[i][1]) == 0,
			    "%s: got %s, want %s", cases[i][0],
			    rc == 0 && b.p ? b.p : "(refused)", cases[i][1]);
		sbuf_free(&b);
	}
}

/* label, hex digest, base64 JSON */
static void
dump_line(const char *label, const char *json, size_t len)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char d[PLAN_DIGEST_LEN];
	const unsigned char *s = (const unsigned char *)json;

	if (plan_digest(json, len, d) != 0) {
		CHECK(0, "%s: plan_digest refused the parser's JSON", label);
		return;
	}
	printf("%s\t", label);
	for (int k = 0; k < PLAN_DIGEST_LEN; k++)
		printf("%02x", d[k]);
	putchar('\t');
	for (size_t k = 0; k < len; k += 3) {
		unsigned long v = (unsigned long)s[k] << 16 |
		    (k + 1 < len ? (unsigned long)s[k + 1] << 8 : 0) |
		    (k + 2 < len ? s[k + 2] : 0);

		putchar(b64[v >> 18 & 63]);
		putchar(b64[v >> 12 & 63]);
		putchar(k + 1 < len ? b64[v >> 6 & 63] : '=');
		putchar(k + 2 < len ? b64[v & 63] : '=');
	}
	putchar('\n');
}

/* The parser's text of one body, as the worker parses it (flags 0). */
static void
dump_parse(const char *label, const void *body, size_t len, const char *ct)
{
	struct parse_result r;

	if (parse_bytes_flags(body, len, ct, 0, &r) == 0 && r.json != NULL)
		dump_line(label, r.json, r.json_len);
	parse_result_clear(&r);
}

/* A document, with its .ctype; a fuzz-corpus file (every file there is
 * one) both as the fuzzer reads it and whole. */
static void
dump_document(const char *dir, const char *name, void *seen)
{
	int fuzz = strstr(dir, "fuzz") != NULL;
	char path[1024], *body, *ctype;
	size_t len;

	if (!fuzz && !docdirs_is_document(name))
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((body = slurp(path, &len)) == NULL)
		return;
	(*(int *)seen)++;
	ctype = docdirs_ctype(path);
	dump_parse(path, body, len, ctype);
	if (fuzz) {
		const uint8_t *p = (const uint8_t *)body;
		size_t n = len;
		const char *ct = fuzz_pick_ctype(&p, &n);

		dump_parse(path, p, n, ct);
	}
	free(ctype);
	free(body);
}

static void
dump_all(void)
{
	int seen = 0;

	for (size_t i = 0; i < NCASES; i++)
		if (cases[i][1] != NULL)
			dump_line("case", cases[i][0], strlen(cases[i][0]));
	docdirs_walk(doc_dirs, dump_document, &seen);
	CHECK(seen >= 60, "only %d documents found", seen);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--dump") == 0) {
		dump_all();
		return check_report(stderr, "test_plan_digest");
	}
	test_cases();
	return check_report(stdout, "test_plan_digest");
}
