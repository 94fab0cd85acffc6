/*
 * plan_rows_pos.c: the positions both row builders keep (plan_rows_pos.h).
 */
#include "plan_rows_pos.h"

void
rows_pos_start(struct rows_pos *pos, const struct plan_rows *r, int32_t doc)
{
	pos->doc = doc;
	pos->issue = r->a[PLAN_ROWS_ISSUES].count;
	pos->strategy = r->a[PLAN_ROWS_STRATEGIES].count;
	pos->initiative = r->a[PLAN_ROWS_INITIATIVES].count;
	pos->seq = 0;
}

void
rows_child_begin(struct pgarray *a, int nfields, int32_t parent, int32_t ord)
{
	pgarray_record_begin(a, nfields);
	pgarray_field_int4(a, &parent);
	pgarray_field_int4(a, &ord);
}
