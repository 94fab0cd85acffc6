/*
 * plan_rows.c: a plan's child rows for planq_ingest_batch() (plan_rows.h).
 * Mirrors planq_plan_rows() in sql/009_ingest_batch.sql, which reads the
 * same rows out of the JSON; tests compare the two on every sample.  The
 * positions: issues in document order across the batch; strategies in
 * issue order; initiatives by issue, a strategy's before the issue's own,
 * each plan numbering them 1… (seq); budgets in initiative order.
 */
#include <limits.h>
#include <string.h>

#include "plan_rows.h"

#define ISSUE_FIELDS		5
#define STRATEGY_FIELDS		5
#define INITIATIVE_FIELDS	8
#define BUDGET_FIELDS		4

/* A text column: j->>'key' in SQL.  -1 for a value that is not a string. */
static int
rows_text(struct pgarray *a, const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v)) {
		pgarray_field_text(a, NULL, 0);
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	pgarray_field_text(a, json_string_value(v), json_string_length(v));
	return 0;
}

/* (j->>'key')::integer or ::bigint: an integer in range, or NULL. */
static int
rows_integer(const json_t *obj, const char *key, int64_t min, int64_t max,
    int64_t *out, int *is_null)
{
	const json_t *v = json_object_get(obj, key);

	*is_null = v == NULL || json_is_null(v);
	if (*is_null)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

/*
 * The elements of obj[key]: NULL for none (absent or JSON null), else the
 * array; *bad when it is something else (the database would refuse it).
 */
static const json_t *
rows_list(const json_t *obj, const char *key, int *bad)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_array(v))
		*bad = 1;
	return json_is_array(v) ? v : NULL;
}

struct rows_pos {
	int	doc;		/* the plan's position in the batch */
	int	issue;		/* positions of the last row of each array */
	int	strategy;
	int	initiative;
	int	seq;		/* the plan's initiatives so far */
};

static int
rows_budgets(struct plan_rows *r, const json_t *list, int initiative)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *b = json_array_get(list, i);
		int32_t init = initiative, ord = (int32_t)i + 1;
		int64_t amount = 0;
		int null;

		if (!json_is_object(b) || rows_integer(b, "amount_yen",
		    INT64_MIN, INT64_MAX, &amount, &null) != 0)
			return -1;
		pgarray_record_begin(&r->budgets, BUDGET_FIELDS);
		pgarray_field_int4(&r->budgets, &init);
		pgarray_field_int4(&r->budgets, &ord);
		if (rows_text(&r->budgets, b, "label") != 0)
			return -1;
		pgarray_field_int8(&r->budgets, null ? NULL : &amount);
		pgarray_record_end(&r->budgets);
	}
	return 0;
}

/* The initiatives of one list: a strategy's (strategy > 0) or an issue's. */
static int
rows_initiatives(struct plan_rows *r, struct rows_pos *pos,
    const json_t *list, int strategy)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *t = json_array_get(list, i);
		int32_t doc = pos->doc, issue = pos->issue, strat = strategy,
		    seq = ++pos->seq, ord = (int32_t)i + 1;
		int bad = 0;
		const json_t *budgets;

		if (!json_is_object(t))
			return -1;
		pgarray_record_begin(&r->initiatives, INITIATIVE_FIELDS);
		pgarray_field_int4(&r->initiatives, &doc);
		pgarray_field_int4(&r->initiatives, &issue);
		pgarray_field_int4(&r->initiatives, strategy > 0 ? &strat : NULL);
		pgarray_field_int4(&r->initiatives, &seq);
		pgarray_field_int4(&r->initiatives, &ord);
		if (rows_text(&r->initiatives, t, "code") != 0 ||
		    rows_text(&r->initiatives, t, "title") != 0 ||
		    rows_text(&r->initiatives, t, "body") != 0)
			return -1;
		pgarray_record_end(&r->initiatives);
		pos->initiative++;
		budgets = rows_list(t, "budgets", &bad);
		if (bad || rows_budgets(r, budgets, pos->initiative) != 0)
			return -1;
	}
	return 0;
}

