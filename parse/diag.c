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
#include "plandoc.h"
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

_Static_assert(PARSE_WARN_COUNT <= PD_WARN_MAX, "PD_WARN_MAX too small");

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

/* A string's bytes as a span; NULL p for null. */
static struct span
diag_span(const struct plandoc *pd, struct pd_str v)
{
	return (struct span){ plandoc_bytes(pd, v), v.len };
}

/* An item's ref: its code, else its title, else "?". */
static struct span
diag_item_ref(const struct plandoc *pd, struct pd_str code,
    struct pd_str title)
{
	if (code.off >= 0)
		return diag_span(pd, code);
	if (title.off >= 0)
		return diag_span(pd, title);
	return (struct span){ "?", 1 };
}

static struct span
diag_issue_ref(const struct plandoc *pd, const struct pd_issue *issue,
    char *buf, size_t bufsz)
{
	if (issue->number.set) {
		snprintf(buf, bufsz, "%lld", issue->number.v);
		return (struct span){ buf, strlen(buf) };
	}
	return diag_item_ref(pd, pd_null(), issue->title);
}

/* Raises w with the bytes of a string as its detail (none for null). */
static void
diag_raise_str(struct diag *d, enum parse_warning w, const struct plandoc *pd,
    struct pd_str v)
{
	d->raised[w] = 1;
	if (v.off >= 0)
		sbuf_add(&d->detail[w], plandoc_bytes(pd, v), v.len);
}

/* Title, year, org: the header facts a titled plan must have. */
static void
diag_header(struct diag *d, const struct plandoc *pd,
    const struct plan_stats *st)
{
	if (pd->title.off < 0) {
		diag_raise(d, PARSE_WARN_NO_TITLE, NULL);
		return;		/* a fragment: nothing else is expected */
	}
	if (!pd->fiscal_year.set)
		diag_raise(d, PARSE_WARN_NO_FISCAL_YEAR, NULL);
	if (!pd->has_org) {
		diag_raise(d, PARSE_WARN_NO_ORG, NULL);
		return;
	}
	if (st->org_match == ORG_UNKNOWN)
		diag_raise_str(d, PARSE_WARN_ORG_UNKNOWN, pd, pd->org_printed);
	else if (st->org_match == ORG_NOISE)
		diag_raise_str(d, PARSE_WARN_ORG_NAME_NOISE, pd,
		    pd->org_printed);
}

/* Sections a titled plan is expected to have. */
static void
diag_sections(struct diag *d, const struct plandoc *pd)
{
	static const enum parse_warning lists[PD_LISTS] = {
		[PD_GOALS] = PARSE_WARN_NO_GOALS,
		[PD_MISSIONS] = PARSE_WARN_NO_MISSIONS,
		[PD_POLICIES] = PARSE_WARN_NO_POLICIES,
	};

	if (pd->title.off < 0)
		return;
	for (int k = 0; k < PD_LISTS; k++)
		if (pd->lists[k].n == 0)
			diag_raise(d, lists[k], NULL);
	if (pd->issues.n == 0)
		diag_raise(d, PARSE_WARN_NO_ISSUES, NULL);
}

/* Calls fn for every initiative of the plan: an issue's own, then its
 * strategies'. */
static void
diag_each_initiative(const struct plandoc *pd,
    void (*fn)(const struct plandoc *, const struct pd_initiative *, void *),
    void *arg)
{
	for (size_t i = 0; i < pd->issues.n; i++) {
		const struct pd_issue *issue = PD_AT(pd->issues,
		    struct pd_issue, i);
		int32_t s, k;

		for (k = issue->initiatives.head; k != PD_NONE;
		    k = PD_AT(pd->initiatives, struct pd_initiative, k)->next)
			fn(pd, PD_AT(pd->initiatives, struct pd_initiative, k),
			    arg);
		for (s = issue->strategies.head; s != PD_NONE;
		    s = PD_AT(pd->strategies, struct pd_strategy, s)->next)
			for (k = PD_AT(pd->strategies, struct pd_strategy,
			    s)->initiatives.head; k != PD_NONE;
			    k = PD_AT(pd->initiatives, struct pd_initiative,
			    k)->next)
				fn(pd, PD_AT(pd->initiatives,
				    struct pd_initiative, k), arg);
	}
}

static void
diag_count_budgeted(const struct plandoc *pd, const struct pd_initiative *x,
    void *arg)
{
	(void)pd;
	if (x->nbudgets > 0)
		(*(int *)arg)++;
}

struct diag_items {
	struct diag *d;
	int	 budgets_printed;	/* the layout prints budgets */
};

/* An initiative without a budget where the layout prints them, or with a
 * budget whose label is unknown. */
static void
diag_initiative(const struct plandoc *pd, const struct pd_initiative *x,
    void *arg)
{
	struct diag_items *di = arg;

	if (di->budgets_printed && x->nbudgets == 0)
		diag_ref(di->d, PARSE_WARN_INITIATIVE_WITHOUT_BUDGET,
		    diag_item_ref(pd, x->code, x->title));
	for (int32_t i = 0; i < x->nbudgets; i++)
		if (PD_AT(pd->budgets, struct pd_budget,
		    x->budget0 + i)->label.off < 0) {
			diag_ref(di->d, PARSE_WARN_BUDGET_UNLABELLED,
			    diag_item_ref(pd, x->code, x->title));
			break;
		}
}

/* Issues without items, initiatives without or with unlabelled budgets. */
static void
diag_items(struct diag *d, const struct plandoc *pd)
{
	struct diag_items di = { d, 0 };
	char num[24];

	for (size_t i = 0; i < pd->issues.n; i++) {
		const struct pd_issue *issue = PD_AT(pd->issues,
		    struct pd_issue, i);

		if (issue->strategies.count == 0 &&
		    issue->initiatives.count == 0)
			diag_ref(d, PARSE_WARN_ISSUE_WITHOUT_STRATEGIES,
			    diag_issue_ref(pd, issue, num, sizeof(num)));
	}
	diag_each_initiative(pd, diag_count_budgeted, &di.budgets_printed);
	diag_each_initiative(pd, diag_initiative, &di);
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

/* The raised warnings, in code order, into the plan's records. */
static int
diag_store(const struct diag *d, struct plandoc *pd)
{
	pd->nwarnings = 0;
	for (int w = 0; w < PARSE_WARN_COUNT; w++) {
		struct pd_warning *x;

		if (!d->raised[w])
			continue;
		if (d->detail[w].oom)
			return -1;
		x = &pd->warnings[pd->nwarnings++];
		x->code = diag_codes[w];
		x->detail = d->detail[w].len > 0 ? plandoc_str(pd,
		    d->detail[w].p, d->detail[w].len) : pd_null();
	}
	return pd->oom ? -1 : 0;
}

int
diag_add_warnings(struct plandoc *pd, const struct plan_stats *st,
    const struct verdict *v)
{
	struct diag d;
	int w, rc;

	memset(&d, 0, sizeof(d));
	for (w = 0; w < PARSE_WARN_COUNT; w++)
		sbuf_init(&d.detail[w]);
	diag_header(&d, pd, st);
	diag_sections(&d, pd);
	diag_items(&d, pd);
	diag_truncation(&d, st, v);
	rc = diag_store(&d, pd);
	for (w = 0; w < PARSE_WARN_COUNT; w++)
		sbuf_free(&d.detail[w]);
	return rc;
}
