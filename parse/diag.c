/*
 * diag.c: what a parsed plan lacks or doubts, as warnings with stable codes
 * (enum parse_warning in parse.h; docs/PLAN-JSON.md), read off the finished
 * plan and the evidence plan_build counted.  One entry per code, with a
 * short detail naming where (issue numbers, initiative codes, the printed
 * name), so stores and metrics can count plans by code and an operator can
 * see what changed on the day the city's layout did.
 */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "org.h"
#include "parse.h"
#include "sbuf.h"
#include "text.h"

#define DIAG_DETAIL_MAX	160	/* bytes of refs in one detail, then … */
#define DIAG_REF_MAX_CP	20	/* code points of a title used as a ref */

static const char *const diag_codes[PARSE_WARN_COUNT] = {
	[PARSE_WARN_NO_TITLE] = "no_title",
	[PARSE_WARN_NO_FISCAL_YEAR] = "no_fiscal_year",
	[PARSE_WARN_NO_ORG] = "no_org",
	[PARSE_WARN_ORG_UNKNOWN] = "org_unknown",
	[PARSE_WARN_ORG_NAME_NOISE] = "org_name_noise",
	[PARSE_WARN_NO_GOALS] = "no_goals",
	[PARSE_WARN_NO_MISSIONS] = "no_missions",
	[PARSE_WARN_NO_POLICIES] = "no_policies",
	[PARSE_WARN_NO_ISSUES] = "no_issues",
	[PARSE_WARN_ISSUE_WITHOUT_STRATEGIES] = "issue_without_strategies",
	[PARSE_WARN_INITIATIVE_WITHOUT_BUDGET] = "initiative_without_budget",
	[PARSE_WARN_BUDGET_UNLABELLED] = "budget_unlabelled",
	[PARSE_WARN_TRUNCATED] = "truncated",
};

const char *
parse_warning_code(enum parse_warning w)
{
	return (unsigned)w < PARSE_WARN_COUNT ? diag_codes[w] : NULL;
}

/* The warnings being collected: which are raised, and their details. */
struct diag {
	int	 raised[PARSE_WARN_COUNT];
	struct sbuf detail[PARSE_WARN_COUNT];
	int	 cut[PARSE_WARN_COUNT];	/* detail was cut short */
};

static void
diag_raise(struct diag *d, enum parse_warning w, const char *text)
{
	d->raised[w] = 1;
	if (text != NULL)
		sbuf_adds(&d->detail[w], text);
}

/* Adds one ref (a code, a number, a short title) to w's detail. */
static void
diag_ref(struct diag *d, enum parse_warning w, struct span ref)
{
	struct sbuf *b = &d->detail[w];
	size_t i = 0, cps = 0, adv;

	d->raised[w] = 1;
	if (d->cut[w])
		return;
	if (b->len + ref.n + 2 > DIAG_DETAIL_MAX) {
		sbuf_adds(b, b->len > 0 ? ", …" : "…");
		d->cut[w] = 1;
		return;
	}
	while (i < ref.n && cps < DIAG_REF_MAX_CP) {
		(void)text_cp(ref.p + i, ref.n - i, &adv);
		i += adv;
		cps++;
	}
	if (b->len > 0)
		sbuf_adds(b, ", ");
	sbuf_add(b, ref.p, i);
	if (i < ref.n)
		sbuf_adds(b, "…");
}

/* An item's ref: its code, else its title, else "?". */
static struct span
diag_item_ref(json_t *item)
{
	const char *c = json_string_value(json_object_get(item, "code"));

	if (c == NULL)
		c = json_string_value(json_object_get(item, "title"));
	if (c == NULL)
		c = "?";
	return (struct span){ c, strlen(c) };
}

static struct span
diag_issue_ref(json_t *issue, char *buf, size_t bufsz)
{
	json_t *n = json_object_get(issue, "number");

	if (json_is_integer(n)) {
		snprintf(buf, bufsz, "%lld", (long long)json_integer_value(n));
		return (struct span){ buf, strlen(buf) };
	}
	return diag_item_ref(issue);
}

/* Title, year, org: the header facts a titled plan must have. */
static void
diag_header(struct diag *d, json_t *plan, const struct plan_stats *st)
{
	json_t *org = json_object_get(plan, "org");
	const char *printed;

	if (json_is_null(json_object_get(plan, "title"))) {
		diag_raise(d, PARSE_WARN_NO_TITLE, NULL);
		return;		/* a fragment: nothing else is expected */
	}
	if (json_is_null(json_object_get(plan, "fiscal_year")))
		diag_raise(d, PARSE_WARN_NO_FISCAL_YEAR, NULL);
	if (!json_is_object(org)) {
		diag_raise(d, PARSE_WARN_NO_ORG, NULL);
		return;
	}
	printed = json_string_value(json_object_get(org, "printed_name"));
	if (st->org_match == ORG_UNKNOWN)
		diag_raise(d, PARSE_WARN_ORG_UNKNOWN, printed);
	else if (st->org_match == ORG_NOISE)
		diag_raise(d, PARSE_WARN_ORG_NAME_NOISE, printed);
}

