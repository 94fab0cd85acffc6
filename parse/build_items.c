/*
 * build_items.c: issues (経営課題), strategies (主な戦略) and initiatives
 * (具体的取組) from their markers: the title and body after a marker, its
 * budgets, and the parent an item belongs to (the strategy its code names,
 * else the one above it, else the issue itself).
 */
#include <string.h>

#include "build.h"

struct build_item_parts {
	struct span title, body;
	struct budget b[BUILD_MAX_BUDGETS];
	size_t	 nb;
};

static struct pd_chain
build_items_chain(void)
{
	return (struct pd_chain){ PD_NONE, PD_NONE, 0 };
}

int32_t
build_items_new_issue(struct build_state *pb, long number, struct span title)
{
	int32_t i = plandoc_push(pb->doc, &pb->doc->issues,
	    sizeof(struct pd_issue));
	struct pd_issue *o;

	if (number < 0 && pb->issues.last_number > 0)
		number = pb->issues.last_number + 1;
	if (i != PD_NONE) {
		struct pd_str t = build_str(pb, title);

		o = build_issue(pb, i);
		o->number.set = number >= 0;
		o->number.v = number;
		o->title = t;
		o->summary = pd_null();
		o->strategies = build_items_chain();
		o->initiatives = build_items_chain();
	}
	if (number >= 0)
		pb->issues.last_number = number;
	pb->issues.issue = i;
	pb->issues.strategy = PD_NONE;
	pb->issues.item = PD_NONE;
	pb->issues.coded = 0;
	pb->sect = S_ISSUES;
	pb->st->issues++;
	return i;
}

static long
build_items_issue_number(const struct build_state *pb, int32_t issue)
{
	const struct pd_issue *o = build_issue(pb, issue);

	return o->number.set ? (long)o->number.v : -1;
}

/* The first number of a code ("12-3-4": 12).  mark_code writes codes as
 * ASCII digits (at most six a part) and '-': no sign, no white space, no
 * overflow, so strtol's general work is not needed. */
static long
build_items_code_first(const char *code)
{
	long n = 0;

	for (; *code >= '0' && *code <= '9'; code++)
		n = n * 10 + (*code - '0');
	return n;
}

/* The issue an item with code "N-…" belongs to. */
static int32_t
build_items_issue_for(struct build_state *pb, const char *code)
{
	long n = -1;
	size_t i, cnt;

	if (code[0] != '\0')
		n = build_items_code_first(code);
	if (pb->issues.issue == PD_NONE) {
		struct span none = { "", 0 };
		if (n >= 0 && pb->issues.last_number == 0)
			pb->issues.last_number = 0;
		return build_items_new_issue(pb, n, none);
	}
	if (n < 0 || build_items_issue_number(pb, pb->issues.issue) == n)
		return pb->issues.issue;
	cnt = pb->doc->issues.n;
	for (i = cnt; i > 0 && cnt - i < BUILD_LOOKBACK; i--)
		if (build_items_issue_number(pb, (int32_t)(i - 1)) == n)
			return (int32_t)(i - 1);
	return pb->issues.issue;
}

/* Splits "title body…" at the first white space when the rest reads as a
 * body (in a table cell, or a sentence, or long). */
static void
build_items_split_title(struct span r, int in_table, struct span *title,
    struct span *body)
{
	size_t i;
	struct span after;

	r = text_trim(r);
	*title = r;
	body->p = r.p + r.n;
	body->n = 0;
	if ((i = text_space_find(r)) == r.n)
		return;
	after = text_trim(text_skip(r, i));
	if (in_table || text_find(after, "。") || text_cp_count(after) >= 30) {
		title->n = i;
		*body = after;
	}
}

/* Title, budgets and body of the text after a marker.  If the bracket
 * holds the title, what follows is budgets then body; otherwise the title
 * runs up to the first budget bracket, or is split off the body. */
static void
build_items_parts(const struct marker *m, struct span rest, int in_table,
    struct build_item_parts *p)
{
	size_t first, after;
	struct span r = text_trim(rest);

