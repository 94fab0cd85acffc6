/*
 * plan_rows_doc.c: a plan's rows from the parser's records (lib/plandoc.h)
 * instead of its Jansson object: what the worker stores, with no tree to
 * build or walk.  The same rows in the same order as plan_rows.c gives for
 * the plan's JSON (the plan row, goals/missions/policies, issues with their
 * strategies, initiatives and budgets, reforms, evaluation, council,
 * contact; the same positions and the same value texts);
 * tests/unit/test_plan_rows.c compares the two on every sample, fixture
 * and fuzz-corpus file.  Records always have a shape rows can hold, so
 * nothing is refused here.
 */
#include <stdio.h>
#include <string.h>

#include "jsontext.h"
#include "plan_rows.h"
#include "plan_rows_pos.h"
#include "plan_rows_size.h"
#include "plan_rows_value.h"

struct rows_doc {
	struct plan_rows *r;
	const struct plandoc *d;
	struct rows_pos	 pos;
};

static void
rows_doc_str(struct pgarray *a, const struct plandoc *d, struct pd_str s)
{
	pgarray_field_text(a, plandoc_bytes(d, s), s.len);
}

static void
rows_doc_int(struct pgarray *a, struct pd_int v)
{
	char buf[JSONTEXT_INT_MAX];

	if (!v.set) {
		pgarray_field_text(a, NULL, 0);
		return;
	}
	pgarray_field_text(a, buf, jsontext_lld(buf, v.v));
}

static void
rows_doc_plan(struct rows_doc *x)
{
	const struct plandoc *d = x->d;
	struct pgarray *a = &x->r->a[PLAN_ROWS_PLANS];

	pgarray_record_begin(a, PLAN_FIELDS);
	pgarray_field_int4(a, &x->pos.doc);
	rows_doc_str(a, d, d->title);
	/* the canonical name when the reference list knows the org */
	rows_doc_str(a, d, !d->has_org ? pd_null() :
	    d->org_canonical.off >= 0 ? d->org_canonical : d->org_name);
	rows_doc_str(a, d, d->has_org ? d->org_kind : pd_null());
	rows_doc_int(a, d->fiscal_year);
	rows_doc_str(a, d, d->year_label);
	rows_doc_str(a, d, d->stage);
	rows_doc_str(a, d, d->has_head ? d->head_role : pd_null());
	rows_doc_str(a, d, d->has_head ? d->head_name : pd_null());
	rows_doc_str(a, d, d->published_on);
	rows_doc_str(a, d, d->page_id);
	pgarray_record_end(a);
}

static void
rows_doc_texts(struct rows_doc *x)
{
	static const char *const kinds[PD_LISTS] = { "goal", "mission",
	    "policy" };
	struct pgarray *a = &x->r->a[PLAN_ROWS_TEXTS];

	for (int k = 0; k < PD_LISTS; k++) {
		const struct pd_array *l = &x->d->lists[k];

		for (size_t i = 0; i < l->n; i++) {
			int32_t ord = (int32_t)i + 1;

			pgarray_record_begin(a, TEXT_FIELDS);
			pgarray_field_int4(a, &x->pos.doc);
			pgarray_field_text(a, kinds[k], strlen(kinds[k]));
			pgarray_field_int4(a, &ord);
			rows_doc_str(a, x->d, *PD_AT(*l, struct pd_str, i));
			pgarray_record_end(a);
		}
	}
}

static void
rows_doc_budgets(struct rows_doc *x, const struct pd_initiative *t)
{
	struct pgarray *a = &x->r->a[PLAN_ROWS_BUDGETS];

	for (int32_t i = 0; i < t->nbudgets; i++) {
		const struct pd_budget *b = PD_AT(x->d->budgets,
		    struct pd_budget, t->budget0 + i);

		rows_child_begin(a, BUDGET_FIELDS, x->pos.initiative, i + 1);
		rows_doc_str(a, x->d, b->label);
		rows_doc_int(a, b->amount_yen);
		pgarray_record_end(a);
	}
}

/* The initiatives of one chain: a strategy's (strategy > 0) or an
 * issue's. */
static void
rows_doc_initiatives(struct rows_doc *x, struct pd_chain c, int32_t strategy)
{
	struct pgarray *a = &x->r->a[PLAN_ROWS_INITIATIVES];
	int32_t ord = 0;

	for (int32_t k = c.head; k != PD_NONE;) {
		const struct pd_initiative *t = PD_AT(x->d->initiatives,
		    struct pd_initiative, k);
		int32_t seq = ++x->pos.seq;

		ord++;
		pgarray_record_begin(a, INITIATIVE_FIELDS);
		pgarray_field_int4(a, &x->pos.doc);
		pgarray_field_int4(a, &x->pos.issue);
		pgarray_field_int4(a, strategy > 0 ? &strategy : NULL);
		pgarray_field_int4(a, &seq);
		pgarray_field_int4(a, &ord);
		rows_doc_str(a, x->d, t->code);
		rows_doc_str(a, x->d, t->title);
		rows_doc_str(a, x->d, t->body);
		pgarray_record_end(a);
		x->pos.initiative++;
		rows_doc_budgets(x, t);
		k = t->next;
	}
}

