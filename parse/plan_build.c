/*
 * plan_build.c: the line-by-line state machine that turns normalised text
 * into the plan JSON (shared/spec/plan-json.md): sections, issues,
 * strategies, initiatives with budgets, reforms, evaluation, the council
 * figures and the contact block.  One pass, bounded look-ups only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "text.h"
#include "era.h"
#include "budget.h"
#include "markers.h"
#include "classify.h"
#include "plan_build.h"

#define PB_MAX_BUDGETS	8
#define PB_LOOKBACK	64	/* bounded searches keep the pass linear */
#define PB_MAX_ITEMS	20000	/* issues+strategies+initiatives+reforms;
				 * real plans have a few hundred at most: the
				 * cap bounds time and memory on junk */

enum pb_sect { S_PRE, S_PLAN, S_ISSUES, S_REFORMS, S_EVAL, S_COUNCIL,
	S_CONTACT, S_DONE };
enum pb_tgt { T_NONE, T_GOALS, T_MISSIONS, T_POLICIES, T_SUMMARY,
	T_STRATEGY, T_INITIATIVE, T_REFORM, T_ACHIEVE, T_CHALLENGE,
	T_COUNCIL };

struct pb {
	json_t	*title, *org, *year, *year_label, *stage, *head, *date, *page;
	json_t	*goals, *missions, *policies, *issues, *reforms, *contact;
	json_t	*issue, *strategy, *item, *reform;	/* borrowed */
	enum pb_sect sect;
	enum pb_tgt tgt;
	struct sbuf text;	/* body (or open list item) of the target */
	struct sbuf ach, chal, council;
	char	 col_label[96];
	long long col_unit;	/* unit of bare numbers in an amount column */
	long	 last_number;
	int	 title_level;	/* Markdown level of issue title headings */
	int	 await_title;	/* issue heading seen, title not yet */
	int	 issue_coded;	/* current issue has coded items */
	int	 list_open;
	int	 prev_blank;
	int	 contact_lines;
	int	 lines;
	int	 nitems;	/* objects created, capped at PB_MAX_ITEMS */
	struct classify_noise noise;
	struct plan_stats *st;
};

/* ---- small JSON helpers ---------------------------------------------- */

static json_t *
pb_str(struct span s)
{
	json_t *j = text_json(s);

	return j ? j : json_null();
}

/* A body built by text_add_words: already collapsed and trimmed. */
static json_t *
pb_sbuf_str(struct sbuf *b)
{
	json_t *j;

	if (b->len == 0 || b->oom)
		return json_null();
	j = json_stringn_nocheck(b->p, b->len);
	return j ? j : json_null();
}

static void
pb_set(json_t *obj, const char *key, json_t *v)
{
	if (obj != NULL)
		json_object_set_new_nocheck(obj, key, v ? v : json_null());
	else
		json_decref(v);
}

/* ---- text targets ---------------------------------------------------- */

static json_t *
pb_list(struct pb *pb)
{
	switch (pb->tgt) {
	case T_GOALS: return pb->goals;
	case T_MISSIONS: return pb->missions;
	case T_POLICIES: return pb->policies;
	default: return NULL;
	}
}

/* Ends the open list item. */
static void
pb_list_close(struct pb *pb)
{
	json_t *l = pb_list(pb), *j;

	if (l != NULL && pb->text.len > 0 && pb->nitems < PB_MAX_ITEMS) {
		pb->nitems++;
		j = text_json((struct span){ pb->text.p, pb->text.len });
		if (j != NULL) {
			json_array_append_new(l, j);
			pb->st->sections++;
		}
	}
	sbuf_reset(&pb->text);
	pb->list_open = 0;
}

static void
pb_flush(struct pb *pb)
{
	switch (pb->tgt) {
	case T_GOALS:
	case T_MISSIONS:
	case T_POLICIES:
		pb_list_close(pb);
		break;
	case T_SUMMARY:
		if (pb->text.len > 0)
			pb_set(pb->issue, "summary", pb_sbuf_str(&pb->text));
		break;
	case T_STRATEGY:
		if (pb->text.len > 0)
			pb_set(pb->strategy, "body", pb_sbuf_str(&pb->text));
		break;
	case T_INITIATIVE:
		if (pb->text.len > 0)
			pb_set(pb->item, "body", pb_sbuf_str(&pb->text));
		break;
	case T_REFORM:
		if (pb->text.len > 0)
			pb_set(pb->reform, "body", pb_sbuf_str(&pb->text));
		break;
	default:
		break;
	}
	sbuf_reset(&pb->text);
	pb->tgt = T_NONE;
	pb->list_open = 0;
}

static int
pb_is_bullet_at(struct span s, size_t *len)
{
	static const char *const marks[] = { "・", "•", "●", "○", "◎", "◆",
	    "■", "◇", "□", "◯", "☆", "★", "▶", "➢", NULL };
	size_t i;

	for (i = 0; marks[i] != NULL; i++)
		if (text_starts(s, marks[i])) {
			*len = strlen(marks[i]);
			return 1;
		}
	if (s.n >= 2 && (s.p[0] == '-' || s.p[0] == '*' || s.p[0] == '+') &&
	    s.p[1] == ' ') {
		*len = 2;
		return 1;
	}
	return 0;
}