static int
rows_strategies(struct plan_rows *r, struct rows_pos *pos, const json_t *list)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *s = json_array_get(list, i);
		int32_t issue = pos->issue, ord = (int32_t)i + 1;
		int bad = 0;
		const json_t *inits;

		if (!json_is_object(s))
			return -1;
		pgarray_record_begin(&r->strategies, STRATEGY_FIELDS);
		pgarray_field_int4(&r->strategies, &issue);
		pgarray_field_int4(&r->strategies, &ord);
		if (rows_text(&r->strategies, s, "code") != 0 ||
		    rows_text(&r->strategies, s, "title") != 0 ||
		    rows_text(&r->strategies, s, "body") != 0)
			return -1;
		pgarray_record_end(&r->strategies);
		pos->strategy++;
		inits = rows_list(s, "initiatives", &bad);
		if (bad || rows_initiatives(r, pos, inits, pos->strategy) != 0)
			return -1;
	}
	return 0;
}

static int
rows_issue(struct plan_rows *r, struct rows_pos *pos, const json_t *issue,
    int ordinal)
{
	int32_t doc = pos->doc, ord = ordinal, number32;
	int64_t number = 0;
	int null, bad = 0;
	const json_t *strategies, *inits;

	if (!json_is_object(issue) || rows_integer(issue, "number", INT32_MIN,
	    INT32_MAX, &number, &null) != 0)
		return -1;
	number32 = (int32_t)number;
	pgarray_record_begin(&r->issues, ISSUE_FIELDS);
	pgarray_field_int4(&r->issues, &doc);
	pgarray_field_int4(&r->issues, &ord);
	pgarray_field_int4(&r->issues, null ? NULL : &number32);
	if (rows_text(&r->issues, issue, "title") != 0 ||
	    rows_text(&r->issues, issue, "summary") != 0)
		return -1;
	pgarray_record_end(&r->issues);
	pos->issue++;
	/* a strategy's initiatives come before the issue's own (seq) */
	strategies = rows_list(issue, "strategies", &bad);
	inits = rows_list(issue, "initiatives", &bad);
	if (bad || rows_strategies(r, pos, strategies) != 0 ||
	    rows_initiatives(r, pos, inits, 0) != 0)
		return -1;
	return 0;
}

void
plan_rows_init(struct plan_rows *r, const struct plan_row_types *types)
{
	pgarray_init(&r->issues, types->issue, 0);
	pgarray_init(&r->strategies, types->strategy, 0);
	pgarray_init(&r->initiatives, types->initiative, 0);
	pgarray_init(&r->budgets, types->budget, 0);
}

int
plan_rows_add(struct plan_rows *r, int doc, const json_t *plan)
{
	struct rows_pos pos;
	const json_t *issues;
	int bad = 0;

	pos.doc = doc;
	pos.issue = r->issues.count;
	pos.strategy = r->strategies.count;
	pos.initiative = r->initiatives.count;
	pos.seq = 0;
	issues = rows_list(plan, "issues", &bad);
	if (bad || !json_is_object(plan))
		return -1;
	for (size_t i = 0; i < json_array_size(issues); i++)
		if (rows_issue(r, &pos, json_array_get(issues, i),
		    (int)i + 1) != 0)
			return -1;
	return 0;
}

int
plan_rows_finish(struct plan_rows *r, const char *values[4], int lengths[4])
{
	struct pgarray *arrays[4] = { &r->issues, &r->strategies,
	    &r->initiatives, &r->budgets };

	for (int k = 0; k < 4; k++)
		if (pgarray_finish(arrays[k], &values[k], &lengths[k]) != 0)
			return -1;
	return 0;
}

void
plan_rows_free(struct plan_rows *r)
{
	pgarray_free(&r->issues);
	pgarray_free(&r->strategies);
	pgarray_free(&r->initiatives);
	pgarray_free(&r->budgets);
}
