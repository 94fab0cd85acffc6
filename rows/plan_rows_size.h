/*
 * plan_rows_size.h: the bytes a plan's rows will take in each array, to
 * size the arrays before the rows are appended (plan_rows_size.c).
 */
#ifndef PLANQ_PLAN_ROWS_SIZE_H
#define PLANQ_PLAN_ROWS_SIZE_H

#include "plan_rows.h"
#include "plandoc.h"

/* Reserves room in r's item arrays for the rows of d (a hint). */
void	plan_rows_size_hint(struct plan_rows *r, const struct plandoc *d);

#endif
