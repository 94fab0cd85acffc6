/*
 * test_parse_fixtures.c: parses every fixture document under
 * tests/fixtures/layouts/ and tests/fixtures/parser/ (NAME.txt/.html/.bin…,
 * optional NAME.ctype) and compares the result with NAME.json in the spirit
 * of shared/eval/score.py: strings NFKC-normalised with tags, list markers
 * and white space stripped, numbers and codes exact, reason "*" = any.
 * A document without NAME.json whose name starts with "undecodable" must be
 * reported PARSE_UNDECODABLE.  Every difference is printed with its path.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "parse.h"
#include "sbuf.h"
#include "text.h"
#include "check.h"
#include "slurp.h"

static const char *const fixture_dirs[] = {
	"tests/fixtures/layouts", "tests/fixtures/parser", NULL
};

/* score.py's norm(): NFKC, tags -> space, list markers and bullet marks at
 * item starts removed, all white space removed. */
static char *
norm(const char *s)
{
	utf8proc_uint8_t *nf = NULL;
	struct sbuf a, out;
	size_t i, n, adv;

	if (utf8proc_map((const utf8proc_uint8_t *)s, 0, &nf, UTF8PROC_NULLTERM |
	    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT) < 0) {
		free(nf);
		return strdup(s);
	}
	sbuf_init(&a);
	sbuf_init(&out);
	n = strlen((char *)nf);
	for (i = 0; i < n; i++) {		/* <[^>]+> -> " " */
		if (nf[i] == '<') {
			const char *e = strchr((char *)nf + i + 1, '>');
			if (e != NULL && e > (char *)nf + i + 1) {
				sbuf_addc(&a, ' ');
				i = (size_t)(e - (char *)nf);
				continue;
			}
		}
		sbuf_addc(&a, (char)nf[i]);
	}
	free(nf);
	for (i = 0; a.p != NULL && i < a.len; ) {
		int at_start = i == 0 || text_is_space_cp((unsigned char)
		    a.p[i - 1]) || (i >= 3 && memcmp(a.p + i - 3, "\xe3\x80\x80",
		    3) == 0);
		uint32_t cp = text_cp(a.p + i, a.len - i, &adv);
		if (at_start && (cp == '-' || cp == '*' || cp == 0x2022) &&
		    i + adv < a.len && text_is_space_cp((unsigned char)
		    a.p[i + adv])) {
			i += adv;
			continue;
		}
		if (at_start) {
			int ate = 0;
			for (;;) {
				cp = text_cp(a.p + i, a.len - i, &adv);
				if (i < a.len && (cp == 0x30FB || cp == 0x25CB ||
				    cp == 0x2606 || cp == 0x25C6 || cp == 0x25A0 ||
				    cp == 0x25CF || cp == 0x25CE || cp == 0x203B)) {
					i += adv;
					ate = 1;
				} else
					break;
			}
			if (ate)
				continue;
		}
		if (!text_is_space_cp(cp))
			sbuf_add(&out, a.p + i, adv);
		i += adv;
	}
	sbuf_free(&a);
	if (out.p == NULL)
		return strdup("");
	return sbuf_steal(&out);
}

struct cmp {
	const char *name;
	int	 diffs;
};

static void
diff(struct cmp *c, const char *path, const char *what, json_t *want,
    json_t *got)
{
	char *w = want ? json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT) :
	    NULL, *g = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) :
	    NULL;

	printf("FAIL %s: %s: %s: expected %.200s, got %.200s\n", c->name,
	    path[0] ? path : "(root)", what, w ? w : "(absent)",
	    g ? g : "(absent)");
	free(w);
	free(g);
	c->diffs++;
}

static void compare(struct cmp *, const char *, json_t *, json_t *);

/* Keys planq adds to the spec's plan (docs/PLAN-JSON.md): compared when
 * the expected JSON has them, else ignored the way score.py ignores every
 * key it does not know, so a fixture written from the spec alone stays
 * valid. */
static int
extension_key(const char *key)
{
	static const char *const keys[] = { "warnings", "printed_name",
	    "canonical_name", "evidence", NULL };

	for (size_t i = 0; keys[i] != NULL; i++)
		if (strcmp(key, keys[i]) == 0)
			return 1;
	return 0;
}

static void
compare_object(struct cmp *c, const char *path, json_t *want, json_t *got)
{
	const char *key;
	json_t *v;
	char sub[512];

	json_object_foreach(want, key, v) {
		snprintf(sub, sizeof(sub), "%s.%s", path, key);
		if (strcmp(key, "reason") == 0 && json_is_string(v) &&
		    strcmp(json_string_value(v), "*") == 0) {
			if (!json_is_string(json_object_get(got, key)))
				diff(c, sub, "reason missing", v,
				    json_object_get(got, key));
			continue;
		}
		if (json_object_get(got, key) == NULL) {
			diff(c, sub, "key missing", v, NULL);
			continue;
		}
		compare(c, sub, v, json_object_get(got, key));
	}
	json_object_foreach(got, key, v) {
		if (json_object_get(want, key) == NULL) {
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			/* a not-plan expectation only pins is_plan/reason */
			if (json_is_false(json_object_get(want, "is_plan")) ||
			    extension_key(key))
				continue;
			diff(c, sub, "unexpected key", NULL, v);
		}
	}
}

