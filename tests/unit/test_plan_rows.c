/*
 * test_plan_rows.c: workers/plan_rows.c on its own: the rows of every sample
 * plan are counted as the JSON has them, positions carry on across a batch,
 * and a plan with a value the row types cannot carry as the database would
 * read it (a real amount, a number as text, issues that are not a list) is
 * refused, so the worker sends the JSON alone.  That the rows are the same
 * as the database's own reading of the JSON is tested against PostgreSQL
 * (tests/integration/test_plan_rows.sh).
 */
#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "plan_rows.h"

#include "check.h"

static const struct plan_row_types types = { 70001, 70002, 70003, 70004 };

struct counts {
	int	issues, strategies, initiatives, budgets;
};

static void
count_initiatives(const json_t *list, struct counts *c)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		c->initiatives++;
		c->budgets += (int)json_array_size(json_object_get(
		    json_array_get(list, i), "budgets"));
	}
}

static struct counts
count_json(const json_t *plan)
{
	struct counts c = { 0, 0, 0, 0 };
	const json_t *issues = json_object_get(plan, "issues");

	for (size_t i = 0; i < json_array_size(issues); i++) {
		const json_t *is = json_array_get(issues, i);
		const json_t *ss = json_object_get(is, "strategies");

		c.issues++;
		for (size_t k = 0; k < json_array_size(ss); k++) {
			c.strategies++;
			count_initiatives(json_object_get(json_array_get(ss, k),
			    "initiatives"), &c);
		}
		count_initiatives(json_object_get(is, "initiatives"), &c);
	}
	return c;
}

/* Every sample plan, one batch: the arrays hold the JSON's rows. */
static void
test_samples(void)
{
	struct plan_rows r;
	struct counts want = { 0, 0, 0, 0 };
	glob_t g;
	int doc = 0;

	plan_rows_init(&r, &types);
	CHECK(glob("samples/*.json", 0, NULL, &g) == 0 && g.gl_pathc >= 5,
	    "samples/*.json: run from the repository root");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		json_error_t err;
		json_t *plan = json_load_file(g.gl_pathv[i], 0, &err);
		struct counts c;

		CHECK(plan != NULL, "%s: %s", g.gl_pathv[i], err.text);
		if (plan == NULL)
			continue;
		c = count_json(plan);
		want.issues += c.issues;
		want.strategies += c.strategies;
		want.initiatives += c.initiatives;
		want.budgets += c.budgets;
		CHECK(plan_rows_add(&r, ++doc, plan) == 0, "%s refused",
		    g.gl_pathv[i]);
		json_decref(plan);
	}
	globfree(&g);
	CHECK(r.issues.count == want.issues, "issues %d, want %d",
	    r.issues.count, want.issues);
	CHECK(r.strategies.count == want.strategies, "strategies %d, want %d",
	    r.strategies.count, want.strategies);
	CHECK(r.initiatives.count == want.initiatives, "initiatives %d, want %d",
	    r.initiatives.count, want.initiatives);
	CHECK(r.budgets.count == want.budgets, "budgets %d, want %d",
	    r.budgets.count, want.budgets);
	{
		const char *values[4];
		int lengths[4];

		CHECK(plan_rows_finish(&r, values, lengths) == 0 &&
		    lengths[0] > 20 && lengths[3] > 20, "finish");
	}
	plan_rows_free(&r);
}

/* Plans the rows cannot carry: plan_rows_add says so. */
static void
test_refused(void)
{
	static const char *const odd[] = {
		"{\"issues\": {}}",
		"{\"issues\": [1]}",
		"{\"issues\": [{\"number\": \"3\"}]}",
		"{\"issues\": [{\"number\": 3000000000}]}",
		"{\"issues\": [{\"title\": 5}]}",
		"{\"issues\": [{\"strategies\": {}}]}",
		"{\"issues\": [{\"initiatives\": [{\"budgets\": "
		    "[{\"label\": \"x\", \"amount_yen\": 1.5}]}]}]}",
		"{\"issues\": [{\"initiatives\": [{\"budgets\": "
		    "[{\"label\": \"x\", \"amount_yen\": \"12\"}]}]}]}",
		"{\"issues\": [{\"strategies\": [{\"code\": [1]}]}]}",
	};
	static const char *const fine[] = {
		"{}",
		"{\"issues\": null}",
		"{\"issues\": [{\"number\": null, \"strategies\": null}]}",
		"{\"issues\": [{\"initiatives\": [{\"budgets\": "
		    "[{\"label\": \"x\", \"amount_yen\": null}]}]}]}",
	};

	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		struct plan_rows r;
		json_t *plan = json_loads(odd[i], 0, NULL);

		plan_rows_init(&r, &types);
		CHECK(plan != NULL && plan_rows_add(&r, 1, plan) == -1,
		    "not refused: %s", odd[i]);
		json_decref(plan);
		plan_rows_free(&r);
	}
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		struct plan_rows r;
		json_t *plan = json_loads(fine[i], 0, NULL);

		plan_rows_init(&r, &types);
		CHECK(plan != NULL && plan_rows_add(&r, 1, plan) == 0,
		    "refused: %s", fine[i]);
		json_decref(plan);
		plan_rows_free(&r);
	}
}

int
main(void)
{
	test_samples();
	test_refused();
	printf("test_plan_rows: %d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
