/*
 * build_header.c: the plan's header facts from the lines that only a
 * preamble has: the title (and from it the org, fiscal year and stage),
 * the head line (区長:…), the page's date line and its page number.  The
 * org is matched to Osaka City's organisations (org.c).  A title-like line
 * after the title is a link back to the plan and ends the text above it.
 * The plan's introduction of itself is noted: a cut-off page that has it
 * is the plan, not a link to it.
 */
#include <stdio.h>
#include <string.h>

#include "build.h"
#include "era.h"
#include "org.h"

#define BUILD_HEADER_MAX_LINE	240	/* meta lines are short */
#define BUILD_HEADER_INTRO_OWNER 8	/* code points before 運営方針は */
#define BUILD_HEADER_INTRO_MIN	20	/* code points of an intro sentence */

/* The org's name as printed in a title: between the year label (if it
 * comes first) and 運営方針, else before the year. */
static struct span
build_header_org_span(struct span s, const struct year_label *yl)
{
	struct span org = { NULL, 0 };
	const char *h = text_find(s, "運営方針");

	if (h == NULL)
		return org;
	if (yl->year && yl->start < (size_t)(h - s.p)) {
		org.p = yl->rest.p;
		org.n = (size_t)(h - yl->rest.p);
		if (text_trim(org).n == 0)	/* 此花区 令和2年度運営方針 */
			org = (struct span){ s.p, yl->start };
	} else {
		org.p = s.p;
		org.n = (size_t)(h - s.p);
	}
	return text_trim(org);
}

/* 大阪市西区 -> 西区, but 大阪市会事務局 stays as printed. */
static struct span
build_header_org_unprefixed(struct span org)
{
	if (text_starts(org, "大阪市") && text_ends(org, "区") &&
	    org.n > strlen("大阪市区"))
		return text_trim(text_skip_lit(org, "大阪市"));
	return org;
}

/* The org as printed, and as the reference list knows it: name is the
 * printed name without 大阪市 before a ward and without noise (西区度 ->
 * 西区), canonical_name the list's name (null when unknown), kind the
 * list's, else told by the suffix. */
static void
build_header_org(struct build_state *pb, struct span printed,
    struct span unprefixed)
{
	struct plandoc *d = pb->doc;
	struct org_match m;
	const char *kind;

	org_match(unprefixed, &m);
	pb->st->org_match = (int)m.how;
	kind = m.entry != NULL ? m.entry->kind : text_ends(m.name, "区") ?
	    "ward" : text_ends(m.name, "局") ? "bureau" : NULL;
	d->has_org = 1;
	d->org_name = build_str(pb, m.name);
	d->org_kind = build_cstr(pb, kind);
	d->org_printed = build_str(pb, printed);
	d->org_canonical = build_cstr(pb, m.entry != NULL ? m.entry->name :
	    NULL);
}

static const char *
build_header_stage(struct span s)
{
	if (text_find(s, "素案"))
		return "draft";
	if (text_find(s, "(案)") || text_find(s, "【案】") ||
	    text_find(s, "[案]") || text_ends(s, "案"))
		return "proposal";
	return "final";
}

/* A title printed twice on its line (a page heading run into the
 * document's own): the first of the two. */
static struct span
build_header_undouble(struct span s)
{
	size_t half = s.n / 2, i;

	for (i = half; i > 0 && i + 1 >= half; i--) {
		struct span a = text_trim((struct span){ s.p, i });
		struct span b = text_trim(text_skip(s, i));
		if (a.n > 0 && a.n == b.n && memcmp(a.p, b.p, a.n) == 0)
			return a;
	}
	return s;
}

static void
build_header_title(struct build_state *pb, struct span s)
{
	struct year_label yl;
	struct span org, name;

	s = text_trim(s);
	if (text_starts(s, "【") && text_ends(s, "】")) {
		s = text_skip(s, strlen("【"));
		s.n -= strlen("】");
	}
	s = build_header_undouble(s);
	pb->hdr.title = 1;
	pb->doc->title = build_str(pb, s);
	pb->st->has_title = 1;
	if (era_find_year(s, &yl)) {
		pb->doc->fiscal_year.set = 1;
		pb->doc->fiscal_year.v = yl.year;
		pb->doc->year_label = build_cstr(pb, yl.label);
	}
	org = build_header_org_span(s, &yl);
	name = build_header_org_unprefixed(org);
	if (name.n > 0 && text_cp_count(name) <= 20)
		build_header_org(pb, org, name);
	pb->doc->stage = build_cstr(pb, build_header_stage(s));
}