static void
compare(struct cmp *c, const char *path, json_t *want, json_t *got)
{
	char sub[512];
	size_t i;

	if (json_is_object(want)) {
		if (!json_is_object(got))
			diff(c, path, "type", want, got);
		else
			compare_object(c, path, want, got);
	} else if (json_is_array(want)) {
		if (!json_is_array(got) || json_array_size(want) !=
		    json_array_size(got)) {
			diff(c, path, "list length", want, got);
			return;
		}
		for (i = 0; i < json_array_size(want); i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			compare(c, sub, json_array_get(want, i),
			    json_array_get(got, i));
		}
	} else if (json_is_string(want)) {
		char *a, *b;
		if (!json_is_string(got)) {
			diff(c, path, "type", want, got);
			return;
		}
		a = norm(json_string_value(want));
		b = norm(json_string_value(got));
		if (strcmp(a, b) != 0)
			diff(c, path, "text differs", want, got);
		free(a);
		free(b);
	} else if (json_is_number(want)) {
		double d = json_number_value(want) - json_number_value(got);
		if (!json_is_number(got) || d > 1e-9 || d < -1e-9 ||
		    json_is_integer(want) != json_is_integer(got))
			diff(c, path, "number differs", want, got);
	} else if (!json_equal(want, got))
		diff(c, path, "value differs", want, got);
}

/* Finds the document for NAME.json: any sibling NAME.* but .json/.ctype. */
static int
find_doc(const char *dir, const char *stem, char *out, size_t outsz)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t l = strlen(stem);
	int found = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && !found) {
		const char *ext = e->d_name + l;
		if (strncmp(e->d_name, stem, l) != 0 || *ext != '.' ||
		    strchr(ext + 1, '.') != NULL)
			continue;
		if (strcmp(ext, ".json") == 0 || strcmp(ext, ".ctype") == 0)
			continue;
		snprintf(out, outsz, "%s/%s", dir, e->d_name);
		found = 1;
	}
	closedir(d);
	return found;
}

static void
run_fixture(const char *dir, const char *stem, int have_json)
{
	char doc[1024], p[1024], *ctype = NULL, *body, *exp = NULL;
	struct parse_result r;
	struct cmp c = { stem, 0 };
	json_error_t err;
	json_t *want = NULL;
	size_t len, clen, elen;

	if (!find_doc(dir, stem, doc, sizeof(doc))) {
		printf("FAIL %s: no document beside %s.json\n", stem, stem);
		nfail++;
		return;
	}
	snprintf(p, sizeof(p), "%s/%s.ctype", dir, stem);
	if ((ctype = slurp(p, &clen)) != NULL)
		while (clen > 0 && (ctype[clen - 1] == '\n' ||
		    ctype[clen - 1] == '\r' || ctype[clen - 1] == ' '))
			ctype[--clen] = '\0';
	if ((body = slurp(doc, &len)) == NULL) {
		printf("FAIL %s: cannot read %s\n", stem, doc);
		nfail++;
		free(ctype);
		return;
	}
	if (parse_bytes(body, len, ctype, &r) != 0) {
		printf("FAIL %s: parse_bytes failed: %s\n", stem, r.reason);
		c.diffs++;
	} else if (!have_json) {
		if (r.status != PARSE_UNDECODABLE) {
			printf("FAIL %s: expected PARSE_UNDECODABLE, got status "
			    "%d\n", stem, (int)r.status);
			c.diffs++;
		} else if (strstr(r.reason, "charset") == NULL) {
			printf("FAIL %s: undecodable reason does not say what to "
			    "do: %s\n", stem, r.reason);
			c.diffs++;
		}
	} else {
		snprintf(p, sizeof(p), "%s/%s.json", dir, stem);
		if ((exp = slurp(p, &elen)) == NULL ||
		    (want = json_loads(exp, 0, &err)) == NULL) {
			printf("FAIL %s: bad expected JSON %s\n", stem, p);
			c.diffs++;
		} else if (r.status == PARSE_UNDECODABLE) {
			printf("FAIL %s: undecodable: %s\n", stem, r.reason);
			c.diffs++;
		} else {
			compare(&c, "", want, r.plan);
		}
	}
	if (c.diffs == 0)
		npass++;
	else
		nfail++;
	json_decref(want);
	parse_result_clear(&r);
	free(exp);
	free(body);
	free(ctype);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, **nn;
	size_t n = 0, cap = 0, i;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nn = realloc(names, cap * sizeof(*names))) == NULL)
				break;
			names = nn;
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	if (names == NULL)
		return;
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		char *dot = strrchr(names[i], '.'), stem[512], p[1024];
		FILE *f;
		if (dot == NULL || (size_t)(dot - names[i]) >= sizeof(stem))
			continue;
		memcpy(stem, names[i], (size_t)(dot - names[i]));
		stem[dot - names[i]] = '\0';
		if (strcmp(dot, ".json") == 0) {
			run_fixture(dir, stem, 1);
			continue;
		}
		if (strcmp(dot, ".ctype") == 0 ||
		    strncmp(stem, "undecodable", 11) != 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s.json", dir, stem);
		if ((f = fopen(p, "r")) != NULL) {
			fclose(f);
			continue;
		}
		run_fixture(dir, stem, 0);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
main(void)
{
	size_t i;

	for (i = 0; fixture_dirs[i] != NULL; i++)
		run_dir(fixture_dirs[i]);
	check_some("no fixtures found (run from the repository root)");
	return check_report(stdout, "test_parse_fixtures");
}
