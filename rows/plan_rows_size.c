/*
 * plan_rows_size.c: how many bytes a plan's rows will add to each array,
 * from its records' counts and string lengths, so that plan_rows_add_doc
 * can size the arrays once (pgarray_hint) instead of doubling them from
 * 256 bytes and copying them at every step.  An estimate: a record is its
 * element length and field count (8 bytes), 8 bytes per field (type OID
 * and byte count), 4 per int4 value, its strings' bytes and up to
 * ROWS_SIZE_INT_TEXT bytes per amount written as text.  Only the arrays
 * with one row per item are estimated; the plan's one-row arrays are
 * small.
 */
#include "plan_rows_size.h"
#include "plan_rows_value.h"

#define ROWS_SIZE_RECORD	8	/* element length, field count */
#define ROWS_SIZE_FIELD		8	/* type OID, byte count */
#define ROWS_SIZE_INT4		4
#define ROWS_SIZE_INT_TEXT	20	/* an int64 as decimal text */

/* Fixed bytes of a record of nfields fields, nint of them int4. */
static size_t
rows_size_record(int nfields, int nint)
{
	return ROWS_SIZE_RECORD + (size_t)nfields * ROWS_SIZE_FIELD +
	    (size_t)nint * ROWS_SIZE_INT4;
}

static size_t
rows_size_texts(const struct plandoc *d)
{
	size_t n = 0;

	for (int k = 0; k < PD_LISTS; k++)
		for (size_t i = 0; i < d->lists[k].n; i++)
			n += rows_size_record(TEXT_FIELDS, 2) + 8 +
			    PD_AT(d->lists[k], struct pd_str, i)->len;
	return n;
}

static size_t
rows_size_issues(const struct plandoc *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->issues.n; i++) {
		const struct pd_issue *o = PD_AT(d->issues, struct pd_issue,
		    i);
		n += rows_size_record(ISSUE_FIELDS, 2) + ROWS_SIZE_INT_TEXT +
		    o->title.len + o->summary.len;
	}
	return n;
}

static size_t
rows_size_strategies(const struct plandoc *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->strategies.n; i++) {
		const struct pd_strategy *o = PD_AT(d->strategies,
		    struct pd_strategy, i);
		n += rows_size_record(STRATEGY_FIELDS, 2) + o->code.len +
		    o->title.len + o->body.len;
	}
	return n;
}

static size_t
rows_size_initiatives(const struct plandoc *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->initiatives.n; i++) {
		const struct pd_initiative *o = PD_AT(d->initiatives,
		    struct pd_initiative, i);
		n += rows_size_record(INITIATIVE_FIELDS, 5) + o->code.len +
		    o->title.len + o->body.len;
	}
	return n;
}

static size_t
rows_size_budgets(const struct plandoc *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->budgets.n; i++)
		n += rows_size_record(BUDGET_FIELDS, 2) + ROWS_SIZE_INT_TEXT +
		    PD_AT(d->budgets, struct pd_budget, i)->label.len;
	return n;
}

static size_t
rows_size_reforms(const struct plandoc *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->reforms.n; i++) {
		const struct pd_reform *o = PD_AT(d->reforms, struct pd_reform,
		    i);
		n += rows_size_record(REFORM_FIELDS, 2) + o->title.len +
		    o->ref.len + o->body.len;
	}
	return n;
}

void
plan_rows_size_hint(struct plan_rows *r, const struct plandoc *d)
{
	pgarray_hint(&r->a[PLAN_ROWS_TEXTS], rows_size_texts(d));
	pgarray_hint(&r->a[PLAN_ROWS_ISSUES], rows_size_issues(d));
	pgarray_hint(&r->a[PLAN_ROWS_STRATEGIES], rows_size_strategies(d));
	pgarray_hint(&r->a[PLAN_ROWS_INITIATIVES], rows_size_initiatives(d));
	pgarray_hint(&r->a[PLAN_ROWS_BUDGETS], rows_size_budgets(d));
	pgarray_hint(&r->a[PLAN_ROWS_REFORMS], rows_size_reforms(d));
}
