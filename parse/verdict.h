/*
 * verdict.h: plan or not, from the structure plan_build found, with the
 * evidence weighed written into the reason (verdict.c).
 */
#ifndef PLANQ_PARSE_VERDICT_H
#define PLANQ_PARSE_VERDICT_H

#include "internal.h"

#include <stddef.h>
#include <jansson.h>

#include "plan_build.h"

struct verdict {
	int	 is_plan;
	int	 by_intro;	/* a plan only by its title and introduction:
				 * a page cut off after its first lines */
	char	 reason[256];	/* not a plan: why, and the evidence weighed */
};

void	verdict_decide(const struct plan_stats *st, struct verdict *v);
/* The evidence as a JSON object for the not-a-plan result; NULL on OOM. */
json_t	*verdict_evidence(const struct plan_stats *st);

#endif
