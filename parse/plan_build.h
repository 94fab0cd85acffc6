/*
 * plan_build.h: stage 4, normalised text to the plan's records
 * (lib/plandoc.h), with the structural evidence the plan-or-not verdict
 * weighs (plan_build.c).
 */
#ifndef PLANQ_PARSE_PLAN_BUILD_H
#define PLANQ_PARSE_PLAN_BUILD_H

#include "internal.h"

#include <stddef.h>

#include "plandoc.h"

struct plan_stats {
	int	 has_title;
	int	 org_match;	/* enum org_how of the title's org (org.h) */
	int	 has_head;
	int	 has_date;	/* the page's own date line */
	int	 has_page_id;	/* ページ番号 */
	int	 has_intro;	/* the plan introducing itself (運営方針は…) */
	int	 has_contact;	/* the page's contact heading, its usual end */
	int	 ends_open;	/* the last line stops mid-sentence (no 。, no
				 * closing bracket): maybe cut off */
	int	 sections;	/* goals/missions/policies with content */
	int	 issues;
	int	 items;		/* strategies + initiatives */
	int	 coded;		/* items with codes */
	int	 budgets;
	int	 reforms;
	const char *negative;	/* not-a-plan reason from early lines */
	const char *negative_word;	/* the word it was told by (会議録) */
};
/* Builds the plan from normalised text into doc (plandoc_init'ed by the
 * caller, who frees it); -1 when memory ran out. */
int	plan_build(const char *text, size_t n, struct plan_stats *st,
	    struct plandoc *doc);

#endif
