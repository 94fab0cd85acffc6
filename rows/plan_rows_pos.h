/*
 * plan_rows_pos.h: the positions a plan's rows name their parents by
 * (plan_rows.h), kept the same way by both row builders, plan_rows.c (from
 * the plan's JSON) and plan_rows_doc.c (from the parser's records): the
 * plan's position in the batch, and the position of the last issue,
 * strategy and initiative row in their arrays, which carry on across the
 * plans of a batch; seq numbers one plan's initiatives 1….  A child row
 * (a strategy, budget or reform; an issue) opens with its parent's
 * position and its own ordinal in its parent's list.
 */
#ifndef PLANQ_PLAN_ROWS_POS_H
#define PLANQ_PLAN_ROWS_POS_H

#include <stdint.h>

#include "plan_rows.h"

struct rows_pos {
	int32_t	doc;		/* the plan's position in the batch */
	int32_t	issue;		/* positions of the last row of each array */
	int32_t	strategy;
	int32_t	initiative;
	int32_t	seq;		/* the plan's initiatives so far */
};

/* The positions for the plan at batch position doc, after the rows r
 * holds already. */
void	rows_pos_start(struct rows_pos *pos, const struct plan_rows *r,
	    int32_t doc);
/* Opens a row of nfields in a: its parent's position, its ordinal. */
void	rows_child_begin(struct pgarray *a, int nfields, int32_t parent,
	    int32_t ord);

#endif
