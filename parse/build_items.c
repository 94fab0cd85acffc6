/*
 * build_items.c: issues (経営課題), strategies (主な戦略) and initiatives
 * (具体的取組) from their markers: the title and body after a marker, its
 * budgets, and the parent an item belongs to (the strategy its code names,
 * else the one above it, else the issue itself).
 */
#include <stdlib.h>
#include <string.h>

#include "build.h"

struct build_item_parts {
	struct span title, body;
	struct budget b[BUILD_MAX_BUDGETS];
	size_t	 nb;
};

json_t *
build_items_new_issue(struct build_state *pb, long number, struct span title)
{
	json_t *o = json_object();

	if (number < 0 && pb->issues.last_number > 0)
		number = pb->issues.last_number + 1;
	json_object_set_new_nocheck(o, "number", number >= 0 ?
	    json_integer(number) : json_null());
	json_object_set_new_nocheck(o, "title", build_str(title));
	json_object_set_new_nocheck(o, "summary", json_null());
	json_object_set_new_nocheck(o, "strategies", json_array());
	json_object_set_new_nocheck(o, "initiatives", json_array());
	json_array_append_new(pb->issues.list, o);
	if (number >= 0)
		pb->issues.last_number = number;
	pb->issues.issue = o;
	pb->issues.strategy = NULL;
	pb->issues.item = NULL;
	pb->issues.coded = 0;
	pb->sect = S_ISSUES;
	pb->st->issues++;
	return o;
}

static long
build_items_issue_number(json_t *issue)
{
	json_t *n = json_object_get(issue, "number");

	return json_is_integer(n) ? (long)json_integer_value(n) : -1;
}

/* The issue an item with code "N-…" belongs to. */
static json_t *
build_items_issue_for(struct build_state *pb, const char *code)
{
	long n = -1;
	size_t i, cnt;

	if (code[0] != '\0')
		n = strtol(code, NULL, 10);
	if (pb->issues.issue == NULL) {
		struct span none = { "", 0 };
		if (n >= 0 && pb->issues.last_number == 0)
			pb->issues.last_number = 0;
		return build_items_new_issue(pb, n, none);
	}
	if (n < 0 || build_items_issue_number(pb->issues.issue) == n)
		return pb->issues.issue;
	cnt = json_array_size(pb->issues.list);
	for (i = cnt; i > 0 && cnt - i < BUILD_LOOKBACK; i--) {
		json_t *is = json_array_get(pb->issues.list, i - 1);
		if (build_items_issue_number(is) == n)
			return is;
	}
	return pb->issues.issue;
}

/* Splits "title body…" at the first white space when the rest reads as a
 * body (in a table cell, or a sentence, or long). */
static void
build_items_split_title(struct span r, int in_table, struct span *title,
    struct span *body)
{
	size_t i, adv;

