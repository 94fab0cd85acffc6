/*
 * test_plan_rows.c: workers/plan_rows.c on its own: the rows of every sample
 * plan are counted as the JSON has them, positions carry on across a batch;
 * values travel as the text ->> gives in SQL (a number as written, a number
 * given as text as that text, an element that is not an object as a row of
 * NULLs), which the database casts; and a plan whose shape no rows can hold
 * (a list that is not a list, an object where a value belongs) is refused,
 * saying where.  That the rows are those the tests read from the stored
 * JSON themselves is tested against PostgreSQL
 * (tests/integration/test_plan_rows.sh).
 */
#include <arpa/inet.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "plan_rows.h"

#include "check.h"

static const struct plan_row_types types = { { 70001, 70002, 70003, 70004,
    70005, 70006, 70007, 70008, 70009, 70010 }, 70011 };

struct counts {
	int	n[PLAN_ROWS_KINDS];
};

static void
count_initiatives(const json_t *list, struct counts *c)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		c->n[PLAN_ROWS_INITIATIVES]++;
		c->n[PLAN_ROWS_BUDGETS] += (int)json_array_size(json_object_get(
		    json_array_get(list, i), "budgets"));
	}
}

/* The rows of each kind the JSON has, counted here from the JSON itself. */
static void
count_json(const json_t *plan, struct counts *c)
{
	static const char *const texts[] = { "goals", "missions", "policies" };
	const json_t *issues = json_object_get(plan, "issues");

	c->n[PLAN_ROWS_PLANS]++;
	for (int k = 0; k < 3; k++)
		c->n[PLAN_ROWS_TEXTS] += (int)json_array_size(
		    json_object_get(plan, texts[k]));
	for (size_t i = 0; i < json_array_size(issues); i++) {
		const json_t *is = json_array_get(issues, i);
		const json_t *ss = json_object_get(is, "strategies");

		c->n[PLAN_ROWS_ISSUES]++;
		for (size_t k = 0; k < json_array_size(ss); k++) {
			c->n[PLAN_ROWS_STRATEGIES]++;
			count_initiatives(json_object_get(json_array_get(ss, k),
			    "initiatives"), c);
		}
		count_initiatives(json_object_get(is, "initiatives"), c);
	}
	c->n[PLAN_ROWS_REFORMS] += (int)json_array_size(
	    json_object_get(plan, "reforms"));
	c->n[PLAN_ROWS_EVALUATIONS] += json_is_object(
	    json_object_get(plan, "evaluation"));
	c->n[PLAN_ROWS_COUNCILS] += json_is_object(
	    json_object_get(plan, "council_reflection"));
	c->n[PLAN_ROWS_CONTACTS] += json_is_object(
	    json_object_get(plan, "contact"));
}

/* Every sample plan, one batch: the arrays hold the JSON's rows. */
static void
test_samples(void)
{
	struct plan_rows r;
	struct counts want;
	glob_t g;
	int doc = 0;

	memset(&want, 0, sizeof(want));
	plan_rows_init(&r, &types);
	CHECK(glob("samples/*.json", 0, NULL, &g) == 0 && g.gl_pathc >= 5,
	    "samples/*.json: run from the repository root");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		json_error_t err;
		json_t *plan = json_load_file(g.gl_pathv[i], 0, &err);

		CHECK(plan != NULL, "%s: %s", g.gl_pathv[i], err.text);
		if (plan == NULL)
			continue;
		count_json(plan, &want);
		CHECK(plan_rows_add(&r, ++doc, plan) == 0, "%s refused: %s",
		    g.gl_pathv[i], r.why);
		json_decref(plan);
	}
	globfree(&g);
	for (int k = 0; k < PLAN_ROWS_KINDS; k++)
		CHECK(r.a[k].count == want.n[k], "rows of kind %d: %d, want %d", k,
		    r.a[k].count, want.n[k]);
	CHECK(want.n[PLAN_ROWS_TEXTS] > 0 && want.n[PLAN_ROWS_REFORMS] > 0 &&
	    want.n[PLAN_ROWS_EVALUATIONS] > 0 && want.n[PLAN_ROWS_COUNCILS] > 0 &&
	    want.n[PLAN_ROWS_CONTACTS] > 0, "the samples have every part");
	{
		const char *values[PLAN_ROWS_KINDS];
		int lengths[PLAN_ROWS_KINDS];

		CHECK(plan_rows_finish(&r, values, lengths) == 0 &&
		    lengths[PLAN_ROWS_ISSUES] > 20 &&
		    lengths[PLAN_ROWS_BUDGETS] > 20, "finish");
	}
	plan_rows_free(&r);
}

