/*
 * plan_rows.c: a plan's rows for the database (plan_rows.h), the only
 * place where a plan becomes rows.  The plan's own row, then its
 * goals/missions/policies, its issues with their strategies, initiatives
 * and budgets, its reforms, and its evaluation, council reflection and
 * contact when they are objects.  Positions: issues in document order
 * across the batch; strategies in issue order; initiatives by issue, a
 * strategy's before the issue's own, each plan numbering them 1… (seq);
 * budgets in initiative order.  An element of a list that is not an
 * object is a row whose fields are all NULL, as ->> made it.
 * tests/integration/test_plan_rows.sh compares what the worker stores
 * with the tests' own reading of the JSON, on every sample.
 */
#include <stdio.h>
#include <string.h>

#include "plan_rows.h"
#include "plan_rows_pos.h"
#include "plan_rows_value.h"

/* Text fields obj->>keys[0], keys[1], … of the open record; -1 refused. */
static int
rows_fields(struct plan_rows *r, struct pgarray *a, const json_t *obj,
    const char *const *keys, const char *where)
{
	for (; *keys != NULL; keys++)
		if (rows_field(r, a, obj, *keys, where) != 0)
			return -1;
	return 0;
}

/* One row of kind k per element of list: parent, ordinal, the keys. */
static int
rows_children(struct plan_rows *r, enum plan_rows_kind k, int nfields,
    int32_t parent, const json_t *list, const char *const *keys,
    const char *where)
{
	struct pgarray *a = &r->a[k];

	for (size_t i = 0; i < json_array_size(list); i++) {
		rows_child_begin(a, nfields, parent, (int32_t)i + 1);
		if (rows_fields(r, a, json_array_get(list, i), keys, where) != 0)
			return -1;
		pgarray_record_end(a);
	}
	return 0;
}

static int
rows_budgets(struct plan_rows *r, const json_t *list, int32_t initiative)
{
	static const char *const keys[] = { "label", "amount_yen", NULL };

	return rows_children(r, PLAN_ROWS_BUDGETS, BUDGET_FIELDS, initiative,
	    list, keys, "initiatives[].budgets[]");
}

/* The initiatives of one list: a strategy's (strategy > 0) or an issue's. */
static int
rows_initiatives(struct plan_rows *r, struct rows_pos *pos,
    const json_t *list, int32_t strategy)
{
	static const char *const keys[] = { "code", "title", "body", NULL };
	struct pgarray *a = &r->a[PLAN_ROWS_INITIATIVES];

	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *t = json_array_get(list, i), *budgets;
		int32_t seq = ++pos->seq, ord = (int32_t)i + 1;

		pgarray_record_begin(a, INITIATIVE_FIELDS);
		pgarray_field_int4(a, &pos->doc);
		pgarray_field_int4(a, &pos->issue);
		pgarray_field_int4(a, strategy > 0 ? &strategy : NULL);
		pgarray_field_int4(a, &seq);
		pgarray_field_int4(a, &ord);
		if (rows_fields(r, a, t, keys, "initiatives[]") != 0)
			return -1;
		pgarray_record_end(a);
		pos->initiative++;
		if (rows_list(r, t, "budgets", "initiatives[].budgets[]",
		    &budgets) != 0 || rows_budgets(r, budgets, pos->initiative) != 0)
			return -1;
	}
	return 0;
}

static int
rows_strategies(struct plan_rows *r, struct rows_pos *pos, const json_t *list)
{
	static const char *const keys[] = { "code", "title", "body", NULL };
	struct pgarray *a = &r->a[PLAN_ROWS_STRATEGIES];

	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *s = json_array_get(list, i), *inits;

		rows_child_begin(a, STRATEGY_FIELDS, pos->issue, (int32_t)i + 1);
		if (rows_fields(r, a, s, keys, "issues[].strategies[]") != 0)
			return -1;
		pgarray_record_end(a);
		pos->strategy++;
		if (rows_list(r, s, "initiatives",
		    "issues[].strategies[].initiatives[]", &inits) != 0 ||
		    rows_initiatives(r, pos, inits, pos->strategy) != 0)
			return -1;
	}
	return 0;
}