static void
rows_doc_strategies(struct rows_doc *x, struct pd_chain c)
{
	struct pgarray *a = &x->r->a[PLAN_ROWS_STRATEGIES];
	int32_t ord = 0;

	for (int32_t k = c.head; k != PD_NONE;) {
		const struct pd_strategy *s = PD_AT(x->d->strategies,
		    struct pd_strategy, k);

		rows_child_begin(a, STRATEGY_FIELDS, x->pos.issue, ++ord);
		rows_doc_str(a, x->d, s->code);
		rows_doc_str(a, x->d, s->title);
		rows_doc_str(a, x->d, s->body);
		pgarray_record_end(a);
		x->pos.strategy++;
		rows_doc_initiatives(x, s->initiatives, x->pos.strategy);
		k = s->next;
	}
}

static void
rows_doc_issues(struct rows_doc *x)
{
	struct pgarray *a = &x->r->a[PLAN_ROWS_ISSUES];

	for (size_t i = 0; i < x->d->issues.n; i++) {
		const struct pd_issue *o = PD_AT(x->d->issues, struct pd_issue,
		    i);

		rows_child_begin(a, ISSUE_FIELDS, x->pos.doc, (int32_t)i + 1);
		rows_doc_int(a, o->number);
		rows_doc_str(a, x->d, o->title);
		rows_doc_str(a, x->d, o->summary);
		pgarray_record_end(a);
		x->pos.issue++;
		/* a strategy's initiatives come before the issue's own (seq) */
		rows_doc_strategies(x, o->strategies);
		rows_doc_initiatives(x, o->initiatives, 0);
	}
}

static void
rows_doc_reforms(struct rows_doc *x)
{
	struct pgarray *a = &x->r->a[PLAN_ROWS_REFORMS];

	for (size_t i = 0; i < x->d->reforms.n; i++) {
		const struct pd_reform *o = PD_AT(x->d->reforms,
		    struct pd_reform, i);

		rows_child_begin(a, REFORM_FIELDS, x->pos.doc, (int32_t)i + 1);
		rows_doc_str(a, x->d, o->title);
		rows_doc_str(a, x->d, o->ref);
		rows_doc_str(a, x->d, o->body);
		pgarray_record_end(a);
	}
}

/* The council row: the four amounts and the ratio as its text. */
static int
rows_doc_council(struct rows_doc *x)
{
	struct pgarray *a = &x->r->a[PLAN_ROWS_COUNCILS];
	char buf[64];
	int n;

	pgarray_record_begin(a, COUNCIL_FIELDS);
	pgarray_field_int4(a, &x->pos.doc);
	for (int k = 0; k < 4; k++)
		rows_doc_int(a, x->d->council[k]);
	if (x->d->has_ratio) {
		n = rows_real_text(x->d->ratio_percent, buf, sizeof(buf));
		if (n < 0) {
			snprintf(x->r->why, sizeof(x->r->why),
			    "council_reflection.ratio_percent: no text");
			return -1;
		}
		pgarray_field_text(a, buf, (size_t)n);
	} else
		pgarray_field_text(a, NULL, 0);
	pgarray_record_end(a);
	return 0;
}

/* A row of kind k that only a plan has: its position, then the texts v
 * (nfields - 1 of them). */
static void
rows_doc_object(struct rows_doc *x, enum plan_rows_kind k, int nfields,
    const struct pd_str *v)
{
	struct pgarray *a = &x->r->a[k];

	pgarray_record_begin(a, nfields);
	pgarray_field_int4(a, &x->pos.doc);
	for (int i = 0; i < nfields - 1; i++)
		rows_doc_str(a, x->d, v[i]);
	pgarray_record_end(a);
}

/* evaluation, council_reflection, contact: at most one row each */
static int
rows_doc_objects(struct rows_doc *x)
{
	const struct plandoc *d = x->d;

	if (d->has_evaluation) {
		const struct pd_str v[EVALUATION_FIELDS - 1] = {
		    d->achievements, d->challenges };

		rows_doc_object(x, PLAN_ROWS_EVALUATIONS, EVALUATION_FIELDS, v);
	}
	if (d->has_council && rows_doc_council(x) != 0)
		return -1;
	if (d->has_contact) {
		const struct pd_str v[CONTACT_FIELDS - 1] = { d->office,
		    d->phone, d->fax, d->address };

		rows_doc_object(x, PLAN_ROWS_CONTACTS, CONTACT_FIELDS, v);
	}
	return 0;
}

int
plan_rows_add_doc(struct plan_rows *r, int doc, const struct plandoc *d)
{
	struct rows_doc x;

	if (d == NULL) {
		snprintf(r->why, sizeof(r->why), "no plan records");
		return -1;
	}
	x.r = r;
	x.d = d;
	plan_rows_size_hint(r, d);
	rows_pos_start(&x.pos, r, doc);
	rows_doc_plan(&x);
	rows_doc_texts(&x);
	rows_doc_issues(&x);
	rows_doc_reforms(&x);
	return rows_doc_objects(&x);
}
