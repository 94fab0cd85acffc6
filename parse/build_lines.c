/*
 * build_lines.c: one line of normalised text at a time.  A line with tabs
 * (or a Markdown pipe-table row) is a table row whose cells are read left
 * to right; a line is a heading, a header fact, or text; text is cut into
 * segments at item markers, and each segment goes to the part of the plan
 * it belongs to.
 */
#include <string.h>

#include "build.h"

#define BUILD_LINES_MAX_CELLS		64
#define BUILD_LINES_NOT_PLAN_LINES	12	/* lines that may name 会議録… */
#define BUILD_LINES_ISSUE_TITLE_MAX	60	/* code points */

/* Whether m is a marker the pass acts on here. */
static int
build_lines_marker_ok(const struct build_state *pb, const struct marker *m,
    int level)
{
	return m->kind != MARK_REFORM &&
	    build_items_symbol_ok(pb, m, m->rest, level) &&
	    pb->sect != S_EVAL && pb->sect != S_COUNCIL;
}

/* The marker at the start of a line, matched once for the several
 * questions the line's handling asks of it (markers_match() reads only
 * the span). */
struct line_mark {
	int		 done, ok;
	struct marker	 m;
};

static int
build_lines_mark(struct line_mark *lm, struct span s, struct marker *m)
{
	if (!lm->done) {
		lm->ok = markers_match(s, &lm->m);
		lm->done = 1;
	}
	*m = lm->m;
	return lm->ok;
}

/* The awaited title of the current issue (## 経営課題2 then # title). */
static void
build_lines_issue_title(struct build_state *pb, struct span s)
{
	struct pd_str t = build_str(pb, s);

	if (pb->issues.issue != PD_NONE)
		build_issue(pb, pb->issues.issue)->title = t;
}

/* Text between markers: a budget of its own, the awaited issue title, or
 * text for the open target. */
static void
build_lines_text_segment(struct build_state *pb, struct span txt,
    int in_table, int indented)
{
	if (build_budgets_segment(pb, txt, in_table))
		return;
	if (pb->issues.await_title && pb->issues.issue != PD_NONE &&
	    text_cp_count(txt) <= BUILD_LINES_ISSUE_TITLE_MAX &&
	    !text_find(txt, "。")) {
		build_lines_issue_title(pb, txt);
		pb->issues.await_title = 0;
		return;
	}
	pb->issues.await_title = 0;
	build_target_text(pb, txt, indented);
}

/* The marker at the start of t: the one markers_next() found there
 * (ahead, in *ahead) or a fresh match. */
static int
build_lines_marker_at(const struct build_state *pb, struct span t,
    struct line_mark *first, int level, const struct marker *ahead,
    struct marker *m)
{
	if (ahead->kind != MARK_NONE) {
		*m = *ahead;
		return 1;
	}
	if (first == NULL)
		return markers_match(t, m);
	return build_lines_mark(first, t, m) || (level > 0 &&
	    pb->sect == S_ISSUES && markers_match_bare(t, m));
}

static void
build_lines_segments(struct build_state *pb, struct span s, int level,
    int in_table, int indented, struct line_mark *lm)
{
	size_t pos = 0, next;
	struct marker m, ahead;

	s = text_trim(s);
	ahead.kind = MARK_NONE;
	while (pos < s.n) {
		struct span t = text_skip(s, pos);
		if (build_lines_marker_at(pb, t, pos == 0 ? lm : NULL, level,
		    &ahead, &m) &&
		    build_lines_marker_ok(pb, &m, level)) {
			size_t rs = (size_t)(m.rest.p - s.p);
			next = markers_next(s, rs, &ahead);
			build_items_marker(pb, &m, (struct span){ m.rest.p,
			    next - rs }, in_table);
			pos = next;
			continue;
		}
		next = markers_next(s, pos + 1, &ahead);
		build_lines_text_segment(pb, text_trim((struct span){
		    s.p + pos, next - pos }), in_table, indented);
		pos = next;
	}
}

/* A line of the 市政改革 section; 1 if it was handled there, 0 if it is
 * an issue marker that the issues code takes. */