static int
rows_issue(struct plan_rows *r, struct rows_pos *pos, const json_t *issue,
    int32_t ordinal)
{
	static const char *const keys[] = { "number", "title", "summary", NULL };
	struct pgarray *a = &r->a[PLAN_ROWS_ISSUES];
	const json_t *strategies, *inits;

	rows_child_begin(a, ISSUE_FIELDS, pos->doc, ordinal);
	if (rows_fields(r, a, issue, keys, "issues[]") != 0)
		return -1;
	pgarray_record_end(a);
	pos->issue++;
	/* a strategy's initiatives come before the issue's own (seq) */
	if (rows_list(r, issue, "strategies", "issues[].strategies[]",
	    &strategies) != 0 || rows_list(r, issue, "initiatives",
	    "issues[].initiatives[]", &inits) != 0 ||
	    rows_strategies(r, pos, strategies) != 0 ||
	    rows_initiatives(r, pos, inits, 0) != 0)
		return -1;
	return 0;
}

static int
rows_issues(struct plan_rows *r, int32_t doc, const json_t *plan)
{
	struct rows_pos pos;
	const json_t *issues;

	rows_pos_start(&pos, r, doc);
	if (rows_list(r, plan, "issues", "issues[]", &issues) != 0)
		return -1;
	for (size_t i = 0; i < json_array_size(issues); i++)
		if (rows_issue(r, &pos, json_array_get(issues, i),
		    (int32_t)i + 1) != 0)
			return -1;
	return 0;
}

/* The plans row: the top-level fields, org's and head's.  The org's name
 * is its canonical name (org.canonical_name), so that a page printing a
 * known name with a typo, or an alias, is a version of that
 * organisation's plan; org.name when the reference list does not know it
 * (null canonical_name, or a plan of a parser before 1.1.0). */
static int
rows_plan(struct plan_rows *r, int32_t doc, const json_t *plan)
{
	static const char *const first[] = { "title", NULL };
	static const char *const mid[] = { "fiscal_year", "fiscal_year_label",
	    "stage", NULL };
	static const char *const last[] = { "published_on", "page_id", NULL };
	const char *where = "";	/* the plan's own fields: "title: …" */
	const json_t *org = json_object_get(plan, "org");
	const json_t *head = json_object_get(plan, "head");
	const char *org_key = json_is_string(json_object_get(org,
	    "canonical_name")) ? "canonical_name" : "name";
	struct pgarray *a = &r->a[PLAN_ROWS_PLANS];

	pgarray_record_begin(a, PLAN_FIELDS);
	pgarray_field_int4(a, &doc);
	if (rows_fields(r, a, plan, first, where) != 0 ||
	    rows_field(r, a, org, org_key, "org") != 0 ||
	    rows_field(r, a, org, "kind", "org") != 0 ||
	    rows_fields(r, a, plan, mid, where) != 0 ||
	    rows_field(r, a, head, "role", "head") != 0 ||
	    rows_field(r, a, head, "name", "head") != 0 ||
	    rows_fields(r, a, plan, last, where) != 0)
		return -1;
	pgarray_record_end(a);
	return 0;
}