/* goals / missions / policies: one item per bullet or paragraph. */
static void
pb_list_text(struct pb *pb, struct span s, int indented)
{
	size_t i = 0, start = 0, blen = 0, adv;
	int at_ws = 1, first = 1;

	s = text_trim(s);
	for (;;) {
		int bullet = i < s.n && at_ws &&
		    pb_is_bullet_at(text_skip(s, i), &blen);

		if (bullet || i >= s.n) {
			struct span chunk = text_trim((struct span){ s.p + start,
			    i - start });
			if (chunk.n > 0) {
				if (!(first && pb->list_open && !indented &&
				    !pb->prev_blank))
					pb_list_close(pb);
				/* else: a wrapped line continues the item */
				sbuf_add(&pb->text, chunk.p, chunk.n);
				pb->list_open = 1;
			}
			first = 0;
			if (i >= s.n)
				break;
			pb_list_close(pb);
			i += blen;
			start = i;
			at_ws = 0;
			continue;
		}
		at_ws = text_is_space_cp(text_cp(s.p + i, s.n - i, &adv));
		i += adv;
	}
}

static void
pb_text(struct pb *pb, struct span s, int indented)
{
	s = text_trim(s);
	if (s.n == 0)
		return;
	switch (pb->tgt) {
	case T_GOALS:
	case T_MISSIONS:
	case T_POLICIES:
		pb_list_text(pb, s, indented);
		break;
	case T_SUMMARY:
	case T_STRATEGY:
	case T_INITIATIVE:
	case T_REFORM:
		text_add_words(&pb->text, s.p, s.n);
		break;
	case T_ACHIEVE:
		text_add_words(&pb->ach, s.p, s.n);
		break;
	case T_CHALLENGE:
		text_add_words(&pb->chal, s.p, s.n);
		break;
	case T_COUNCIL:
		text_add_words(&pb->council, s.p, s.n);
		break;
	default:
		break;
	}
}

/* ---- items ------------------------------------------------------------ */

static json_t *
pb_new_issue(struct pb *pb, long number, struct span title)
{
	json_t *o = json_object();

	if (number < 0 && pb->last_number > 0)
		number = pb->last_number + 1;
	json_object_set_new_nocheck(o, "number", number >= 0 ? json_integer(number) :
	    json_null());
	json_object_set_new_nocheck(o, "title", pb_str(title));
	json_object_set_new_nocheck(o, "summary", json_null());
	json_object_set_new_nocheck(o, "strategies", json_array());
	json_object_set_new_nocheck(o, "initiatives", json_array());
	json_array_append_new(pb->issues, o);
	if (number >= 0)
		pb->last_number = number;
	pb->issue = o;
	pb->strategy = NULL;
	pb->item = NULL;
	pb->issue_coded = 0;
	pb->sect = S_ISSUES;
	pb->st->issues++;
	return o;
}

static long
pb_issue_number(json_t *issue)
{
	json_t *n = json_object_get(issue, "number");

	return json_is_integer(n) ? (long)json_integer_value(n) : -1;
}

/* The issue an item with code "N-…" belongs to. */
static json_t *
pb_issue_for(struct pb *pb, const char *code)
{
	long n = -1;
	size_t i, cnt;

	if (code[0] != '\0')
		n = strtol(code, NULL, 10);
	if (pb->issue == NULL) {
		struct span none = { "", 0 };
		if (n >= 0 && pb->last_number == 0)
			pb->last_number = 0;
		return pb_new_issue(pb, n, none);
	}
	if (n < 0 || pb_issue_number(pb->issue) == n)
		return pb->issue;
	cnt = json_array_size(pb->issues);
	for (i = cnt; i > 0 && cnt - i < PB_LOOKBACK; i--) {
		json_t *is = json_array_get(pb->issues, i - 1);
		if (pb_issue_number(is) == n)
			return is;
	}
	return pb->issue;
}

static json_t *
pb_budgets_json(struct pb *pb, const struct budget *b, size_t nb)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < nb; i++) {
		json_t *o = json_object();
		const char *label = b[i].label[0] ? b[i].label :
		    pb->col_label[0] ? pb->col_label : NULL;
		json_object_set_new_nocheck(o, "label", label ? json_string(label) :
		    json_null());
		json_object_set_new_nocheck(o, "amount_yen", b[i].has_amount ?
		    json_integer(b[i].amount) : json_null());
		json_array_append_new(a, o);
		pb->st->budgets++;
	}
	return a;
}

/* Splits "title body…" at the first white space when the rest reads as a
 * body (in a table cell, or a sentence, or long). */