/* Sections a titled plan is expected to have. */
static void
diag_sections(struct diag *d, json_t *plan)
{
	static const struct {
		const char *key;
		enum parse_warning w;
	} sections[] = {
		{ "goals", PARSE_WARN_NO_GOALS },
		{ "missions", PARSE_WARN_NO_MISSIONS },
		{ "policies", PARSE_WARN_NO_POLICIES },
		{ "issues", PARSE_WARN_NO_ISSUES },
	};
	size_t i;

	if (json_is_null(json_object_get(plan, "title")))
		return;
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (json_array_size(json_object_get(plan, sections[i].key)) == 0)
			diag_raise(d, sections[i].w, NULL);
}

/* Calls fn for every initiative of the plan: an issue's own, then its
 * strategies'. */
static void
diag_each_initiative(json_t *plan, void (*fn)(json_t *, void *), void *arg)
{
	json_t *issues = json_object_get(plan, "issues");
	size_t i, j, k;

	for (i = 0; i < json_array_size(issues); i++) {
		json_t *issue = json_array_get(issues, i);
		json_t *own = json_object_get(issue, "initiatives");
		json_t *strats = json_object_get(issue, "strategies");

		for (k = 0; k < json_array_size(own); k++)
			fn(json_array_get(own, k), arg);
		for (j = 0; j < json_array_size(strats); j++) {
			json_t *inits = json_object_get(json_array_get(strats, j),
			    "initiatives");
			for (k = 0; k < json_array_size(inits); k++)
				fn(json_array_get(inits, k), arg);
		}
	}
}

static void
diag_count_budgeted(json_t *x, void *arg)
{
	if (json_array_size(json_object_get(x, "budgets")) > 0)
		(*(int *)arg)++;
}

struct diag_items {
	struct diag *d;
	int	 budgets_printed;	/* the layout prints budgets */
};

/* An initiative without a budget where the layout prints them, or with a
 * budget whose label is unknown. */
static void
diag_initiative(json_t *x, void *arg)
{
	struct diag_items *di = arg;
	json_t *budgets = json_object_get(x, "budgets");
	size_t i;

	if (di->budgets_printed && json_array_size(budgets) == 0)
		diag_ref(di->d, PARSE_WARN_INITIATIVE_WITHOUT_BUDGET,
		    diag_item_ref(x));
	for (i = 0; i < json_array_size(budgets); i++)
		if (json_is_null(json_object_get(json_array_get(budgets, i),
		    "label"))) {
			diag_ref(di->d, PARSE_WARN_BUDGET_UNLABELLED,
			    diag_item_ref(x));
			break;
		}
}

/* Issues without items, initiatives without or with unlabelled budgets. */
static void
diag_items(struct diag *d, json_t *plan)
{
	json_t *issues = json_object_get(plan, "issues");
	struct diag_items di = { d, 0 };
	size_t i;
	char num[24];

	for (i = 0; i < json_array_size(issues); i++) {
		json_t *issue = json_array_get(issues, i);

		if (json_array_size(json_object_get(issue, "strategies")) == 0 &&
		    json_array_size(json_object_get(issue, "initiatives")) == 0)
			diag_ref(d, PARSE_WARN_ISSUE_WITHOUT_STRATEGIES,
			    diag_issue_ref(issue, num, sizeof(num)));
	}
	diag_each_initiative(plan, diag_count_budgeted, &di.budgets_printed);
	diag_each_initiative(plan, diag_initiative, &di);
}

/* A page cut off: a plan only by its introduction, or a web page (its
 * own date line or page number) that stops mid-sentence and never reached
 * its contact block. */
static void
diag_truncation(struct diag *d, const struct plan_stats *st,
    const struct verdict *v)
{
	if (v->by_intro)
		diag_raise(d, PARSE_WARN_TRUNCATED, "the text stops after the "
		    "plan's introduction");
	else if ((st->has_date || st->has_page_id) && !st->has_contact &&
	    st->ends_open)
		diag_raise(d, PARSE_WARN_TRUNCATED, "a web page that stops "
		    "mid-sentence, before its contact block");
}

/* {"code": …, "detail": … or null}; NULL when out of memory. */
static json_t *
diag_entry(const struct diag *d, int w)
{
	if (d->detail[w].oom)
		return NULL;
	return json_pack("{s:s,s:s?}", "code", diag_codes[w], "detail",
	    d->detail[w].len > 0 ? d->detail[w].p : NULL);
}

/* The raised warnings in code order; NULL when out of memory. */
static json_t *
diag_json(const struct diag *d)
{
	json_t *list = json_array();
	int w;

	if (list == NULL)
		return NULL;
	for (w = 0; w < PARSE_WARN_COUNT; w++) {
		if (d->raised[w] &&
		    json_array_append_new(list, diag_entry(d, w)) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

int
diag_add_warnings(json_t *plan, const struct plan_stats *st,
    const struct verdict *v)
{
	struct diag d;
	json_t *list;
	int w;

	memset(&d, 0, sizeof(d));
	for (w = 0; w < PARSE_WARN_COUNT; w++)
		sbuf_init(&d.detail[w]);
	diag_header(&d, plan, st);
	diag_sections(&d, plan);
	diag_items(&d, plan);
	diag_truncation(&d, st, v);
	list = diag_json(&d);
	for (w = 0; w < PARSE_WARN_COUNT; w++)
		sbuf_free(&d.detail[w]);
	if (list == NULL)
		return -1;
	return json_object_set_new_nocheck(plan, "warnings", list) == 0 ? 0 :
	    -1;
}
