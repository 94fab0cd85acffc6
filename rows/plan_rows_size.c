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
#include <stddef.h>

#include "plan_rows_size.h"
#include "plan_rows_value.h"

#define ROWS_SIZE_RECORD	8	/* element length, field count */
#define ROWS_SIZE_FIELD		8	/* type OID, byte count */
#define ROWS_SIZE_INT4		4
#define ROWS_SIZE_INT_TEXT	20	/* an int64 as decimal text */
#define ROWS_SIZE_KIND		8	/* goal, mission, policy */

/* Fixed bytes of a record of nfields fields, nint of them int4. */
static size_t
rows_size_record(int nfields, int nint)
{
	return ROWS_SIZE_RECORD + (size_t)nfields * ROWS_SIZE_FIELD +
	    (size_t)nint * ROWS_SIZE_INT4;
}

/* The bytes of a list's records: fixed bytes each, plus the lengths of
 * the nstr strings at offsets off[] in every element of size elem. */
static size_t
rows_size_list(const struct pd_array *l, size_t elem, const size_t *off,
    int nstr, size_t fixed)
{
	size_t n = l->n * fixed;

	for (size_t i = 0; i < l->n; i++) {
		const char *e = (const char *)l->p + i * elem;

		for (int k = 0; k < nstr; k++)
			n += ((const struct pd_str *)(const void *)(e +
			    off[k]))->len;
	}
	return n;
}

static size_t
rows_size_texts(const struct plandoc *d)
{
	static const size_t off[] = { 0 };
	size_t n = 0;

	for (int k = 0; k < PD_LISTS; k++)	/* + the kind's word */
		n += rows_size_list(&d->lists[k], sizeof(struct pd_str), off,
		    1, rows_size_record(TEXT_FIELDS, 2) + ROWS_SIZE_KIND);
	return n;
}

static size_t
rows_size_issues(const struct plandoc *d)
{
	static const size_t off[] = { offsetof(struct pd_issue, title),
	    offsetof(struct pd_issue, summary) };

	return rows_size_list(&d->issues, sizeof(struct pd_issue), off, 2,
	    rows_size_record(ISSUE_FIELDS, 2) + ROWS_SIZE_INT_TEXT);
}

static size_t
rows_size_strategies(const struct plandoc *d)
{
	static const size_t off[] = { offsetof(struct pd_strategy, code),
	    offsetof(struct pd_strategy, title),
	    offsetof(struct pd_strategy, body) };

	return rows_size_list(&d->strategies, sizeof(struct pd_strategy), off,
	    3, rows_size_record(STRATEGY_FIELDS, 2));
}

static size_t
rows_size_initiatives(const struct plandoc *d)
{
	static const size_t off[] = { offsetof(struct pd_initiative, code),
	    offsetof(struct pd_initiative, title),
	    offsetof(struct pd_initiative, body) };

	return rows_size_list(&d->initiatives, sizeof(struct pd_initiative),
	    off, 3, rows_size_record(INITIATIVE_FIELDS, 5));
}

static size_t
rows_size_budgets(const struct plandoc *d)
{
	static const size_t off[] = { offsetof(struct pd_budget, label) };

	return rows_size_list(&d->budgets, sizeof(struct pd_budget), off, 1,
	    rows_size_record(BUDGET_FIELDS, 2) + ROWS_SIZE_INT_TEXT);
}

static size_t
rows_size_reforms(const struct plandoc *d)
{
	static const size_t off[] = { offsetof(struct pd_reform, title),
	    offsetof(struct pd_reform, ref), offsetof(struct pd_reform, body) };

	return rows_size_list(&d->reforms, sizeof(struct pd_reform), off, 3,
	    rows_size_record(REFORM_FIELDS, 2));
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
