/*
 * diag.h: the parse diagnostics of a plan, its "warnings" (diag.c).
 */
#ifndef PLANQ_PARSE_DIAG_H
#define PLANQ_PARSE_DIAG_H

#include "internal.h"

#include <jansson.h>

#include "plan_build.h"
#include "verdict.h"

/* Sets plan["warnings"] to the list of what the finished plan lacks or
 * doubts, in the order of enum parse_warning; 0 ok, -1 out of memory. */
int	diag_add_warnings(json_t *plan, const struct plan_stats *st,
	    const struct verdict *v);

#endif
