/*
 * test_plan_json.c: plan_json_text (workers/plan_json.c) writes what
 * json_dumps(v, PLAN_JSON_DUMP_FLAGS) writes, byte for byte: on the values
 * that are hard to get right, and on the parse of every fixture document
 * and sample.  The worker stores that text and planq reparse writes it with
 * json_dumps, so an unchanged plan must compare equal.
 * Run from the repository root; exit 0 = all checks passed.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "plan_json.h"

#include "check.h"
#include "slurp.h"
#include "docdirs.h"

static const char *const doc_dirs[] = {
	"tests/fixtures/layouts", "tests/fixtures/parser", "samples", NULL
};

static void
same_text(const char *what, const json_t *v)
{
	char *want = json_dumps(v, PLAN_JSON_DUMP_FLAGS);
	size_t len = 0;
	char *got = plan_json_text(v, &len);

	CHECK(want != NULL && got != NULL && strcmp(want, got) == 0 &&
	    len == strlen(got), "%s: plan_json_text differs from json_dumps: "
	    "%.200s / %.200s", what, want ? want : "(null)",
	    got ? got : "(null)");
	free(want);
	free(got);
}

/* plan_json_text against json_dumps on the values that are hard to get
 * right: every escaped byte, multi-byte text, reals and their exponents */
static void
test_plan_json_values(void)
{
	static const double reals[] = { 48.3, 0.1, 3.0, -0.0, 1e20, 1e-5,
	    2.5e-300, 1.5e300, 123456789012345678.0, 100.0, 0.000123, -7.25 };
	json_t *v = json_object(), *a = json_array(), *nested = json_object();
	char raw[40];

	for (int c = 0; c < 32; c++)
		raw[c] = (char)(c + 1 == 32 ? 0x7f : c + 1);
	json_object_set_new(v, "ctl", json_stringn(raw, 32));
	json_object_set_new(v, "nul", json_stringn("a\0b", 3));
	json_object_set_new(v, "q\"k", json_string("\"\\/ \xe5\x8c\x97\xe5\x8c\xba "
	    "\xe2\x80\xa8 \xf0\x9f\x98\x80"));
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
		json_array_append_new(a, json_real(reals[i]));
	json_array_append_new(a, json_integer(-9007199254740993LL));
	/* integers are written without printf (jsontext_lld): the ends */
	json_array_append_new(a, json_integer(LLONG_MIN));
	json_array_append_new(a, json_integer(LLONG_MAX));
	json_array_append_new(a, json_integer(0));
	json_array_append_new(a, json_integer(-1));
	json_array_append_new(a, json_integer(1000000000));
	json_array_append_new(a, json_true());
	json_array_append_new(a, json_false());
	json_array_append_new(a, json_null());
	json_array_append_new(a, json_array());
	json_array_append_new(a, json_object());
	json_object_set_new(v, "values", a);
	json_object_set_new(nested, "z", json_integer(1));
	json_object_set_new(nested, "a", json_integer(2));
	json_object_set_new(v, "order", nested);
	same_text("hard values", v);
	json_decref(v);
}

static void
test_document(const char *dir, const char *name, void *seen)
{
	char path[1024], *body, *ctype;
	struct parse_result r;
	size_t len;

	if (!docdirs_is_document(name))
		return;
	(*(int *)seen)++;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((body = slurp(path, &len)) == NULL) {
		CHECK(0, "cannot read %s", path);
		return;
	}
	ctype = docdirs_ctype(path);
	CHECK(parse_bytes(body, len, ctype, &r) == 0, "%s: parse_bytes: %s",
	    path, r.reason);
	if (r.plan != NULL)
		same_text(path, r.plan);
	parse_result_clear(&r);
	free(ctype);
	free(body);
}

static void
test_plan_json_documents(void)
{
	int seen = 0;

	docdirs_walk(doc_dirs, test_document, &seen);
	CHECK(seen >= 40, "only %d documents found", seen);
}

int
main(void)
{
	test_plan_json_values();
	test_plan_json_documents();
	return check_report(stdout, "test_plan_json");
}
