/*
 * plandoc.c: the plan's flat records (plandoc.h): the string buffer and
 * the growable arrays.  Arrays double, so a plan of N records costs
 * O(log N) allocations, not one or more per record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plandoc.h"

void
plandoc_init(struct plandoc *d)
{
	memset(d, 0, sizeof(*d));
	sbuf_init(&d->chars);
	d->title = d->year_label = d->stage = pd_null();
	d->published_on = d->page_id = pd_null();
	d->org_name = d->org_kind = d->org_printed = d->org_canonical =
	    pd_null();
	d->head_role = d->head_name = pd_null();
	d->achievements = d->challenges = pd_null();
	d->office = d->phone = d->fax = d->address = pd_null();
}

static void
plandoc_array_free(struct pd_array *a)
{
	free(a->p);
	a->p = NULL;
	a->n = a->cap = 0;
}

void
plandoc_free(struct plandoc *d)
{
	if (d == NULL)
		return;
	sbuf_free(&d->chars);
	for (int k = 0; k < PD_LISTS; k++)
		plandoc_array_free(&d->lists[k]);
	plandoc_array_free(&d->issues);
	plandoc_array_free(&d->strategies);
	plandoc_array_free(&d->initiatives);
	plandoc_array_free(&d->budgets);
	plandoc_array_free(&d->reforms);
}

struct pd_str
plandoc_str(struct plandoc *d, const char *s, size_t n)
{
	struct pd_str r;

	if (s == NULL || d->oom)
		return pd_null();
	r.off = (int64_t)d->chars.len;
	r.len = n;
	sbuf_add(&d->chars, s, n);
	if (d->chars.oom) {
		d->oom = 1;
		return pd_null();
	}
	return r;
}

int32_t
plandoc_push(struct plandoc *d, struct pd_array *a, size_t size)
{
	if (d->oom || a->n >= INT32_MAX - 1) {
		d->oom = 1;
		return PD_NONE;
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		void *np = realloc(a->p, cap * size);

		if (np == NULL) {
			d->oom = 1;
			return PD_NONE;
		}
		a->p = np;
		a->cap = cap;
	}
	memset((char *)a->p + a->n * size, 0, size);
	return (int32_t)a->n++;
}
