/*
 * verdict.c: decides from structural evidence whether a text is a plan.  A
 * plan has a 運営方針 title and something of a plan after it (sections,
 * 経営課題, reforms, the head line, or the plan introducing itself on a page
 * cut off after its first lines), or, without a title, 経営課題 with codes
 * or budgets, or two filled 目標/使命/方針 sections with an issue or a head.
 * Words of minutes, speeches, vision pages and error pages count against.
 * A refusal names everything weighed, so an operator can tell a real
 * non-plan from a layout the parser does not know yet.
 */
#include <stdio.h>
#include <string.h>

#include "verdict.h"

static const char *
verdict_yes(int v)
{
	return v ? "yes" : "no";
}

/* "…; weighed: title no, sections 0, …" after the conclusion. */
static void
verdict_explain(const struct plan_stats *st, struct verdict *v,
    const char *conclusion)
{
	snprintf(v->reason, sizeof(v->reason), "%s; weighed: title %s, "
	    "目標/使命/方針 %d, 経営課題 %d, items %d, budgets %d, head %s, "
	    "introduction %s%s%s", conclusion, verdict_yes(st->has_title),
	    st->sections, st->issues, st->items, st->budgets,
	    verdict_yes(st->has_head), verdict_yes(st->has_intro),
	    st->negative_word ? ", words " : "",
	    st->negative_word ? st->negative_word : "");
}

/* Whether what was found is a plan. */
static int
verdict_is_plan(const struct plan_stats *st)
{
	int body = st->sections + st->issues + st->reforms + st->has_head;

	if (st->has_title && body > 0)
		return 1;
	if (st->negative != NULL)
		return 0;
	if (st->issues > 0 && (st->budgets > 0 || st->coded > 0))
		return 1;
	return st->sections >= 2 && (st->issues > 0 || st->has_head);
}

void
verdict_decide(const struct plan_stats *st, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (verdict_is_plan(st)) {
		v->is_plan = 1;
		return;
	}
	if (st->negative != NULL)
		verdict_explain(st, v, st->negative);
	else if (st->has_title && st->has_intro) {
		v->is_plan = 1;		/* cut off after its introduction */
		v->by_intro = 1;
	} else if (st->has_title)
		verdict_explain(st, v, "only a 運営方針 title (a link or cover "
		    "page?): nothing of a plan follows it");
	else
		verdict_explain(st, v, "no plan structure: no 運営方針 title, "
		    "no 経営課題 with codes or budgets, no 目標/使命/方針");
}

json_t *
verdict_evidence(const struct plan_stats *st)
{
	return json_pack("{s:b,s:i,s:i,s:i,s:i,s:i,s:b,s:b,s:b,s:b,s:s?}",
	    "title", st->has_title, "sections", st->sections,
	    "issues", st->issues, "items", st->items,
	    "budgets", st->budgets, "reforms", st->reforms,
	    "head", st->has_head, "introduction", st->has_intro,
	    "page_date", st->has_date, "page_number", st->has_page_id,
	    "non_plan_words", st->negative_word);
}