/* A title line: the plan's title if none yet and the preamble is still
 * open, else a link back to the plan (noise that ends the text above). */
static void
build_header_title_line(struct build_state *pb, struct span s)
{
	if (!pb->hdr.title && pb->sect <= S_PLAN &&
	    pb->issues.issue == PD_NONE)
		build_header_title(pb, s);
	else
		build_target_flush(pb);
}

/* 運営方針(…更新) / 改定履歴 links after the title, outside the lists. */
static int
build_header_is_plan_link(const struct build_state *pb, struct span s)
{
	return pb->hdr.title && text_find(s, "運営方針") &&
	    text_cp_count(s) <= 60 && !text_find(s, "。") &&
	    era_find_year(s, &(struct year_label){ 0 }) &&
	    pb->tgt != T_GOALS && pb->tgt != T_MISSIONS &&
	    pb->tgt != T_POLICIES;
}

static int
build_header_head(struct build_state *pb, struct span s)
{
	struct span role, name;

	if (pb->hdr.head || pb->issues.issue != PD_NONE ||
	    !classify_head(s, &role, &name))
		return 0;
	pb->hdr.head = 1;
	pb->doc->has_head = 1;
	pb->doc->head_role = build_str(pb, role);
	pb->doc->head_name = build_str(pb, name);
	pb->st->has_head = 1;
	return 1;
}

static int
build_header_date(struct build_state *pb, struct span s)
{
	char buf[16];
	int y, mo, d;

	if (pb->hdr.date || pb->issues.issue != PD_NONE ||
	    pb->sect > S_PLAN || pb->tgt != T_NONE ||
	    !era_parse_date(s, &y, &mo, &d))
		return 0;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, mo, d);
	pb->hdr.date = 1;
	pb->doc->published_on = build_cstr(pb, buf);
	pb->st->has_date = 1;
	return 1;
}

/* ページ番号:397102; the line is consumed even when it holds no number. */
static int
build_header_page(struct build_state *pb, struct span s)
{
	struct span t;
	size_t n = 0;

	if (!text_starts(s, "ページ番号"))
		return 0;
	t = text_skip_spaces(text_skip(s, strlen("ページ番号")));
	t = text_skip_spaces(text_skip_lit(t, ":"));
	while (n < t.n && t.p[n] >= '0' && t.p[n] <= '9')
		n++;
	if (n > 0 && !pb->hdr.page) {
		pb->hdr.page = 1;
		pb->doc->page_id = plandoc_str(pb->doc, t.p, n);
		pb->st->has_page_id = 1;
	}
	return 1;
}

int
build_header_line(struct build_state *pb, struct span s)
{
	if (s.n > BUILD_HEADER_MAX_LINE)
		return 0;
	/* a title and a link back to the plan both name 運営方針: one
	 * search rules both out on every other line */
	if (text_find(s, "運営方針") != NULL) {
		if (classify_title(s)) {
			build_header_title_line(pb, s);
			return 1;
		}
		if (build_header_is_plan_link(pb, s)) {
			build_target_flush(pb);
			return 1;
		}
	}
	return build_header_head(pb, s) || build_header_date(pb, s) ||
	    build_header_page(pb, s);
}

/* 運営方針は… / 本運営方針とは…: the plan defining itself, with at most a
 * short owner (区, 本, この, 此花区) before it, in a sentence; or the city's
 * phrase for what every plan shows (施策の「選択と集中」). */
static int
build_header_is_intro(struct span s)
{
	const char *p = text_find(s, "運営方針は");

	if (p == NULL)
		p = text_find(s, "運営方針とは");
	if (p != NULL && text_cp_count((struct span){ s.p,
	    (size_t)(p - s.p) }) <= BUILD_HEADER_INTRO_OWNER &&
	    (text_find(s, "。") || text_cp_count(s) >= BUILD_HEADER_INTRO_MIN))
		return 1;
	return text_find(s, "運営方針") != NULL &&
	    text_find(s, "選択と集中") != NULL;
}

void
build_header_intro(struct build_state *pb, struct span s)
{
	if (!pb->hdr.title || pb->st->has_intro || pb->sect > S_PLAN ||
	    pb->tgt != T_NONE)
		return;
	if (build_header_is_intro(text_trim(s)))
		pb->st->has_intro = 1;
}