static void
pb_split_title(struct span r, int in_table, struct span *title,
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

struct pb_parts {
	struct span title, body;
	struct budget b[PB_MAX_BUDGETS];
	size_t	 nb;
};

static void
pb_item_parts(const struct marker *m, struct span rest, int in_table,
    struct pb_parts *p)
{
	size_t first, after;
	struct span r = text_trim(rest);

	p->nb = budget_scan(r, p->b, PB_MAX_BUDGETS, &first, &after);
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
	pb_split_title(r, in_table, &p->title, &p->body);
}

static void
pb_start_body(struct pb *pb, enum pb_tgt tgt, struct span body)
{
	pb->tgt = tgt;
	sbuf_reset(&pb->text);
	body = text_trim(body);
	if (body.n > 0)
		text_add_words(&pb->text, body.p, body.n);
}

static json_t *
pb_new_initiative(struct pb *pb, json_t *into, const char *code,
    json_t *title, const struct budget *b, size_t nb)
{
	json_t *o = json_object();

	json_object_set_new_nocheck(o, "code", code && code[0] ? json_string(code) :
	    json_null());
	json_object_set_new_nocheck(o, "title", title);
	json_object_set_new_nocheck(o, "body", json_null());
	json_object_set_new_nocheck(o, "budgets", pb_budgets_json(pb, b, nb));
	json_array_append_new(into, o);
	pb->item = o;
	pb->st->items++;
	if (code && code[0])
		pb->st->coded++;
	return o;
}

/* Where an initiative goes: the strategy its code names, else the one
 * above it, else the issue itself. */
static json_t *
pb_parent(struct pb *pb, json_t *issue, const char *code)
{
	json_t *strats = json_object_get(issue, "strategies"), *s;
	size_t i, cnt = json_array_size(strats);
	const char *dash;

	if (code[0] != '\0' && (dash = strrchr(code, '-')) != NULL) {
		size_t pl = (size_t)(dash - code);
		for (i = cnt; i > 0 && cnt - i < PB_LOOKBACK; i--) {
			const char *c;
			s = json_array_get(strats, i - 1);
			c = json_string_value(json_object_get(s, "code"));
			if (c != NULL && strlen(c) == pl &&
			    strncmp(c, code, pl) == 0) {
				pb->strategy = s;
				return json_object_get(s, "initiatives");
			}
		}
		if (pb->strategy != NULL && issue == pb->issue &&
		    json_is_null(json_object_get(pb->strategy, "code")))
			return json_object_get(pb->strategy, "initiatives");
		return json_object_get(issue, "initiatives");
	}
	if (pb->strategy != NULL && issue == pb->issue)
		return json_object_get(pb->strategy, "initiatives");
	return json_object_get(issue, "initiatives");
}

static void
pb_marker(struct pb *pb, const struct marker *m, struct span rest,
    int in_table)
{
	struct pb_parts p;
	json_t *issue;

	pb_flush(pb);
	if (pb->nitems >= PB_MAX_ITEMS)
		return;		/* over the cap: ignored, text dropped */
	pb->nitems++;
	memset(&p, 0, sizeof(p));
	pb_item_parts(m, rest, in_table, &p);
	switch (m->kind) {
	case MARK_ISSUE:
		pb_new_issue(pb, m->number, p.title);
		/* no title: the next line or heading is (## 経営課題2 then
		 * # title); only then is title_level learnt */
		pb->await_title = p.title.n == 0;
		pb_start_body(pb, T_SUMMARY, p.body);
		break;
	case MARK_STRATEGY:
		pb->await_title = 0;
		issue = pb_issue_for(pb, m->code);
		if (m->code[0])
			pb->issue_coded = 1;
		if (p.nb > 0 && m->symbol) {
			/* ☆ with its own budget: an issue-level item */
			pb->strategy = NULL;
			pb_new_initiative(pb, json_object_get(issue,
			    "initiatives"), NULL, pb_str(p.title), p.b, p.nb);
			pb_start_body(pb, T_INITIATIVE, p.body);
			break;
		}
		{
			json_t *o = json_object();
			json_object_set_new_nocheck(o, "code", m->code[0] ?
			    json_string(m->code) : json_null());
			json_object_set_new_nocheck(o, "title", pb_str(p.title));
			json_object_set_new_nocheck(o, "body", json_null());
			json_object_set_new_nocheck(o, "initiatives", json_array());
			json_array_append_new(json_object_get(issue,
			    "strategies"), o);
			pb->strategy = o;
			pb->item = NULL;
			pb->st->items++;
			if (m->code[0])
				pb->st->coded++;
		}
		pb_start_body(pb, T_STRATEGY, p.body);
		break;
	case MARK_INITIATIVE:
		pb->await_title = 0;
		issue = pb_issue_for(pb, m->code);
		if (m->code[0])
			pb->issue_coded = 1;
		pb_new_initiative(pb, pb_parent(pb, issue, m->code), m->code,
		    pb_str(p.title), p.b, p.nb);
		pb_start_body(pb, T_INITIATIVE, p.body);
		break;
	case MARK_REFORM:
	default:
		break;
	}
}

/* A budget printed on its own: belongs to the item above. */
static void
pb_budget_only(struct pb *pb, const struct budget *b, size_t nb)
{
	json_t *arr, *o, *strats, *issue = pb->issue;

	if (pb->tgt == T_INITIATIVE && pb->item != NULL) {
		json_t *bj = pb_budgets_json(pb, b, nb);
		json_array_extend(json_object_get(pb->item, "budgets"), bj);
		json_decref(bj);
		return;
	}
	if (pb->tgt != T_STRATEGY || pb->strategy == NULL || issue == NULL ||
	    json_array_size(json_object_get(pb->strategy, "initiatives")) > 0)
		return;
	/* the strategy was an item with a budget and no children */
	strats = json_object_get(issue, "strategies");
	o = pb->strategy;
	arr = json_object_get(issue, "initiatives");
	pb->st->items--;
	pb_new_initiative(pb, arr, json_string_value(json_object_get(o,
	    "code")), json_incref(json_object_get(o, "title")), b, nb);
	if (json_array_size(strats) > 0 &&
	    json_array_get(strats, json_array_size(strats) - 1) == o)
		json_array_remove(strats, json_array_size(strats) - 1);
	pb->strategy = NULL;
	pb->tgt = T_INITIATIVE;
}

/* ---- reforms ---------------------------------------------------------- */

/* Splits "title (改革の柱3-3(4))" into title and ref. */
static void
pb_reform_title(struct span t, struct span *title, struct span *ref)
{
	const char *p = text_find(t, "(改革の柱");
	size_t i, depth = 0;

	if (p == NULL)
		p = text_find(t, "(柱");
	*title = text_trim(t);
	ref->p = NULL;
	ref->n = 0;
	if (p == NULL)
		return;
	for (i = (size_t)(p - t.p); i < t.n; i++) {
		if (t.p[i] == '(')
			depth++;
		else if (t.p[i] == ')' && --depth == 0)
			break;
	}
	ref->p = p + 1;
	ref->n = i - (size_t)(p - t.p) - 1;
	*title = text_trim((struct span){ t.p, (size_t)(p - t.p) });
	*ref = text_trim(*ref);
}

static void
pb_new_reform(struct pb *pb, struct span t, struct span body)
{
	struct span title, ref;
	json_t *o;

	pb_flush(pb);
	if (pb->nitems >= PB_MAX_ITEMS)
		return;
	pb->nitems++;
	pb_reform_title(t, &title, &ref);
	if (title.n == 0 || (title.n == 1 && title.p[0] == '-'))
		return;
	o = json_object();
	json_object_set_new_nocheck(o, "title", pb_str(title));
	json_object_set_new_nocheck(o, "ref", ref.n ? pb_str(ref) : json_null());
	json_object_set_new_nocheck(o, "body", json_null());
	json_array_append_new(pb->reforms, o);
	pb->reform = o;
	pb->st->reforms++;
	pb_start_body(pb, T_REFORM, body);
}

static struct span
pb_reform_head(struct span c)
{
	struct marker m;

	if (markers_match(c, &m) && m.kind == MARK_REFORM)
		return m.title.n ? m.title : text_trim(m.rest);
	return text_trim(c);
}

/* ---- contact ---------------------------------------------------------- */

static json_t *
pb_phone(struct span s, const char *word)
{
	const char *w = text_find(s, word);
	struct span t;
	size_t n = 0;

	if (w == NULL)
		return NULL;
	t = text_skip(s, (size_t)(w - s.p) + strlen(word));
	t = text_skip_lit(t, "番号");
	t = text_skip_spaces(t);
	t = text_skip_spaces(text_skip_lit(t, ":"));
	while (n < t.n && ((t.p[n] >= '0' && t.p[n] <= '9') || t.p[n] == '-' ||
	    t.p[n] == '(' || t.p[n] == ')'))
		n++;
	if (n == 0)
		return NULL;
	return json_stringn(t.p, n);
}

static void
pb_contact_line(struct pb *pb, struct span s)
{
	json_t *v;

	if (classify_line_ctx(&pb->noise, s) == LINE_NOISE ||
	    pb->contact_lines > 8) {
		pb->sect = S_DONE;
		return;
	}
	pb->contact_lines++;
	if (pb->contact == NULL) {
		pb->contact = json_object();
		json_object_set_new_nocheck(pb->contact, "office", json_null());
		json_object_set_new_nocheck(pb->contact, "phone", json_null());
		json_object_set_new_nocheck(pb->contact, "fax", json_null());
		json_object_set_new_nocheck(pb->contact, "address", json_null());
	}
	if (text_find(s, "電話") || text_find(s, "ファックス") ||
	    text_find(s, "FAX") || text_find(s, "Fax") ||
	    text_find(s, "TEL") || text_find(s, "Tel")) {
		if ((v = pb_phone(s, "電話")) != NULL ||
		    (v = pb_phone(s, "TEL")) != NULL ||
		    (v = pb_phone(s, "Tel")) != NULL)
			json_object_set_new_nocheck(pb->contact, "phone", v);
		if ((v = pb_phone(s, "ファックス")) != NULL ||
		    (v = pb_phone(s, "FAX")) != NULL ||
		    (v = pb_phone(s, "Fax")) != NULL)
			json_object_set_new_nocheck(pb->contact, "fax", v);
		return;
	}
	if (text_starts(s, "住所") || text_starts(s, "所在地") ||
	    (text_starts(s, "〒") && json_is_null(json_object_get(pb->contact,
	    "address")))) {
		struct span a = s;
		if (!text_starts(a, "〒")) {
			a = text_skip_lit(text_skip_lit(a, "住所"), "所在地");
			a = text_skip_spaces(text_skip_lit(
			    text_skip_spaces(a), ":"));
		}
		json_object_set_new_nocheck(pb->contact, "address", pb_str(a));
		return;
	}
	if (text_starts(s, "メール") || text_starts(s, "E-mail"))
		return;
	if (json_is_null(json_object_get(pb->contact, "office")) &&
	    pb->contact_lines <= 2)
		json_object_set_new_nocheck(pb->contact, "office", pb_str(s));
}

/* ---- meta lines -------------------------------------------------------- */

static void
pb_title(struct pb *pb, struct span s)
{
	struct year_label yl;
	struct span org = { NULL, 0 }, t;
	const char *h;

	s = text_trim(s);
	if (text_starts(s, "【") && text_ends(s, "】")) {
		s = text_skip(s, strlen("【"));
		s.n -= strlen("】");
	}
	pb->title = pb_str(s);
	pb->st->has_title = 1;
	if (era_find_year(s, &yl)) {
		pb->year = json_integer(yl.year);
		pb->year_label = json_string(yl.label);
	}
	h = text_find(s, "運営方針");
	if (h != NULL) {
		if (yl.year && yl.start < (size_t)(h - s.p)) {
			t = yl.rest;
			org.p = t.p;
			org.n = (size_t)(h - t.p);
		} else {
			org.p = s.p;
			org.n = (size_t)(h - s.p);
		}
		org = text_trim(org);
		/* 大阪市西区 -> 西区, but 大阪市会事務局 stays as printed */
		if (text_starts(org, "大阪市") && text_ends(org, "区") &&
		    org.n > strlen("大阪市区"))
			org = text_trim(text_skip_lit(org, "大阪市"));
	}
	if (org.n > 0 && text_cp_count(org) <= 20) {
		json_t *o = json_object();
		const char *kind = text_ends(org, "区") ? "ward" :
		    text_ends(org, "局") ? "bureau" : NULL;
		json_object_set_new_nocheck(o, "name", pb_str(org));
		json_object_set_new_nocheck(o, "kind", kind ? json_string(kind) :
		    json_null());
		pb->org = o;
	}
	pb->stage = json_string(text_find(s, "素案") ? "draft" :
	    text_find(s, "(案)") || text_find(s, "【案】") ||
	    text_find(s, "[案]") || text_ends(s, "案") ? "proposal" : "final");
}

/* Lines that only the preamble has; 1 if consumed. */
static int
pb_meta_line(struct pb *pb, struct span s)
{
	struct span role, name;
	int y, mo, d;

	if (s.n > 240)		/* meta lines are short */
		return 0;
	if (classify_title(s)) {
		if (pb->title == NULL && pb->sect <= S_PLAN && pb->issue == NULL)
			pb_title(pb, s);
		else
			pb_flush(pb);	/* a link back to the plan: noise */
		return 1;
	}
	if (pb->title != NULL && text_find(s, "運営方針") &&
	    text_cp_count(s) <= 60 && !text_find(s, "。") &&
	    era_find_year(s, &(struct year_label){ 0 }) &&
	    pb->tgt != T_GOALS && pb->tgt != T_MISSIONS && pb->tgt != T_POLICIES) {
		pb_flush(pb);		/* 運営方針(…更新) / 改定履歴 links */
		return 1;
	}
	if (pb->head == NULL && pb->issue == NULL &&
	    classify_head(s, &role, &name)) {
		pb->head = json_object();
		json_object_set_new_nocheck(pb->head, "role", pb_str(role));
		json_object_set_new_nocheck(pb->head, "name", pb_str(name));
		pb->st->has_head = 1;
		return 1;
	}
	if (pb->date == NULL && pb->issue == NULL && pb->sect <= S_PLAN &&
	    pb->tgt == T_NONE && era_parse_date(s, &y, &mo, &d)) {
		char buf[16];
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, mo, d);
		pb->date = json_string(buf);
		return 1;
	}
	if (text_starts(s, "ページ番号")) {
		struct span t = text_skip_spaces(text_skip(s,
		    strlen("ページ番号")));
		size_t n = 0;
		t = text_skip_spaces(text_skip_lit(t, ":"));
		while (n < t.n && t.p[n] >= '0' && t.p[n] <= '9')
			n++;
		if (n > 0 && pb->page == NULL)
			pb->page = json_stringn(t.p, n);
		return 1;
	}
	return 0;
}