static uint32_t
get32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return ntohl(v);
}

/*
 * Field `field` of element `elem` (0-based) of a finished binary array of
 * records, as text: its bytes, "NULL", or "?" when there is no such field.
 */
static const char *
field_text(const char *buf, int len, int elem, int field, char *out,
    size_t outlen)
{
	const char *p = buf + 20, *end = buf + len;

	snprintf(out, outlen, "?");
	for (int e = 0; p + 8 <= end; e++) {
		uint32_t elen = get32(p), nf = get32(p + 4);
		const char *f = p + 8;

		if (e == elem) {
			for (uint32_t k = 0; k < nf && f + 8 <= end; k++) {
				uint32_t flen = get32(f + 4);

				if ((int)k == field) {
					if (flen == UINT32_MAX)
						snprintf(out, outlen, "NULL");
					else
						snprintf(out, outlen, "%.*s",
						    (int)flen, f + 8);
					return out;
				}
				f += 8 + (flen == UINT32_MAX ? 0 : flen);
			}
			return out;
		}
		p += 4 + elen;
	}
	return out;
}

/* The text of field `field` of row `elem` of kind k, after adding `json`. */
static void
check_field(const char *json, enum plan_rows_kind k, int elem, int field,
    const char *want)
{
	struct plan_rows r;
	json_t *plan = json_loads(json, 0, NULL);
	const char *values[PLAN_ROWS_KINDS];
	int lengths[PLAN_ROWS_KINDS];
	char got[64] = "refused";

	plan_rows_init(&r, &types);
	if (plan != NULL && plan_rows_add(&r, 1, plan) == 0 &&
	    plan_rows_finish(&r, values, lengths) == 0)
		field_text(values[k], lengths[k], elem, field, got, sizeof(got));
	CHECK(strcmp(got, want) == 0, "%s: field %d of row %d of kind %d is "
	    "[%s], want [%s]", json, field, elem, k, got, want);
	json_decref(plan);
	plan_rows_free(&r);
}

