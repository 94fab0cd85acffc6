/*
 * plan_build.h: stage 4, normalised text to the plan JSON, with the
 * structural evidence the plan-or-not verdict weighs (plan_build.c).
 */
#ifndef PLANQ_PARSE_PLAN_BUILD_H
#define PLANQ_PARSE_PLAN_BUILD_H

#include "internal.h"

#include <stddef.h>
#include <jansson.h>

struct plan_stats {
	int	 has_title;
	int	 has_head;
	int	 sections;	/* goals/missions/policies with content */
	int	 issues;
	int	 items;		/* strategies + initiatives */
	int	 coded;		/* items with codes */
	int	 budgets;
	int	 reforms;
	const char *negative;	/* not-a-plan reason from early lines */
};
/* Builds the plan from normalised text; NULL on OOM. */
json_t	*plan_build(const char *text, size_t n, struct plan_stats *st);

#endif