/* 区の目標:安全なまち / 区の目標(何をめざすのか) 安全なまち: the text
 * after the heading on the same line is the first item. */
static void
pb_heading_rest(struct pb *pb, struct span s)
{
	const char *c = text_find(s, ":"), *p;
	struct span rest = { NULL, 0 };

	if (c != NULL)
		rest = text_skip(s, (size_t)(c - s.p) + 1);
	else if ((p = text_find(s, ")")) != NULL && text_find(s, "(") != NULL &&
	    text_find(s, "(") < p)
		rest = text_skip(s, (size_t)(p - s.p) + 1);
	rest = text_trim(rest);
	while (text_starts(rest, "】") || text_starts(rest, "≫"))
		rest = text_trim(text_skip(rest, 3));
	if (rest.n > 0 && !text_starts(rest, "("))
		pb_list_text(pb, rest, 1);
}

/* Section headings; 1 if s was one. */
static int
pb_heading(struct pb *pb, enum line_kind k, struct span s)
{
	switch (k) {
	case LINE_NOISE:
		pb_flush(pb);
		return 1;
	case LINE_GOALS:
	case LINE_MISSIONS:
	case LINE_POLICIES:
		if (pb->sect >= S_ISSUES && pb->sect != S_REFORMS &&
		    pb->issue != NULL)
			return 0;
		pb_flush(pb);
		pb->sect = S_PLAN;
		pb->tgt = k == LINE_GOALS ? T_GOALS : k == LINE_MISSIONS ?
		    T_MISSIONS : T_POLICIES;
		pb_heading_rest(pb, s);
		return 1;
	case LINE_ISSUES:
		pb_flush(pb);
		pb->sect = S_ISSUES;
		return 1;
	case LINE_REFORMS:
		pb_flush(pb);
		pb->sect = S_REFORMS;
		pb->reform = NULL;
		return 1;
	case LINE_EVAL:
		pb_flush(pb);
		pb->sect = S_EVAL;
		return 1;
	case LINE_ACHIEVE:
	case LINE_CHALLENGE:
		pb_flush(pb);
		pb->sect = S_EVAL;
		pb->tgt = k == LINE_ACHIEVE ? T_ACHIEVE : T_CHALLENGE;
		return 1;
	case LINE_COUNCIL:
		pb_flush(pb);
		pb->sect = S_COUNCIL;
		pb->tgt = T_COUNCIL;
		return 1;
	case LINE_CONTACT:
		pb_flush(pb);
		pb->sect = S_CONTACT;
		pb->contact_lines = 0;
		return 1;
	case LINE_PLAN:
		pb_flush(pb);
		return 1;
	case LINE_COLHEAD:
		/* 経営課題の概要 as a label under the issue's own marker
		 * introduces its summary: keep collecting it */
		if (pb->tgt == T_SUMMARY && text_starts(s, "経営課題の概要") &&
		    text_cp_count(s) <= 8)
			return 1;
		pb_flush(pb);
		budget_column_label(s, pb->col_label, sizeof(pb->col_label));
		return 1;
	default:
		return 0;
	}
}

