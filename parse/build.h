/*
 * build.h: the state of one plan being built from normalised text, shared
 * by the build_*.c files that each own one part of the plan.  One pass over
 * the lines (build_lines.c) sends every line to the part it belongs to:
 *
 *   build_header.c    title, org, fiscal year, stage, head, date, page id
 *   build_lists.c     goals, missions, policies (one item per bullet/paragraph)
 *   build_items.c     issues, strategies, initiatives (markers, parents)
 *   build_budgets.c   an initiative's budgets (brackets, lines, amount cells)
 *   build_reforms.c   the 市政改革 items
 *   build_eval.c      the self-evaluation and the council figures
 *   build_contact.c   the page's contact block
 *   build_target.c    sections and the open target text flows into
 *
 * plan_build.c runs the pass.  The plan's records go straight into the
 * plandoc the caller gave (lib/plandoc.h); the state names the current
 * issue, strategy, initiative and reform by their indices there.
 */
#ifndef PLANQ_PARSE_BUILD_H
#define PLANQ_PARSE_BUILD_H

#include "internal.h"

#include <stdint.h>
#include <string.h>

#include "budget.h"
#include "classify.h"
#include "markers.h"
#include "plan_build.h"
#include "plandoc.h"
#include "sbuf.h"
#include "text.h"

#define BUILD_MAX_BUDGETS	8
#define BUILD_LOOKBACK		64	/* bounded searches keep the pass linear */
#define BUILD_MAX_ITEMS		20000	/* issues+strategies+initiatives+reforms;
					 * real plans have a few hundred at most:
					 * the cap bounds time and memory on junk */

/* The section the pass is in: what a heading-less line can be. */
enum build_sect { S_PRE, S_PLAN, S_ISSUES, S_REFORMS, S_EVAL, S_COUNCIL,
	S_CONTACT, S_DONE };
/* Where the text of the next plain line goes. */
enum build_tgt { T_NONE, T_GOALS, T_MISSIONS, T_POLICIES, T_SUMMARY,
	T_STRATEGY, T_INITIATIVE, T_REFORM, T_ACHIEVE, T_CHALLENGE,
	T_COUNCIL };

/* The header facts (their values are in the plandoc); which were found. */
struct build_header {
	int	 title, head, date, page;
};

struct build_lists {
	int	 open;		/* an item is open: a wrapped line continues it */
};

struct build_issues {
	int32_t	 issue, strategy, item;	/* current ones, PD_NONE if none */
	long	 last_number;
	int	 title_level;	/* Markdown level of issue title headings */
	int	 await_title;	/* issue heading seen, title not yet */
	int	 coded;		/* current issue has coded items */
	char	 col_label[96];	/* budget label from a column heading */
	long long col_unit;	/* unit of bare numbers in an amount column */
};

struct build_reforms {
	int32_t	 current;	/* PD_NONE if none */
};

struct build_eval {
	struct sbuf achievements, challenges, council;
};

struct build_contact {
	int	 lines;
};

struct build_state {
	enum build_sect sect;
	enum build_tgt tgt;
	struct sbuf text;	/* body (or open list item) of the target */
	struct sbuf scratch;	/* a string being collapsed */
	int	 prev_blank;
	int	 lines;		/* lines seen, for the not-a-plan words */
	int	 nitems;	/* objects created, capped at BUILD_MAX_ITEMS */
	struct classify_noise noise;
	struct plan_stats *st;
	struct plandoc *doc;	/* the plan being built (not owned) */
	struct build_header hdr;
	struct build_lists lists;
	struct build_issues issues;
	struct build_reforms reforms;
	struct build_eval eval;
	struct build_contact contact;
};

/* ---- the records: strings and current items ---------------------------- */

/* A span as a string (white space collapsed), null if empty. */
static inline struct pd_str
build_str(struct build_state *pb, struct span s)
{
	struct span c;

	if (!text_collapse(s, &pb->scratch, &c))
		return pd_null();
	return plandoc_str(pb->doc, c.p, c.n);
}

/* A C string as a string, null for NULL. */
static inline struct pd_str
build_cstr(struct build_state *pb, const char *s)
{
	return s ? plandoc_str(pb->doc, s, strlen(s)) : pd_null();
}