	/* a bracketed title takes budgets right at the start only, else a
	 * title without 。 comes before them */
	p->nb = budget_scan(r, m->title.n > 0 ? BUDGET_AT_START :
	    BUDGET_BEFORE_PERIOD, p->b, BUILD_MAX_BUDGETS, &first, &after);
	if (m->title.n > 0) {
		p->title = m->title;
		if (p->nb > 0 && text_trim((struct span){ r.p, first }).n == 0)
			p->body = text_trim(text_skip(r, after));
		else {
			p->nb = 0;
			p->body = r;
		}
		return;
	}
	if (p->nb > 0 && first > 0) {
		struct span t = text_trim((struct span){ r.p, first });
		if (text_cp_count(t) <= 120 && !text_find(t, "。")) {
			p->title = t;
			p->body = text_trim(text_skip(r, after));
			return;
		}
		p->nb = 0;
	} else if (p->nb > 0) {
		r = text_trim(text_skip(r, after));
	}
	build_items_split_title(r, in_table, &p->title, &p->body);
}

/* Item i appended to chain c: tail_next is the next field of c's last
 * item, NULL when c is empty. */
static inline void
build_items_append(struct pd_chain *c, int32_t *tail_next, int32_t i)
{
	if (tail_next != NULL)
		*tail_next = i;
	else
		c->head = i;
	c->tail = i;
	c->count++;
}

/* The chain an initiative of into is appended to. */
static struct pd_chain *
build_items_chain_of(struct build_state *pb, struct build_into into)
{
	if (into.strategy != PD_NONE)
		return &build_strategy(pb, into.strategy)->initiatives;
	return &build_issue(pb, into.issue)->initiatives;
}

int32_t
build_items_new_initiative(struct build_state *pb, struct build_into into,
    struct pd_str code, struct pd_str title, const struct budget *b,
    size_t nb)
{
	int32_t i = plandoc_push(pb->doc, &pb->doc->initiatives,
	    sizeof(struct pd_initiative));
	int32_t b0 = build_budgets_add(pb, b, nb);
	struct pd_initiative *o;
	struct pd_chain *c;

	if (i == PD_NONE || into.issue == PD_NONE)
		return PD_NONE;
	o = build_initiative(pb, i);
	o->code = code;
	o->title = title;
	o->body = pd_null();
	o->budget0 = b0;
	o->nbudgets = (int32_t)nb;
	o->next = PD_NONE;
	c = build_items_chain_of(pb, into);
	build_items_append(c, c->tail != PD_NONE ?
	    &build_initiative(pb, c->tail)->next : NULL, i);
	pb->issues.item = i;
	pb->st->items++;
	if (code.off >= 0)
		pb->st->coded++;
	return i;
}

/* Whether strategy s's code is the prefix of code (1-1-2 -> 1-1). */
static int
build_items_code_is(const struct build_state *pb, const struct pd_strategy *s,
    const char *code, size_t prefix)
{
	const char *c = plandoc_bytes(pb->doc, s->code);

	return c != NULL && s->code.len == prefix &&
	    strncmp(c, code, prefix) == 0;
}

/* The strategy of issue whose code is the prefix of code (1-1-2 -> 1-1),
 * among the last BUILD_LOOKBACK; PD_NONE if none. */
static int32_t
build_items_strategy_for(struct build_state *pb, int32_t issue,
    const char *code, size_t prefix)
{
	int32_t s = build_issue(pb, issue)->strategies.tail;

	for (int k = 0; s != PD_NONE && k < BUILD_LOOKBACK; k++) {
		const struct pd_strategy *o = build_strategy(pb, s);

		if (build_items_code_is(pb, o, code, prefix))
			return s;
		s = o->prev;
	}
	return PD_NONE;
}

/* Where an initiative goes: the strategy its code names, else the one
 * above it, else the issue itself. */
static struct build_into
build_items_parent(struct build_state *pb, int32_t issue, const char *code)
{
	struct build_into own = { issue, PD_NONE };
	struct build_into cur = { issue, pb->issues.strategy };
	int32_t s;
	const char *dash;

	if (code[0] != '\0' && (dash = strrchr(code, '-')) != NULL) {
		s = build_items_strategy_for(pb, issue, code,
		    (size_t)(dash - code));
		if (s != PD_NONE) {
			pb->issues.strategy = s;
			return (struct build_into){ issue, s };
		}
		if (pb->issues.strategy != PD_NONE &&
		    issue == pb->issues.issue &&
		    build_strategy(pb, pb->issues.strategy)->code.off < 0)
			return cur;
		return own;
	}
	if (pb->issues.strategy != PD_NONE && issue == pb->issues.issue)
		return cur;
	return own;
}

