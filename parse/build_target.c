/*
 * build_target.c: where the text of a plain line goes.  The pass is in a
 * section (preamble, plan sections, issues, reforms, evaluation, council,
 * contact) and has an open target (a list, a summary, a body…); a section
 * heading switches both, and flushing a target puts its collected text
 * into the object it belongs to.
 */
#include <string.h>

#include "build.h"

/* Where the open item target's text goes, NULL if nowhere. */
static struct pd_str *
build_target_owner(struct build_state *pb)
{
	switch (pb->tgt) {
	case T_SUMMARY:
		return pb->issues.issue == PD_NONE ? NULL :
		    &build_issue(pb, pb->issues.issue)->summary;
	case T_STRATEGY:
		return pb->issues.strategy == PD_NONE ? NULL :
		    &build_strategy(pb, pb->issues.strategy)->body;
	case T_INITIATIVE:
		return pb->issues.item == PD_NONE ? NULL :
		    &build_initiative(pb, pb->issues.item)->body;
	case T_REFORM:
		return pb->reforms.current == PD_NONE ? NULL :
		    &PD_AT(pb->doc->reforms, struct pd_reform,
		    pb->reforms.current)->body;
	default:
		return NULL;
	}
}

/* The body collected for the open item target, if any. */
static void
build_target_flush_body(struct build_state *pb)
{
	struct pd_str v;
	struct pd_str *owner;

	if (pb->text.len == 0)
		return;
	v = build_sbuf_str(pb, &pb->text);
	if ((owner = build_target_owner(pb)) != NULL)
		*owner = v;
}

void
build_target_flush(struct build_state *pb)
{
	if (pb->tgt == T_GOALS || pb->tgt == T_MISSIONS ||
	    pb->tgt == T_POLICIES)
		build_lists_close(pb);
	else
		build_target_flush_body(pb);
	sbuf_reset(&pb->text);
	pb->tgt = T_NONE;
	pb->lists.open = 0;
}

void
build_target_start(struct build_state *pb, enum build_tgt tgt,
    struct span body)
{
	pb->tgt = tgt;
	sbuf_reset(&pb->text);
	body = text_trim(body);
	if (body.n > 0)
		text_add_words(&pb->text, body.p, body.n);
}

void
build_target_text(struct build_state *pb, struct span s, int indented)
{
	s = text_trim(s);
	if (s.n == 0)
		return;
	switch (pb->tgt) {
	case T_GOALS:
	case T_MISSIONS:
	case T_POLICIES:
		build_lists_text(pb, s, indented);
		break;
	case T_SUMMARY:
	case T_STRATEGY:
	case T_INITIATIVE:
	case T_REFORM:
		text_add_words(&pb->text, s.p, s.n);
		break;
	case T_ACHIEVE:
		text_add_words(&pb->eval.achievements, s.p, s.n);
		break;
	case T_CHALLENGE:
		text_add_words(&pb->eval.challenges, s.p, s.n);
		break;
	case T_COUNCIL:
		text_add_words(&pb->eval.council, s.p, s.n);
		break;
	default:
		break;
	}
}

/* Length of a closing bracket at the start of s, 0 if none. */
static size_t
build_target_closer_len(struct span s)
{
	static const char *const closers[] = { "】", "≫", "〉", "」", "』",
	    "》", "〕", NULL };
	size_t i;

	for (i = 0; closers[i] != NULL; i++)
		if (text_starts(s, closers[i]))
			return strlen(closers[i]);
	return 0;
}

/* The closing brackets of a wrapped heading (【…】, ≪…≫, 〈…〉, 「…」)
 * left at the start of what follows its gloss. */
static struct span
build_target_skip_closers(struct span s)
{
	size_t n;

	while ((n = build_target_closer_len(s)) > 0)
		s = text_trim(text_skip(s, n));
	return s;
}

/* 区の目標:安全なまち / 区の目標(何をめざすのか) 安全なまち: the text
 * after the heading on the same line is the first item. */
static void
build_target_heading_rest(struct build_state *pb, struct span s)
{
	const char *c, *p;
	struct span rest = { NULL, 0 };

	s = text_skip(s, classify_item_mark(s));	/* (3) 区運営の… */
	c = text_find(s, ":");
	if (c != NULL)
		rest = text_skip(s, (size_t)(c - s.p) + 1);
	else if ((p = text_find(s, ")")) != NULL && text_find(s, "(") != NULL &&
	    text_find(s, "(") < p)
		rest = text_skip(s, (size_t)(p - s.p) + 1);
	rest = build_target_skip_closers(text_trim(rest));
	if (rest.n > 0 && !text_starts(rest, "("))
		build_lists_text(pb, rest, 1);
}

/* 目標 / 使命 / 運営の基本的な考え方: a list section, unless the issues
 * have begun (then the word is an item's own heading); 1 if taken. */
static int
build_target_list_heading(struct build_state *pb, enum line_kind k,
    struct span s)
{
	if (pb->sect >= S_ISSUES && pb->sect != S_REFORMS &&
	    pb->issues.issue != PD_NONE)
		return 0;
	build_target_flush(pb);
	pb->sect = S_PLAN;
	pb->tgt = k == LINE_GOALS ? T_GOALS : k == LINE_MISSIONS ?
	    T_MISSIONS : T_POLICIES;
	build_target_heading_rest(pb, s);
	return 1;
}

/* A column heading row (経営課題の概要, 主な具体的取組(2年度予算額)…). */
static void
build_target_column_heading(struct build_state *pb, struct span s)
{
	/* 経営課題の概要 as a label under the issue's own marker introduces
	 * its summary: keep collecting it */
	if (pb->tgt == T_SUMMARY && text_starts(s, "経営課題の概要") &&
	    text_cp_count(s) <= 8)
		return;
	build_target_flush(pb);
	budget_column_label(s, pb->issues.col_label,
	    sizeof(pb->issues.col_label));
}

/* Enters section sect with target tgt. */
static void
build_target_enter(struct build_state *pb, enum build_sect sect,
    enum build_tgt tgt)
{
	build_target_flush(pb);
	pb->sect = sect;
	pb->tgt = tgt;
}

int
build_target_heading(struct build_state *pb, enum line_kind k, struct span s)
{
	switch (k) {
	case LINE_NOISE:
	case LINE_PLAN:
		build_target_flush(pb);
		return 1;
	case LINE_GOALS:
	case LINE_MISSIONS:
	case LINE_POLICIES:
		return build_target_list_heading(pb, k, s);
	case LINE_ISSUES:
		build_target_enter(pb, S_ISSUES, T_NONE);
		return 1;
	case LINE_REFORMS:
		build_target_enter(pb, S_REFORMS, T_NONE);
		pb->reforms.current = PD_NONE;
		return 1;
	case LINE_EVAL:
		build_target_enter(pb, S_EVAL, T_NONE);
		return 1;
	case LINE_ACHIEVE:
	case LINE_CHALLENGE:
		build_target_enter(pb, S_EVAL, k == LINE_ACHIEVE ? T_ACHIEVE :
		    T_CHALLENGE);
		return 1;
	case LINE_COUNCIL:
		build_target_enter(pb, S_COUNCIL, T_COUNCIL);
		return 1;
	case LINE_CONTACT:
		build_target_enter(pb, S_CONTACT, T_NONE);
		pb->contact.lines = 0;
		pb->st->has_contact = 1;
		return 1;
	case LINE_COLHEAD:
		build_target_column_heading(pb, s);
		return 1;
	default:
		return 0;
	}
}