/* Values as the text ->> gives; the database casts it. */
static void
test_values(void)
{
	const char *budget = "{\"issues\": [{\"initiatives\": [{\"budgets\": "
	    "[{\"label\": \"x\", \"amount_yen\": %s}]}]}]}";
	/* amount_yen as the JSON has it, and its text in the row */
	static const char *const amounts[][2] = {
		{ "1200000", "1200000" }, { "1.5", "1.5" }, { "12.0", "12.0" },
		{ "\"12\"", "12" }, { "\"12x\"", "12x" }, { "null", "NULL" },
	};
	char json[200];

	for (size_t i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++) {
		snprintf(json, sizeof(json), budget, amounts[i][0]);
		check_field(json, PLAN_ROWS_BUDGETS, 0, 3, amounts[i][1]);
	}
	/* the last budget's label */
	check_field(json, PLAN_ROWS_BUDGETS, 0, 2, "x");
	check_field("{\"issues\": [{\"number\": \"3\"}]}", PLAN_ROWS_ISSUES, 0, 2,
	    "3");
	check_field("{\"issues\": [{\"number\": 3000000000}]}", PLAN_ROWS_ISSUES,
	    0, 2, "3000000000");
	check_field("{\"issues\": [{\"title\": 5}]}", PLAN_ROWS_ISSUES, 0, 3, "5");
	check_field("{\"issues\": [{\"title\": true}]}", PLAN_ROWS_ISSUES, 0, 3,
	    "true");
	check_field("{\"issues\": [1]}", PLAN_ROWS_ISSUES, 0, 3, "NULL");
	check_field("{\"org\": {\"name\": \"北区\"}, \"fiscal_year\": 2021}",
	    PLAN_ROWS_PLANS, 0, 2, "北区");
	check_field("{\"org\": \"北区\", \"fiscal_year\": 2021}",
	    PLAN_ROWS_PLANS, 0, 2, "NULL");
	check_field("{\"fiscal_year\": 2021}", PLAN_ROWS_PLANS, 0, 4, "2021");
	check_field("{\"goals\": [\"a\", 2, null]}", PLAN_ROWS_TEXTS, 1, 3, "2");
	check_field("{\"goals\": [\"a\", 2, null]}", PLAN_ROWS_TEXTS, 2, 3,
	    "NULL");
	check_field("{\"policies\": [\"p\"]}", PLAN_ROWS_TEXTS, 0, 1, "policy");
	check_field("{\"council_reflection\": {\"ratio_percent\": 48.3}}",
	    PLAN_ROWS_COUNCILS, 0, 5, "48.3");
	check_field("{\"evaluation\": \"none\"}", PLAN_ROWS_EVALUATIONS, 0, 1,
	    "?");
}

/* plan_rows_add of one JSON text to rows of its own: 0, -1 refused, -2
 * not JSON; why: what r.why said. */
static int
add_json(const char *json, char *why, size_t whylen)
{
	struct plan_rows r;
	json_t *plan = json_loads(json, 0, NULL);
	int rc = -2;

	plan_rows_init(&r, &types);
	if (plan != NULL)
		rc = plan_rows_add(&r, 1, plan);
	snprintf(why, whylen, "%s", r.why);
	json_decref(plan);
	plan_rows_free(&r);
	return rc;
}

/* Shapes no rows can hold: plan_rows_add refuses them, saying where. */
static void
test_refused(void)
{
	static const char *const odd[][2] = {
		{ "{\"issues\": {}}", "issues[]: not a list" },
		{ "{\"issues\": [{\"strategies\": {}}]}",
		    "issues[].strategies[]: not a list" },
		{ "{\"issues\": [{\"strategies\": [{\"code\": [1]}]}]}",
		    "issues[].strategies[].code: an object or array" },
		{ "{\"goals\": \"x\"}", "goals[]: not a list" },
		{ "{\"reforms\": 3}", "reforms[]: not a list" },
		{ "{\"contact\": {\"phone\": {}}}", "contact.phone: an object" },
		{ "{\"title\": [\"a\"]}", "title: an object" },
		{ "[1]", "the plan is not an object" },
	};
	static const char *const fine[] = {
		"{}",
		"{\"issues\": null}",
		"{\"issues\": [{\"number\": null, \"strategies\": null}]}",
		"{\"issues\": [{\"initiatives\": [{\"budgets\": "
		    "[{\"label\": \"x\", \"amount_yen\": null}]}]}]}",
		"{\"issues\": [1, \"x\"]}",
	};

	char why[256];

	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		CHECK(add_json(odd[i][0], why, sizeof(why)) == -1 &&
		    strstr(why, odd[i][1]) == why, "%s: not refused with "
		    "[%s…] but [%s]", odd[i][0], odd[i][1], why);
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++)
		CHECK(add_json(fine[i], why, sizeof(why)) == 0,
		    "refused: %s (%s)", fine[i], why);
}

int
main(void)
{
	test_samples();
	test_values();
	test_refused();
	return check_report(stdout, "test_plan_rows");
}