/* goals, missions, policies: one row per item, kind goal/mission/policy */
static int
rows_texts(struct plan_rows *r, int32_t doc, const json_t *plan)
{
	static const char *const lists[3][3] = {
		{ "goal", "goals", "goals[]" },
		{ "mission", "missions", "missions[]" },
		{ "policy", "policies", "policies[]" },
	};
	struct pgarray *a = &r->a[PLAN_ROWS_TEXTS];

	for (int k = 0; k < 3; k++) {
		const json_t *list;

		if (rows_list(r, plan, lists[k][1], lists[k][2], &list) != 0)
			return -1;
		for (size_t i = 0; i < json_array_size(list); i++) {
			int32_t ord = (int32_t)i + 1;

			pgarray_record_begin(a, TEXT_FIELDS);
			pgarray_field_int4(a, &doc);
			pgarray_field_text(a, lists[k][0], strlen(lists[k][0]));
			pgarray_field_int4(a, &ord);
			if (rows_field_value(r, a, json_array_get(list, i),
			    lists[k][2]) != 0)
				return -1;
			pgarray_record_end(a);
		}
	}
	return 0;
}

static int
rows_reforms(struct plan_rows *r, int32_t doc, const json_t *plan)
{
	static const char *const keys[] = { "title", "ref", "body", NULL };
	const json_t *list;

	if (rows_list(r, plan, "reforms", "reforms[]", &list) != 0)
		return -1;
	return rows_children(r, PLAN_ROWS_REFORMS, REFORM_FIELDS, doc, list,
	    keys, "reforms[]");
}

/* One row of kind k from plan->key when that is an object, else none. */
static int
rows_object(struct plan_rows *r, enum plan_rows_kind k, int nfields,
    int32_t doc, const json_t *plan, const char *key,
    const char *const *keys)
{
	const json_t *o = json_object_get(plan, key);
	struct pgarray *a = &r->a[k];

	if (!json_is_object(o))
		return 0;
	pgarray_record_begin(a, nfields);
	pgarray_field_int4(a, &doc);
	if (rows_fields(r, a, o, keys, key) != 0)
		return -1;
	pgarray_record_end(a);
	return 0;
}

/* evaluation, council_reflection, contact: at most one row each */
static int
rows_objects(struct plan_rows *r, int32_t doc, const json_t *plan)
{
	static const char *const evaluation[] = { "achievements", "challenges",
	    NULL };
	static const char *const council[] = { "total_yen", "fixed_yen",
	    "priority_yen", "base_yen", "ratio_percent", NULL };
	static const char *const contact[] = { "office", "phone", "fax",
	    "address", NULL };

	if (rows_object(r, PLAN_ROWS_EVALUATIONS, EVALUATION_FIELDS, doc, plan,
	    "evaluation", evaluation) != 0 ||
	    rows_object(r, PLAN_ROWS_COUNCILS, COUNCIL_FIELDS, doc, plan,
	    "council_reflection", council) != 0 ||
	    rows_object(r, PLAN_ROWS_CONTACTS, CONTACT_FIELDS, doc, plan,
	    "contact", contact) != 0)
		return -1;
	return 0;
}

void
plan_rows_init(struct plan_rows *r, const struct plan_row_types *types)
{
	for (int k = 0; k < PLAN_ROWS_KINDS; k++)
		pgarray_init(&r->a[k], types->oid[k], 0);
	r->why[0] = '\0';
}

int
plan_rows_add(struct plan_rows *r, int doc, const json_t *plan)
{
	if (!json_is_object(plan)) {
		snprintf(r->why, sizeof(r->why), "the plan is not an object");
		return -1;
	}
	if (rows_plan(r, doc, plan) != 0 || rows_texts(r, doc, plan) != 0 ||
	    rows_issues(r, doc, plan) != 0 || rows_reforms(r, doc, plan) != 0 ||
	    rows_objects(r, doc, plan) != 0)
		return -1;
	return 0;
}

int
plan_rows_finish(struct plan_rows *r, const char *values[PLAN_ROWS_KINDS],
    int lengths[PLAN_ROWS_KINDS])
{
	for (int k = 0; k < PLAN_ROWS_KINDS; k++)
		if (pgarray_finish(&r->a[k], &values[k], &lengths[k]) != 0)
			return -1;
	return 0;
}

void
plan_rows_free(struct plan_rows *r)
{
	for (int k = 0; k < PLAN_ROWS_KINDS; k++)
		pgarray_free(&r->a[k]);
}