/* ---- segments: markers and text within a line or cell ------------------ */

static int
pb_symbol_ok(struct pb *pb, const struct marker *m, struct span rest,
    int level)
{
	struct budget b[2];
	size_t first, after;

	if (!m->symbol)
		return 1;
	if (pb->sect != S_ISSUES || pb->issue == NULL)
		return 0;
	if (level > 0 || !pb->issue_coded)
		return 1;
	return budget_scan(rest, b, 2, &first, &after) > 0;
}

/* A table cell holding only an amount (5,237 / 12,000千円 / -) under an
 * initiative that has no budget yet: its budget, in the column's unit. */
static int
pb_amount_cell(struct pb *pb, struct span s, struct budget *b)
{
	size_t used;
	int has, r;
	long long yen;

	if (pb->tgt != T_INITIATIVE || pb->item == NULL || s.n > 40 ||
	    json_array_size(json_object_get(pb->item, "budgets")) > 0)
		return 0;
	r = budget_parse_amount(s, &has, &yen, &used);
	if (r == 0 || used != s.n || (r == 2 && (pb->col_unit == 0 ||
	    yen > 9000000000000000LL / pb->col_unit)))
		return 0;
	memset(b, 0, sizeof(*b));
	b->has_amount = has;
	b->amount = r == 2 ? yen * pb->col_unit : yen;
	return 1;
}

