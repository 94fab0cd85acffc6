/*
 * build_header.c: the plan's header facts from the lines that only a
 * preamble has: the title (and from it the org, fiscal year and stage),
 * the head line (区長:…), the page's date line and its page number.  A
 * title-like line after the title is a link back to the plan and ends the
 * text above it.
 */
#include <stdio.h>
#include <string.h>

#include "build.h"
#include "era.h"

#define BUILD_HEADER_MAX_LINE	240	/* meta lines are short */

/* The org's name in a title: between the year label (if it comes first)
 * and 運営方針; 大阪市西区 -> 西区, but 大阪市会事務局 stays as printed. */
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
	} else {
		org.p = s.p;
		org.n = (size_t)(h - s.p);
	}
	org = text_trim(org);
	if (text_starts(org, "大阪市") && text_ends(org, "区") &&
	    org.n > strlen("大阪市区"))
		org = text_trim(text_skip_lit(org, "大阪市"));
	return org;
}

static json_t *
build_header_org(struct span org)
{
	json_t *o = json_object();
	const char *kind = text_ends(org, "区") ? "ward" :
	    text_ends(org, "局") ? "bureau" : NULL;

	json_object_set_new_nocheck(o, "name", build_str(org));
	json_object_set_new_nocheck(o, "kind", kind ? json_string(kind) :
	    json_null());
	return o;
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

static void
build_header_title(struct build_state *pb, struct span s)
{
	struct year_label yl;
	struct span org;

	s = text_trim(s);
	if (text_starts(s, "【") && text_ends(s, "】")) {
		s = text_skip(s, strlen("【"));
		s.n -= strlen("】");
	}
	pb->hdr.title = build_str(s);
	pb->st->has_title = 1;
	if (era_find_year(s, &yl)) {
		pb->hdr.year = json_integer(yl.year);
		pb->hdr.year_label = json_string(yl.label);
	}
	org = build_header_org_span(s, &yl);
	if (org.n > 0 && text_cp_count(org) <= 20)
		pb->hdr.org = build_header_org(org);
	pb->hdr.stage = json_string(build_header_stage(s));
}

/* A title line: the plan's title if none yet and the preamble is still
 * open, else a link back to the plan (noise that ends the text above). */
static void
build_header_title_line(struct build_state *pb, struct span s)
{
	if (pb->hdr.title == NULL && pb->sect <= S_PLAN &&
	    pb->issues.issue == NULL)
		build_header_title(pb, s);
	else
		build_target_flush(pb);
}

/* 運営方針(…更新) / 改定履歴 links after the title, outside the lists. */
static int
build_header_is_plan_link(const struct build_state *pb, struct span s)
{
	return pb->hdr.title != NULL && text_find(s, "運営方針") &&
	    text_cp_count(s) <= 60 && !text_find(s, "。") &&
	    era_find_year(s, &(struct year_label){ 0 }) &&
	    pb->tgt != T_GOALS && pb->tgt != T_MISSIONS &&
	    pb->tgt != T_POLICIES;
}

static int
build_header_head(struct build_state *pb, struct span s)
{
	struct span role, name;

	if (pb->hdr.head != NULL || pb->issues.issue != NULL ||
	    !classify_head(s, &role, &name))
		return 0;
	pb->hdr.head = json_object();
	json_object_set_new_nocheck(pb->hdr.head, "role", build_str(role));
	json_object_set_new_nocheck(pb->hdr.head, "name", build_str(name));
	pb->st->has_head = 1;
	return 1;
}

static int
build_header_date(struct build_state *pb, struct span s)
{
	char buf[16];
	int y, mo, d;

	if (pb->hdr.date != NULL || pb->issues.issue != NULL ||
	    pb->sect > S_PLAN || pb->tgt != T_NONE ||
	    !era_parse_date(s, &y, &mo, &d))
		return 0;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, mo, d);
	pb->hdr.date = json_string(buf);
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
	if (n > 0 && pb->hdr.page == NULL)
		pb->hdr.page = json_stringn(t.p, n);
	return 1;
}

int
build_header_line(struct build_state *pb, struct span s)
{
	if (s.n > BUILD_HEADER_MAX_LINE)
		return 0;
	if (classify_title(s)) {
		build_header_title_line(pb, s);
		return 1;
	}
	if (build_header_is_plan_link(pb, s)) {
		build_target_flush(pb);
		return 1;
	}
	return build_header_head(pb, s) || build_header_date(pb, s) ||
	    build_header_page(pb, s);
}