	r = text_trim(r);
	*title = r;
	body->p = r.p + r.n;
	body->n = 0;
	for (i = 0; i < r.n; i += adv) {
		uint32_t cp = text_cp(r.p + i, r.n - i, &adv);
		if (text_is_space_cp(cp)) {
			struct span after = text_trim(text_skip(r, i));
			if (in_table || text_find(after, "。") ||
			    text_cp_count(after) >= 30) {
				title->n = i;
				*body = after;
			}
			return;
		}
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

	p->nb = budget_scan(r, p->b, BUILD_MAX_BUDGETS, &first, &after);
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

json_t *
build_items_new_initiative(struct build_state *pb, json_t *into,
    const char *code, json_t *title, const struct budget *b, size_t nb)
{
	json_t *o = json_object();

	json_object_set_new_nocheck(o, "code", code && code[0] ?
	    json_string(code) : json_null());
	json_object_set_new_nocheck(o, "title", title);
	json_object_set_new_nocheck(o, "body", json_null());
	json_object_set_new_nocheck(o, "budgets", build_budgets_json(pb, b, nb));
	json_array_append_new(into, o);
	pb->issues.item = o;
	pb->st->items++;
	if (code && code[0])
		pb->st->coded++;
	return o;
}

/* The strategy of issue whose code is the prefix of code (1-1-2 -> 1-1),
 * among the last BUILD_LOOKBACK; NULL if none. */
static json_t *
build_items_strategy_for(json_t *issue, const char *code, size_t prefix)
{
	json_t *strats = json_object_get(issue, "strategies"), *s;
	size_t i, cnt = json_array_size(strats);

	for (i = cnt; i > 0 && cnt - i < BUILD_LOOKBACK; i--) {
		const char *c;
		s = json_array_get(strats, i - 1);
		c = json_string_value(json_object_get(s, "code"));
		if (c != NULL && strlen(c) == prefix &&
		    strncmp(c, code, prefix) == 0)
			return s;
	}
	return NULL;
}

/* Where an initiative goes: the strategy its code names, else the one
 * above it, else the issue itself. */
static json_t *
build_items_parent(struct build_state *pb, json_t *issue, const char *code)
{
	json_t *s;
	const char *dash;

	if (code[0] != '\0' && (dash = strrchr(code, '-')) != NULL) {
		s = build_items_strategy_for(issue, code, (size_t)(dash - code));
		if (s != NULL) {
			pb->issues.strategy = s;
			return json_object_get(s, "initiatives");
		}
		if (pb->issues.strategy != NULL && issue == pb->issues.issue &&
		    json_is_null(json_object_get(pb->issues.strategy, "code")))
			return json_object_get(pb->issues.strategy,
			    "initiatives");
		return json_object_get(issue, "initiatives");
	}
	if (pb->issues.strategy != NULL && issue == pb->issues.issue)
		return json_object_get(pb->issues.strategy, "initiatives");
	return json_object_get(issue, "initiatives");
}

int
build_items_symbol_ok(const struct build_state *pb, const struct marker *m,
    struct span rest, int level)
{
	struct budget b[2];
	size_t first, after;

	if (!m->symbol)
		return 1;
	if (pb->sect != S_ISSUES || pb->issues.issue == NULL)
		return 0;
	if (level > 0 || !pb->issues.coded)
		return 1;
	return budget_scan(rest, b, 2, &first, &after) > 0;
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

static void
build_items_strategy(struct build_state *pb, const struct marker *m,
    const struct build_item_parts *p)
{
	json_t *issue, *o;

	pb->issues.await_title = 0;
	issue = build_items_issue_for(pb, m->code);
	if (m->code[0])
		pb->issues.coded = 1;
	if (p->nb > 0 && m->symbol) {
		/* ☆ with its own budget: an issue-level item */
		pb->issues.strategy = NULL;
		build_items_new_initiative(pb, json_object_get(issue,
		    "initiatives"), NULL, build_str(p->title), p->b, p->nb);
		build_target_start(pb, T_INITIATIVE, p->body);
		return;
	}
	o = json_object();
	json_object_set_new_nocheck(o, "code", m->code[0] ?
	    json_string(m->code) : json_null());
	json_object_set_new_nocheck(o, "title", build_str(p->title));
	json_object_set_new_nocheck(o, "body", json_null());
	json_object_set_new_nocheck(o, "initiatives", json_array());
	json_array_append_new(json_object_get(issue, "strategies"), o);
	pb->issues.strategy = o;
	pb->issues.item = NULL;
	pb->st->items++;
	if (m->code[0])
		pb->st->coded++;
	build_target_start(pb, T_STRATEGY, p->body);
}

static void
build_items_initiative(struct build_state *pb, const struct marker *m,
    const struct build_item_parts *p)
{
	json_t *issue;

	pb->issues.await_title = 0;
	issue = build_items_issue_for(pb, m->code);
	if (m->code[0])
		pb->issues.coded = 1;
	build_items_new_initiative(pb, build_items_parent(pb, issue, m->code),
	    m->code, build_str(p->title), p->b, p->nb);
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
	memset(&p, 0, sizeof(p));
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