static int
pb_opens_bracket(struct span s)
{
	return text_starts(s, "(") || text_starts(s, "【") ||
	    text_starts(s, "《") || text_starts(s, "≪") || text_starts(s, "[") ||
	    text_starts(s, "〔") || text_starts(s, "<") || text_starts(s, "〈");
}

static void
pb_segments(struct pb *pb, struct span s, int level, int in_table,
    int indented)
{
	size_t pos = 0, next;
	struct marker m;

	s = text_trim(s);
	while (pos < s.n) {
		struct span t = text_skip(s, pos);
		if ((markers_match(t, &m) || (pos == 0 && level > 0 &&
		    pb->sect == S_ISSUES && markers_match_bare(t, &m))) &&
		    m.kind != MARK_REFORM &&
		    pb_symbol_ok(pb, &m, m.rest, level) &&
		    pb->sect != S_EVAL && pb->sect != S_COUNCIL) {
			size_t rs = (size_t)(m.rest.p - s.p);
			next = markers_next(s, rs);
			pb_marker(pb, &m, (struct span){ m.rest.p, next - rs },
			    in_table);
			pos = next;
			continue;
		}
		next = markers_next(s, pos + 1);
		{
			struct span txt = text_trim((struct span){ s.p + pos,
			    next - pos });
			struct budget b[PB_MAX_BUDGETS];
			size_t first, after, nb = 0;
			/* a budget printed on its own: only text that starts
			 * with a bracket can be one */
			if (pb->sect == S_ISSUES && pb_opens_bracket(txt))
				nb = budget_scan(txt, b, PB_MAX_BUDGETS, &first,
				    &after);
			if (nb == 0 && pb->sect == S_ISSUES &&
			    (pb->tgt == T_INITIATIVE || pb->tgt == T_STRATEGY) &&
			    txt.n <= 120 && budget_parse_inner(txt, &b[0]) &&
			    b[0].label[0] != '\0') {
				nb = 1;		/* 令和2年度予算額 1,000千円 */
				first = 0;
				after = txt.n;
			}
			if (nb == 0 && in_table && pb_amount_cell(pb, txt, b))
				nb = 1, first = 0, after = txt.n;
			if (nb > 0 && first == 0 && after == txt.n)
				pb_budget_only(pb, b, nb);
			else if (pb->await_title && pb->issue != NULL &&
			    text_cp_count(txt) <= 60 && !text_find(txt, "。")) {
				pb_set(pb->issue, "title", pb_str(txt));
				pb->await_title = 0;
			} else {
				pb->await_title = 0;
				pb_text(pb, txt, indented);
			}
		}
		pos = next;
	}
}

/* ---- lines ------------------------------------------------------------- */

static void
pb_reform_row(struct pb *pb, struct span *cells, size_t nc)
{
	struct sbuf body;
	size_t i;

	if (classify_line_ctx(NULL, cells[0]) == LINE_COLHEAD)
		return;
	sbuf_init(&body);
	for (i = 1; i < nc; i++)
		text_add_words(&body, cells[i].p, cells[i].n);
	pb_new_reform(pb, pb_reform_head(cells[0]),
	    (struct span){ body.p ? body.p : "", body.len });
	sbuf_free(&body);
}

static void
pb_text_line(struct pb *pb, struct span s, int indented, int in_table)
{
	enum line_kind k;
	int level;
	struct marker m;

	s = text_strip_heading(s, &level);
	if (s.n == 0)
		return;
	if (pb->lines++ < 12 && pb->st->negative == NULL && pb->title == NULL)
		pb->st->negative = classify_not_plan(s);
	if (pb->sect == S_CONTACT) {
		pb_contact_line(pb, s);
		return;
	}
	if (pb->sect == S_DONE)
		return;
	k = classify_line_ctx(in_table ? NULL : &pb->noise, s);
	if (k == LINE_EVAL && pb->sect == S_ISSUES && level == 0 &&
	    !text_starts(s, "◆") && !text_starts(s, "■") &&
	    !text_starts(s, "【")) {
		pb_flush(pb);	/* an item's own 自己評価 line, not ◆自己評価 */
		return;
	}
	if (k != LINE_TEXT && pb_heading(pb, k, s))
		return;
	if (pb_meta_line(pb, s))
		return;
	switch (pb->sect) {
	case S_EVAL:
	case S_COUNCIL:
		pb_text(pb, s, indented);
		return;
	case S_REFORMS:
		if (markers_match(s, &m) && m.kind == MARK_REFORM) {
			pb_new_reform(pb, pb_reform_head(s), (struct span){
			    "", 0 });
			return;
		}
		if (!(markers_match(s, &m) && m.kind == MARK_ISSUE)) {
			if (level > 0)
				pb_flush(pb);	/* another section */
			else
				pb_text(pb, s, indented);
			return;
		}
		break;
	default:
		break;
	}
	/* a Markdown heading without marker: an issue title */
	if (level > 0 && !markers_match(s, &m) && pb->issue != NULL) {
		if (pb->await_title) {
			pb_set(pb->issue, "title", pb_str(s));
			pb->await_title = 0;
			pb->title_level = level;
			return;
		}
		if (pb->sect == S_ISSUES && pb->title_level > 0 &&
		    level <= pb->title_level) {
			pb_flush(pb);
			if (pb->nitems >= PB_MAX_ITEMS)
				return;
			pb->nitems++;
			pb_new_issue(pb, -1, s);
			pb_start_body(pb, T_SUMMARY, (struct span){ "", 0 });
			return;
		}
	}
	/* any other heading in 様式2/3 is a section of its own (関連PDF,
	 * 指標…): it ends the body above and is not part of it */
	if (level > 0 && !in_table && (pb->sect == S_ISSUES ||
	    pb->sect == S_REFORMS) && !markers_match(s, &m) &&
	    !(pb->sect == S_ISSUES && pb->tgt != T_NONE &&
	    markers_match_bare(s, &m))) {
		pb_flush(pb);
		return;
	}
	pb_segments(pb, s, level, in_table, indented);
}