/* A body built by text_add_words: already collapsed and trimmed. */
static inline struct pd_str
build_sbuf_str(struct build_state *pb, const struct sbuf *b)
{
	if (b->len == 0 || b->oom)
		return pd_null();
	return plandoc_str(pb->doc, b->p, b->len);
}

static inline struct pd_issue *
build_issue(const struct build_state *pb, int32_t i)
{
	return PD_AT(pb->doc->issues, struct pd_issue, i);
}

static inline struct pd_strategy *
build_strategy(const struct build_state *pb, int32_t i)
{
	return PD_AT(pb->doc->strategies, struct pd_strategy, i);
}

static inline struct pd_initiative *
build_initiative(const struct build_state *pb, int32_t i)
{
	return PD_AT(pb->doc->initiatives, struct pd_initiative, i);
}

/* Which chain of initiatives an initiative goes into. */
struct build_into {
	int32_t	 issue, strategy;	/* strategy PD_NONE: the issue's own */
};

/* ---- build_lines.c ------------------------------------------------------ */
void	build_lines_line(struct build_state *pb, struct span line);

/* ---- build_target.c ----------------------------------------------------- */
/* Ends the open target: its text goes into its object. */
void	build_target_flush(struct build_state *pb);
/* Opens tgt with body as its first text. */
void	build_target_start(struct build_state *pb, enum build_tgt tgt,
	    struct span body);
/* A plain line's text, to the open target. */
void	build_target_text(struct build_state *pb, struct span s, int indented);
/* A section heading of kind k; 1 if s was taken as one. */
int	build_target_heading(struct build_state *pb, enum line_kind k,
	    struct span s);

/* ---- build_header.c ----------------------------------------------------- */
/* Title, head, date and page-id lines; 1 if s was one (consumed). */
int	build_header_line(struct build_state *pb, struct span s);
/* Notes a text line of the preamble in which the plan introduces itself
 * (運営方針は…): evidence that a cut-off page is the plan itself. */
void	build_header_intro(struct build_state *pb, struct span s);

/* ---- build_lists.c ------------------------------------------------------ */
void	build_lists_text(struct build_state *pb, struct span s, int indented);
void	build_lists_close(struct build_state *pb);

/* ---- build_items.c ------------------------------------------------------ */
int32_t	build_items_new_issue(struct build_state *pb, long number,
	    struct span title);
int32_t	build_items_new_initiative(struct build_state *pb,
	    struct build_into into, struct pd_str code, struct pd_str title,
	    const struct budget *b, size_t nb);
/* Whether a ☆/○ marker counts here (coded markers always do). */
int	build_items_symbol_ok(const struct build_state *pb,
	    const struct marker *m, struct span rest, int level);
/* An issue/strategy/initiative marker with the text up to the next one. */
void	build_items_marker(struct build_state *pb, const struct marker *m,
	    struct span rest, int in_table);

/* ---- build_budgets.c ---------------------------------------------------- */
/* Appends the budgets to budgets[]; the index of the first. */
int32_t	build_budgets_add(struct build_state *pb, const struct budget *b,
	    size_t nb);
/* Budgets that a text segment consists of, for the item above; 1 if the
 * segment was only that. */
int	build_budgets_segment(struct build_state *pb, struct span txt,
	    int in_table);
/* A table header row naming the budget column and its unit. */
void	build_budgets_header_row(struct build_state *pb,
	    const struct span *cells, size_t nc);

/* ---- build_reforms.c ---------------------------------------------------- */
void	build_reforms_new(struct build_state *pb, struct span t,
	    struct span body);
struct span build_reforms_head(struct span c);
void	build_reforms_row(struct build_state *pb, const struct span *cells,
	    size_t nc);

/* ---- build_eval.c ------------------------------------------------------- */
/* The evaluation, unless both texts are empty. */
void	build_eval_finish(struct build_state *pb);
/* The council figures, when any were printed. */
void	build_eval_council_finish(struct build_state *pb);

/* ---- build_contact.c ---------------------------------------------------- */
void	build_contact_line(struct build_state *pb, struct span s);
/* Drops the contact when it holds nothing. */
void	build_contact_finish(struct build_state *pb);

#endif