int
build_items_symbol_ok(const struct build_state *pb, const struct marker *m,
    struct span rest, int level)
{
	struct budget b[2];
	size_t first, after;

	if (!m->symbol)
		return 1;
	if (pb->sect != S_ISSUES || pb->issues.issue == PD_NONE)
		return 0;
	if (level > 0 || !pb->issues.coded)
		return 1;
	return budget_scan(rest, BUDGET_ANYWHERE, b, 2, &first, &after) > 0;
}

static void
build_items_issue(struct build_state *pb, const struct marker *m,
    const struct build_item_parts *p)
{
	build_items_new_issue(pb, m->number, p->title);
	/* no title: the next line or heading is (## 経営課題2 then # title);
	 * only then is title_level learnt */
	pb->issues.await_title = p->title.n == 0;
	build_target_start(pb, T_SUMMARY, p->body);
}

/* A new strategy at the end of issue's chain. */
static void
build_items_new_strategy(struct build_state *pb, int32_t issue,
    struct pd_str code, struct pd_str title)
{
	int32_t i = plandoc_push(pb->doc, &pb->doc->strategies,
	    sizeof(struct pd_strategy));
	struct pd_strategy *o;
	struct pd_chain *c;

	pb->issues.strategy = i;
	if (i == PD_NONE || issue == PD_NONE)
		return;
	o = build_strategy(pb, i);
	o->code = code;
	o->title = title;
	o->body = pd_null();
	o->initiatives = build_items_chain();
	o->next = PD_NONE;
	c = &build_issue(pb, issue)->strategies;
	o->prev = c->tail;
	build_items_append(c, c->tail != PD_NONE ?
	    &build_strategy(pb, c->tail)->next : NULL, i);
}

static void
build_items_strategy(struct build_state *pb, const struct marker *m,
    const struct build_item_parts *p)
{
	int32_t issue;
	struct pd_str code;

	pb->issues.await_title = 0;
	issue = build_items_issue_for(pb, m->code);
	if (m->code[0])
		pb->issues.coded = 1;
	if (p->nb > 0 && m->symbol) {
		/* ☆ with its own budget: an issue-level item */
		pb->issues.strategy = PD_NONE;
		build_items_new_initiative(pb, (struct build_into){ issue,
		    PD_NONE }, pd_null(), build_str(pb, p->title), p->b, p->nb);
		build_target_start(pb, T_INITIATIVE, p->body);
		return;
	}
	code = m->code[0] ? build_cstr(pb, m->code) : pd_null();
	build_items_new_strategy(pb, issue, code, build_str(pb, p->title));
	pb->issues.item = PD_NONE;
	pb->st->items++;
	if (m->code[0])
		pb->st->coded++;
	build_target_start(pb, T_STRATEGY, p->body);
}

static void
build_items_initiative(struct build_state *pb, const struct marker *m,
    const struct build_item_parts *p)
{
	int32_t issue;
	struct build_into into;
	struct pd_str code;

	pb->issues.await_title = 0;
	issue = build_items_issue_for(pb, m->code);
	if (m->code[0])
		pb->issues.coded = 1;
	into = build_items_parent(pb, issue, m->code);
	code = m->code[0] ? build_cstr(pb, m->code) : pd_null();
	build_items_new_initiative(pb, into, code, build_str(pb, p->title),
	    p->b, p->nb);
	build_target_start(pb, T_INITIATIVE, p->body);
}

void
build_items_marker(struct build_state *pb, const struct marker *m,
    struct span rest, int in_table)
{
	struct build_item_parts p;

	build_target_flush(pb);
	if (pb->nitems >= BUILD_MAX_ITEMS)
		return;		/* over the cap: ignored, text dropped */
	pb->nitems++;
	/* not the budgets (8 × 112 bytes, zeroed on every marker before):
	 * budget_scan fills the nb that are read */
	p.title = p.body = (struct span){ NULL, 0 };
	p.nb = 0;
	build_items_parts(m, rest, in_table, &p);
	switch (m->kind) {
	case MARK_ISSUE:
		build_items_issue(pb, m, &p);
		break;
	case MARK_STRATEGY:
		build_items_strategy(pb, m, &p);
		break;
	case MARK_INITIATIVE:
		build_items_initiative(pb, m, &p);
		break;
	case MARK_REFORM:
	default:
		break;
	}
}