static void pb_line(struct pb *, struct span);

/* Markdown pipe table rows (| a | b |): rewritten as a tab row; the
 * |---|---| separator is dropped.  1 if the line was one. */
static int
pb_pipe_row(struct pb *pb, struct span line)
{
	struct span t = text_trim(line);
	struct sbuf row;
	size_t i, cells = 0;
	int only_rule = 1;

	if (t.n < 3 || t.p[0] != '|' || t.p[t.n - 1] != '|')
		return 0;
	sbuf_init(&row);
	for (i = 1; i < t.n; i++) {
		char c = t.p[i];
		if (c == '|') {
			if (i + 1 < t.n)
				sbuf_addc(&row, '\t');
			cells++;
			continue;
		}
		if (c != '-' && c != ':' && c != ' ')
			only_rule = 0;
		sbuf_addc(&row, c);
	}
	if (cells >= 1 && !only_rule && !row.oom) {
		/* "<br>" inside a cell was kept by the converter as a break */
		pb_line(pb, (struct span){ row.p, row.len });
	}
	sbuf_free(&row);
	return cells >= 1;
}

static void
pb_line(struct pb *pb, struct span line)
{
	struct span cells[64];
	size_t nc = 0, i, start = 0;
	int indented;

	if (text_trim(line).n == 0) {
		pb->prev_blank = 1;
		if (pb->tgt >= T_GOALS && pb->tgt <= T_POLICIES)
			pb->list_open = 0;
		return;
	}
	indented = line.p[0] == ' ';
	if (pb_pipe_row(pb, line))
		return;
	if (memchr(line.p, '\t', line.n) == NULL) {
		pb_text_line(pb, line, indented, 0);
		pb->prev_blank = 0;
		return;
	}
	for (i = 0; i <= line.n; i++) {
		if (i == line.n || line.p[i] == '\t') {
			if (nc < sizeof(cells) / sizeof(cells[0]))
				cells[nc++] = text_trim((struct span){
				    line.p + start, i - start });
			start = i + 1;
		}
	}
	while (nc > 0 && cells[nc - 1].n == 0)
		nc--;
	i = 0;
	while (i < nc && cells[i].n == 0)
		i++;
	if (nc - i == 1) {
		pb_text_line(pb, cells[i], 0, 0);
	} else if (nc > i) {
		int level;
		struct span c0 = text_strip_heading(cells[i], &level);
		enum line_kind k = classify_line_ctx(NULL, c0);
		if (k == LINE_COLHEAD || classify_line_ctx(NULL,
		    cells[nc - 1]) == LINE_COLHEAD) {
			size_t k2;
			pb_heading(pb, LINE_COLHEAD, c0);
			pb->col_unit = 0;
			for (k2 = i + 1; k2 < nc; k2++)
				budget_header_cell(cells[k2], pb->col_label,
				    sizeof(pb->col_label), &pb->col_unit);
		} else if (pb->sect == S_ISSUES && (k == LINE_EVAL ||
		    k == LINE_NOISE)) {
			/* 自己評価 | 順調, アウトカム指標 | …: an item's
			 * attribute row, not a section: it ends the body */
			pb_flush(pb);
		} else if (pb->sect == S_REFORMS) {
			pb_reform_row(pb, cells + i, nc - i);
		} else if (pb->sect == S_EVAL && nc - i == 2 &&
		    classify_line_ctx(NULL, cells[i]) == LINE_TEXT &&
		    classify_line_ctx(NULL, cells[i + 1]) == LINE_TEXT) {
			/* 取組成果 | 解決すべき課題 as two columns */
			text_add_words(&pb->ach, cells[i].p, cells[i].n);
			text_add_words(&pb->chal, cells[i + 1].p,
			    cells[i + 1].n);
		} else if (pb->sect == S_EVAL || pb->sect == S_COUNCIL ||
		    pb->sect == S_CONTACT) {
			size_t k2;
			for (k2 = i; k2 < nc; k2++)
				pb_text_line(pb, cells[k2], 0, 1);
		} else {
			size_t k2;
			for (k2 = i; k2 < nc; k2++)
				pb_text_line(pb, cells[k2], 0, 1);
		}
	}
	pb->prev_blank = 0;
}

/* ---- council figures --------------------------------------------------- */

/* Slot of a council figure from the words before it, else by order. */
static int
pb_council_slot(struct span ctx, const long long *v)
{
	int k;

	if (text_find(ctx, "除いた") && v[3] < 0)
		return 3;
	if (text_find(ctx, "固定") && v[1] < 0)
		return 1;
	if (text_find(ctx, "重点") && v[2] < 0)
		return 2;
	if (text_find(ctx, "全体") && v[0] < 0)
		return 0;
	for (k = 0; k < 4; k++)
		if (v[k] < 0)
			return k;
	return -1;
}

