/*
 * test_parse_identity.c: the parser's output must not change by accident.
 * For each file it hashes (SHA-256) everything the worker would store for
 * it: status, charset, reason, the plan's JSON text (or the not-a-plan
 * object's) and every row array plan_rows builds, byte for byte.
 *
 *   test_parse_identity            checks every line of
 *                                  tests/fixtures/parse-identity.txt
 *                                  ("HASH STATUS file|fuzz PATH": fixtures,
 *                                  samples, the fuzz corpus), both the
 *                                  worker's way (records, their text, rows
 *                                  from records) and the Jansson object's
 *                                  way (plan_json_text, plan_rows_add)
 *   test_parse_identity --dump [--fuzz] FILE…   (or paths on stdin)
 *                                  prints those lines
 *
 * --fuzz: the first byte picks the content_type and is dropped, as the
 * fuzzer and its corpus replay do (tests/fuzz/fuzz_ctype.h); else a file
 * NAME.ctype beside NAME gives it, as for the fixtures.  --dump takes the
 * worker's way, or the object's with PARSEDUMP_TREE=1, or when built
 * against a parser without records (PARSE_TREE undefined: a checkout from
 * before them, to compare against).  `make parse-identity` (mk/bench.mk)
 * rewrites the list, and compares a generated corpus with a reference
 * build's dump.  A change of the parser's output is a new list, committed
 * with the change that makes it.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/fuzz_ctype.h"
#include "parse.h"
#include "plan_json.h"
#include "plan_rows.h"
#include "check.h"
#include "slurp.h"

#define IDENTITY_LIST "tests/fixtures/parse-identity.txt"

/* The content_type of NAME from NAME.ctype (first line), into ct. */
static const char *
ctype_beside(const char *path, char *ct, size_t len)
{
	char name[4096];
	const char *dot = strrchr(path, '.');
	FILE *f;

	snprintf(name, sizeof(name), "%.*s.ctype",
	    (int)(dot ? dot - path : (long)strlen(path)), path);
	if ((f = fopen(name, "r")) == NULL)
		return NULL;
	if (fgets(ct, (int)len, f) == NULL)
		ct[0] = '\0';
	fclose(f);
	ct[strcspn(ct, "\r\n")] = '\0';
	return ct;
}

static void
hash_add(EVP_MD_CTX *h, const char *tag, const void *p, size_t n)
{
	char len[32];

	snprintf(len, sizeof(len), "\n%s %zu\n", tag, n);
	EVP_DigestUpdate(h, len, strlen(len));
	if (n > 0)
		EVP_DigestUpdate(h, p, n);
}

/* The rows of a plan into the hash; their refusal's text if refused. */
static void
hash_rows(EVP_MD_CTX *h, const struct parse_result *pr)
{
	struct plan_row_types types = { { 0 }, 0 };
	struct plan_rows rows;
	const char *vals[PLAN_ROWS_KINDS];
	int lens[PLAN_ROWS_KINDS], rc;

	plan_rows_init(&rows, &types);
#ifdef PARSE_TREE
	if (pr->plan == NULL)
		rc = plan_rows_add_doc(&rows, 1, pr->doc);
	else
#endif
		rc = plan_rows_add(&rows, 1, pr->plan);
	if (rc == 0 && plan_rows_finish(&rows, vals, lens) == 0)
		for (int k = 0; k < PLAN_ROWS_KINDS; k++)
			hash_add(h, "rows", vals[k], (size_t)lens[k]);
	else
		hash_add(h, "refused", rows.why, strlen(rows.why));
	plan_rows_free(&rows);
}

/* The plan's text: the parser's own, or plan_json_text of its object. */
static void
hash_plan(EVP_MD_CTX *h, const struct parse_result *pr)
{
	char *js;

#ifdef PARSE_TREE
	if (pr->plan == NULL) {
		hash_add(h, "json", pr->json, pr->json_len);
		return;
	}
#endif
	js = plan_json_text(pr->plan, NULL);
	hash_add(h, "json", js ? js : "", js ? strlen(js) : 0);
	free(js);
}

/* The hash of what the parser gives for path into hex[65], and its
 * status word; -1 when the file cannot be read. */
