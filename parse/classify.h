/*
 * classify.h: what a whole line is: a section heading, the title, the
 * head line, site chrome, or words of a document that is no plan
 * (classify.c).
 */
#ifndef PLANQ_PARSE_CLASSIFY_H
#define PLANQ_PARSE_CLASSIFY_H

#include "internal.h"

#include <stdint.h>

#include "text.h"

enum line_kind {
	LINE_TEXT = 0,
	LINE_GOALS,
	LINE_MISSIONS,
	LINE_POLICIES,
	LINE_ISSUES,		/* 重点的に取り組む主な経営課題 */
	LINE_REFORMS,		/* 市政改革…に基づく取組 */
	LINE_EVAL,		/* 自己評価 */
	LINE_ACHIEVE,		/* 1年間の取組成果… */
	LINE_CHALLENGE,		/* 解決すべき課題… */
	LINE_COUNCIL,		/* 区政会議の意見の予算要求への反映割合 */
	LINE_CONTACT,		/* このページの作成者・問合せ先 */
	LINE_PLAN,		/* ◆計画 */
	LINE_COLHEAD,		/* 経営課題の概要 / 主な戦略 / 主な取組項目… */
	LINE_NOISE,		/* site chrome: ページの先頭です, Adobe, SNS… */
	LINE_END,		/* footer: nothing after it is content */
};
/* The site-chrome words as a hashed set, built once per document. */
struct classify_noise {
	unsigned char head[4096];	/* hash -> first entry + 1, 0 none */
	unsigned char next[255];	/* entry -> next entry + 1 */
	unsigned char word[255], off[255];	/* entry: word, offset */
};
void	classify_noise_init(struct classify_noise *cn);
/* cn NULL: no site-chrome check (table cells never hold chrome). */
enum line_kind classify_line_ctx(const struct classify_noise *cn,
	    struct span s);
enum line_kind classify_line(struct span s);	/* builds its own set */
/* A list marker (・ • - * ○ …) or an enumerator (1. 1) (1) I.) at the
 * start of u: its length with the white space after it, 0 if none.
 * Inline, the first byte only: every mark starts E2 or E3 or is "- ",
 * "* ", "+ ", every enumerator starts with "(", a digit, I or V; most
 * lines start otherwise, and the call to classify_item_mark_at (which
 * saves six registers first) cost more than its tests. */
size_t	classify_item_mark_at(struct span u);
static inline size_t
classify_item_mark(struct span u)
{
	unsigned char c0 = u.n ? (unsigned char)u.p[0] : 0;

	if (c0 == 0xE3 || c0 == 0xE2 || c0 == '-' || c0 == '*' || c0 == '+' ||
	    c0 == '(' || (c0 >= '0' && c0 <= '9') || c0 == 'I' || c0 == 'V')
		return classify_item_mark_at(u);
	return 0;
}
/* Title line (年度 … 運営方針); 1 if s is one. */
int	classify_title(struct span s);
/* (区長:岸本 孝之): role and name spans; 1 ok. */
int	classify_head(struct span s, struct span *role, struct span *name);
/* Words that mark a non-plan document; returns a reason or NULL, and
 * the word in *word (if word is not NULL). */
const char *classify_not_plan(struct span s, const char **word);

#endif