static json_t *
pb_council(struct pb *pb)
{
	struct span s = { pb->council.p ? pb->council.p : "", pb->council.len };
	long long v[4] = { -1, -1, -1, -1 };
	static const char *const keys[4] = { "total_yen", "fixed_yen",
	    "priority_yen", "base_yen" };
	size_t i = 0, prev = 0, k;
	double ratio = -1;
	int any = 0, d;
	json_t *o;

	while (i < s.n) {
		int has, slot;
		long long yen;
		size_t used;
		unsigned char c = (unsigned char)s.p[i];

		/* an amount with a unit (千円, 円, 万円…) starts at a digit
		 * that does not continue a number */
		if (!text_is_digit_cp(c, &d) || (i > 0 && (text_is_digit_cp(
		    (unsigned char)s.p[i - 1], &d) || s.p[i - 1] == ',' ||
		    s.p[i - 1] == '.'))) {
			i++;
			continue;
		}
		if (budget_parse_amount(text_skip(s, i), &has, &yen, &used) ==
		    1 && has) {
			slot = pb_council_slot((struct span){ s.p + prev,
			    i - prev }, v);
			if (slot >= 0) {
				v[slot] = yen;
				any = 1;
			}
			i += used;
			prev = i;
			continue;
		}
		i++;
	}
	{
		const char *w = text_find(s, "割合");
		struct span t = w ? text_skip(s, (size_t)(w - s.p)) : s;
		const char *pct = text_find(t, "%");
		if (pct != NULL) {
			const char *b = pct;
			while (b > t.p && ((b[-1] >= '0' && b[-1] <= '9') ||
			    b[-1] == '.' || b[-1] == ' ' || b[-1] == '*'))
				b--;
			while (b < pct && (*b == ' ' || *b == '*'))
				b++;
			if (b < pct) {
				char buf[32];
				size_t n = (size_t)(pct - b);
				if (n < sizeof(buf)) {
					memcpy(buf, b, n);
					buf[n] = '\0';
					ratio = strtod(buf, NULL);
					any = 1;
				}
			}
		}
	}
	if (!any)
		return json_null();
	o = json_object();
	for (k = 0; k < 4; k++)
		json_object_set_new_nocheck(o, keys[k], v[k] >= 0 ?
		    json_integer(v[k]) : json_null());
	json_object_set_new_nocheck(o, "ratio_percent", ratio >= 0 ?
	    json_real(ratio) : json_null());
	return o;
}

/* ---- assembly ----------------------------------------------------------- */

static json_t *
pb_or_null(json_t *j)
{
	return j ? j : json_null();
}

static json_t *
pb_finish(struct pb *pb)
{
	json_t *root = json_object();

	json_object_set_new_nocheck(root, "is_plan", json_true());
	json_object_set_new_nocheck(root, "title", pb_or_null(pb->title));
	json_object_set_new_nocheck(root, "org", pb_or_null(pb->org));
	json_object_set_new_nocheck(root, "fiscal_year", pb_or_null(pb->year));
	json_object_set_new_nocheck(root, "fiscal_year_label",
	    pb_or_null(pb->year_label));
	json_object_set_new_nocheck(root, "stage", pb_or_null(pb->stage));
	json_object_set_new_nocheck(root, "head", pb_or_null(pb->head));
	json_object_set_new_nocheck(root, "published_on", pb_or_null(pb->date));
	json_object_set_new_nocheck(root, "page_id", pb_or_null(pb->page));
	json_object_set_new_nocheck(root, "goals", pb->goals);
	json_object_set_new_nocheck(root, "missions", pb->missions);
	json_object_set_new_nocheck(root, "policies", pb->policies);
	json_object_set_new_nocheck(root, "issues", pb->issues);
	json_object_set_new_nocheck(root, "reforms", pb->reforms);
	if (pb->ach.len == 0 && pb->chal.len == 0)
		json_object_set_new_nocheck(root, "evaluation", json_null());
	else {
		json_t *e = json_object();
		json_object_set_new_nocheck(e, "achievements", pb_sbuf_str(&pb->ach));
		json_object_set_new_nocheck(e, "challenges", pb_sbuf_str(&pb->chal));
		json_object_set_new_nocheck(root, "evaluation", e);
	}
	json_object_set_new_nocheck(root, "council_reflection", pb_council(pb));
	json_object_set_new_nocheck(root, "contact", pb_or_null(pb->contact));
	return root;
}

json_t *
plan_build(const char *text, size_t n, struct plan_stats *st)
{
	struct pb pb;
	size_t i = 0;
	json_t *root;
	int oom;

	memset(&pb, 0, sizeof(pb));
	memset(st, 0, sizeof(*st));
	pb.st = st;
	classify_noise_init(&pb.noise);
	sbuf_init(&pb.text);
	sbuf_init(&pb.ach);
	sbuf_init(&pb.chal);
	sbuf_init(&pb.council);
	pb.goals = json_array();
	pb.missions = json_array();
	pb.policies = json_array();
	pb.issues = json_array();
	pb.reforms = json_array();
	while (i < n) {
		const char *nl = memchr(text + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - text) : n;
		pb_line(&pb, (struct span){ text + i, e - i });
		i = e + 1;
	}
	pb_flush(&pb);
	if (json_object_get(pb.contact, "office") != NULL &&
	    json_is_null(json_object_get(pb.contact, "office")) &&
	    json_is_null(json_object_get(pb.contact, "phone")) &&
	    json_is_null(json_object_get(pb.contact, "address"))) {
		json_decref(pb.contact);
		pb.contact = NULL;
	}
	oom = pb.text.oom || pb.ach.oom || pb.chal.oom || pb.council.oom;
	root = pb_finish(&pb);
	sbuf_free(&pb.text);
	sbuf_free(&pb.ach);
	sbuf_free(&pb.chal);
	sbuf_free(&pb.council);
	if (oom) {
		json_decref(root);
		return NULL;
	}
	return root;
}