static int
build_lines_reform_line(struct build_state *pb, struct span s, int level,
    int indented, struct line_mark *lm)
{
	struct marker m;

	if (build_lines_mark(lm, s, &m) && m.kind == MARK_REFORM) {
		build_reforms_new(pb, build_reforms_head(s), (struct span){
		    "", 0 });
		return 1;
	}
	if (build_lines_mark(lm, s, &m) && m.kind == MARK_ISSUE)
		return 0;
	if (level > 0)
		build_target_flush(pb);		/* another section */
	else
		build_target_text(pb, s, indented);
	return 1;
}

/* A Markdown heading without a marker under an issue: the awaited issue
 * title, or the next unnumbered issue at the title headings' level; 1 if
 * it was one. */
static int
build_lines_issue_heading(struct build_state *pb, struct span s, int level)
{
	if (pb->issues.await_title) {
		build_lines_issue_title(pb, s);
		pb->issues.await_title = 0;
		pb->issues.title_level = level;
		return 1;
	}
	if (pb->sect != S_ISSUES || pb->issues.title_level <= 0 ||
	    level > pb->issues.title_level)
		return 0;
	build_target_flush(pb);
	if (pb->nitems >= BUILD_MAX_ITEMS)
		return 1;
	pb->nitems++;
	build_items_new_issue(pb, -1, s);
	build_target_start(pb, T_SUMMARY, (struct span){ "", 0 });
	return 1;
}

/* Any other heading in 様式2/3 is a section of its own (関連PDF, 指標…):
 * it ends the body above and is not part of it. */
static int
build_lines_other_heading(struct build_state *pb, struct span s, int level,
    int in_table, struct line_mark *lm)
{
	struct marker m;

	if (level == 0 || in_table || (pb->sect != S_ISSUES &&
	    pb->sect != S_REFORMS) || build_lines_mark(lm, s, &m))
		return 0;
	if (pb->sect == S_ISSUES && pb->tgt != T_NONE &&
	    markers_match_bare(s, &m))
		return 0;
	build_target_flush(pb);
	return 1;
}

/* An item's own 自己評価 line inside the issues, not ◆自己評価. */
static int
build_lines_item_eval(const struct build_state *pb, enum line_kind k,
    struct span s, int level)
{
	return k == LINE_EVAL && pb->sect == S_ISSUES && level == 0 &&
	    !text_starts(s, "◆") && !text_starts(s, "■") &&
	    !text_starts(s, "【");
}

/* What the line is by its words: an item's 自己評価, a heading or a
 * header fact; 1 if it was taken as one. */
static int
build_lines_classified(struct build_state *pb, struct span s, int level,
    int in_table)
{
	enum line_kind k = classify_line_ctx(in_table ? NULL : &pb->noise, s);

	if (build_lines_item_eval(pb, k, s, level)) {
		build_target_flush(pb);
		return 1;
	}
	if (k != LINE_TEXT && build_target_heading(pb, k, s))
		return 1;
	return build_header_line(pb, s);
}

/* A list marker in front of an item marker (• 【経営課題1】…, - 経営課題2
 * …, 1. 【1-1 …】: a scraped page's own list) is not part of the item. */
static struct span
build_lines_unbullet(struct span s)
{
	size_t mark = classify_item_mark(s);
	struct marker m;

	if (mark > 0 && markers_match(text_skip(s, mark), &m) &&
	    m.kind != MARK_NONE)
		return text_skip(s, mark);
	return s;
}

static void
build_lines_text_line(struct build_state *pb, struct span s, int indented,
    int in_table)
{
	int level;
	struct marker m;
	struct line_mark lm;	/* filled on first use (build_lines_mark) */

	lm.done = 0;
	s = build_lines_unbullet(text_strip_heading(s, &level));
	if (s.n == 0)
		return;
	if (pb->lines++ < BUILD_LINES_NOT_PLAN_LINES &&
	    pb->st->negative == NULL && !pb->hdr.title)
		pb->st->negative = classify_not_plan(s,
		    &pb->st->negative_word);
	if (pb->sect == S_CONTACT) {
		build_contact_line(pb, s);
		return;
	}
	if (pb->sect == S_DONE || build_lines_classified(pb, s, level, in_table))
		return;
	if (pb->sect == S_EVAL || pb->sect == S_COUNCIL) {
		build_target_text(pb, s, indented);
		return;
	}
	if (pb->sect == S_REFORMS && build_lines_reform_line(pb, s, level,
	    indented, &lm))
		return;
	if (level > 0 && !build_lines_mark(&lm, s, &m) &&
	    pb->issues.issue != PD_NONE &&
	    build_lines_issue_heading(pb, s, level))
		return;
	if (build_lines_other_heading(pb, s, level, in_table, &lm))
		return;
	build_header_intro(pb, s);
	build_lines_segments(pb, s, level, in_table, indented, &lm);
}