static int
identity_of(const char *path, int fuzz, int tree, char hex[65],
    const char **status)
{
	struct parse_result pr;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char ctbuf[256], line[64];
	const char *ct;
	size_t len = 0;
	char *buf = slurp(path, &len);
	const uint8_t *data = (const uint8_t *)buf;
	EVP_MD_CTX *h;
	int rc;

	if (buf == NULL)
		return -1;
	ct = fuzz ? fuzz_pick_ctype(&data, &len) :
	    ctype_beside(path, ctbuf, sizeof(ctbuf));
#ifdef PARSE_TREE
	rc = parse_bytes_flags(data, len, ct, tree ? PARSE_TREE : 0, &pr);
#else
	(void)tree;
	rc = parse_bytes(data, len, ct, &pr);
#endif
	free(buf);
	if ((h = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(h, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(h);
		parse_result_clear(&pr);
		return -1;
	}
	snprintf(line, sizeof(line), "rc %d status %d", rc, (int)pr.status);
	hash_add(h, "status", line, strlen(line));
	hash_add(h, "charset", pr.charset, strlen(pr.charset));
	hash_add(h, "reason", pr.reason, strlen(pr.reason));
	if (rc == 0 && pr.status == PARSE_PLAN) {
		hash_plan(h, &pr);
		hash_rows(h, &pr);
	} else if (rc == 0 && pr.plan != NULL) {
		char *js = plan_json_text(pr.plan, NULL);

		hash_add(h, "not_plan", js ? js : "", js ? strlen(js) : 0);
		free(js);
	}
	EVP_DigestFinal_ex(h, md, &mdlen);
	EVP_MD_CTX_free(h);
	for (unsigned int i = 0; i < mdlen && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	*status = rc != 0 ? "error" : pr.status == PARSE_PLAN ? "plan" :
	    pr.status == PARSE_NOT_PLAN ? "not_plan" : "undecodable";
	parse_result_clear(&pr);
	return 0;
}

static int
dump_one(const char *path, int fuzz, int tree)
{
	char hex[65];
	const char *status;

	if (identity_of(path, fuzz, tree, hex, &status) != 0) {
		fprintf(stderr, "test_parse_identity: cannot read %s\n", path);
		return -1;
	}
	printf("%s %s %s %s\n", hex, status, fuzz ? "fuzz" : "file", path);
	return 0;
}

static int
dump(int argc, char **argv)
{
	const char *env = getenv("PARSEDUMP_TREE");
	int tree = env != NULL && strcmp(env, "1") == 0, fuzz = 0, files = 0;
	char path[4096];

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--fuzz") == 0) {
			fuzz = 1;
			continue;
		}
		files++;
		if (dump_one(argv[i], fuzz, tree) != 0)
			return 1;
	}
	if (files > 0)
		return 0;
	while (fgets(path, sizeof(path), stdin) != NULL) {
		path[strcspn(path, "\r\n")] = '\0';
		if (path[0] != '\0' && dump_one(path, fuzz, tree) != 0)
			return 1;
	}
	return 0;
}

/* One line of the list: the file, both ways, against its hash. */
static void
check_line(const char *want, const char *mode, const char *path)
{
	int fuzz = strcmp(mode, "fuzz") == 0;

	for (int tree = 0; tree <= 1; tree++) {
		char hex[65];
		const char *status;

		if (identity_of(path, fuzz, tree, hex, &status) != 0) {
			nfail++;
			printf("FAIL %s: cannot read it\n", path);
			return;
		}
		if (strcmp(hex, want) == 0)
			npass++;
		else {
			nfail++;
			printf("FAIL %s (%s): the parser's output changed "
			    "(%s way; now %s)\n", path, status,
			    tree ? "Jansson object's" : "worker's", hex);
		}
	}
}

int
main(int argc, char **argv)
{
	char line[4600], want[65], status[16], mode[8], path[4096];
	FILE *f;

	if (argc > 1 && strcmp(argv[1], "--dump") == 0)
		return dump(argc - 2, argv + 2);
	if ((f = fopen(IDENTITY_LIST, "r")) == NULL) {
		printf("FAIL cannot open %s\n", IDENTITY_LIST);
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%64s %15s %7s %4095[^\n]", want, status, mode,
		    path) == 4)
			check_line(want, mode, path);
	fclose(f);
	check_some(IDENTITY_LIST " lists no file");
	return check_report(stdout, "test_parse_identity");
}
