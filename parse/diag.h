/*
 * diag.h: the parse diagnostics of a plan, its "warnings" (diag.c).
 */
#ifndef PLANQ_PARSE_DIAG_H
#define PLANQ_PARSE_DIAG_H

#include "internal.h"

#include "plan_build.h"
#include "verdict.h"

/* Sets the plan's warnings to what the finished plan lacks or doubts, in
 * the order of enum parse_warning; 0 ok, -1 out of memory. */
int	diag_add_warnings(struct plandoc *pd, const struct plan_stats *st,
	    const struct verdict *v);

#endif