/* Markdown pipe table rows (| a | b |): rewritten as a tab row; the
 * |---|---| separator is dropped.  1 if the line was one. */
static int
build_lines_pipe_row(struct build_state *pb, struct span line)
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
	/* "<br>" inside a cell was kept by the converter as a break */
	if (cells >= 1 && !only_rule && !row.oom)
		build_lines_line(pb, (struct span){ row.p, row.len });
	sbuf_free(&row);
	return cells >= 1;
}

/* Cuts a tab row into trimmed cells; returns how many (at most max). */
static size_t
build_lines_cells(struct span line, struct span *cells, size_t max)
{
	const char *p = line.p, *end = line.p + line.n;
	size_t nc = 0;

	/* the tabs found by memchr, not byte by byte */
	while (nc < max) {
		const char *tab = p < end ? memchr(p, '\t', (size_t)(end - p)) :
		    NULL;
		const char *e = tab != NULL ? tab : end;

		cells[nc++] = text_trim((struct span){ p, (size_t)(e - p) });
		if (tab == NULL)
			break;
		p = tab + 1;
	}
	return nc;
}

/* A row of two or more cells. */
static void
build_lines_row(struct build_state *pb, const struct span *cells, size_t nc)
{
	int level;
	struct span c0 = text_strip_heading(cells[0], &level);
	enum line_kind k = classify_line_ctx(NULL, c0);
	size_t i;

	if (k == LINE_COLHEAD || classify_line_ctx(NULL, cells[nc - 1]) ==
	    LINE_COLHEAD) {
		build_target_heading(pb, LINE_COLHEAD, c0);
		build_budgets_header_row(pb, cells, nc);
	} else if (pb->sect == S_ISSUES && (k == LINE_EVAL ||
	    k == LINE_NOISE)) {
		/* 自己評価 | 順調, アウトカム指標 | …: an item's attribute
		 * row, not a section: it ends the body */
		build_target_flush(pb);
	} else if (pb->sect == S_REFORMS) {
		build_reforms_row(pb, cells, nc);
	} else if (pb->sect == S_EVAL && nc == 2 &&
	    classify_line_ctx(NULL, cells[0]) == LINE_TEXT &&
	    classify_line_ctx(NULL, cells[1]) == LINE_TEXT) {
		/* 取組成果 | 解決すべき課題 as two columns */
		text_add_words(&pb->eval.achievements, cells[0].p, cells[0].n);
		text_add_words(&pb->eval.challenges, cells[1].p, cells[1].n);
	} else {
		for (i = 0; i < nc; i++)
			build_lines_text_line(pb, cells[i], 0, 1);
	}
}

/* A line with tabs: its cells without the empty ones at both ends; a
 * single cell is an ordinary line. */
static void
build_lines_table_line(struct build_state *pb, struct span line)
{
	struct span cells[BUILD_LINES_MAX_CELLS];
	size_t nc = build_lines_cells(line, cells, BUILD_LINES_MAX_CELLS);
	size_t i = 0;

	while (nc > 0 && cells[nc - 1].n == 0)
		nc--;
	while (i < nc && cells[i].n == 0)
		i++;
	if (nc - i == 1)
		build_lines_text_line(pb, cells[i], 0, 0);
	else if (nc > i)
		build_lines_row(pb, cells + i, nc - i);
}

void
build_lines_line(struct build_state *pb, struct span line)
{
	if (text_trim(line).n == 0) {
		pb->prev_blank = 1;
		if (pb->tgt >= T_GOALS && pb->tgt <= T_POLICIES)
			pb->lists.open = 0;
		return;
	}
	if (build_lines_pipe_row(pb, line))
		return;
	if (memchr(line.p, '\t', line.n) == NULL)
		build_lines_text_line(pb, line, line.p[0] == ' ', 0);
	else
		build_lines_table_line(pb, line);
	pb->prev_blank = 0;
}
