/*
 * build_contact.c: the page's このページの作成者・問合せ先 block, line by
 * line: the first line is the office, phone and fax are the digits after
 * 電話/TEL and ファックス/FAX, the address follows 住所/所在地 or starts
 * with 〒.  Site chrome, or more than a few lines, ends the block.
 */
#include <string.h>

#include "build.h"

#define BUILD_CONTACT_MAX_LINES	8

/* The number after word (電話: 06-1234-5678); 0 if none. */
static int
build_contact_phone(struct span s, const char *word, struct span *num)
{
	const char *w = text_find(s, word);
	struct span t;
	size_t n = 0;

	if (w == NULL)
		return 0;
	t = text_skip(s, (size_t)(w - s.p) + strlen(word));
	t = text_skip_lit(t, "番号");
	t = text_skip_spaces(t);
	t = text_skip_spaces(text_skip_lit(t, ":"));
	while (n < t.n && ((t.p[n] >= '0' && t.p[n] <= '9') || t.p[n] == '-' ||
	    t.p[n] == '(' || t.p[n] == ')'))
		n++;
	if (n == 0)
		return 0;
	*num = (struct span){ t.p, n };
	return 1;
}

static int
build_contact_is_phone_line(struct span s)
{
	return text_find(s, "電話") || text_find(s, "ファックス") ||
	    text_find(s, "FAX") || text_find(s, "Fax") ||
	    text_find(s, "TEL") || text_find(s, "Tel");
}

static void
build_contact_phones(struct build_state *pb, struct span s)
{
	struct span v;

	if (build_contact_phone(s, "電話", &v) ||
	    build_contact_phone(s, "TEL", &v) ||
	    build_contact_phone(s, "Tel", &v))
		pb->doc->phone = plandoc_str(pb->doc, v.p, v.n);
	if (build_contact_phone(s, "ファックス", &v) ||
	    build_contact_phone(s, "FAX", &v) ||
	    build_contact_phone(s, "Fax", &v))
		pb->doc->fax = plandoc_str(pb->doc, v.p, v.n);
}

static int
build_contact_is_address_line(const struct build_state *pb, struct span s)
{
	return text_starts(s, "住所") || text_starts(s, "所在地") ||
	    (text_starts(s, "〒") && pb->doc->address.off < 0);
}

static void
build_contact_address(struct build_state *pb, struct span s)
{
	struct span a = s;

	if (!text_starts(a, "〒")) {
		a = text_skip_lit(text_skip_lit(a, "住所"), "所在地");
		a = text_skip_spaces(text_skip_lit(text_skip_spaces(a), ":"));
	}
	pb->doc->address = build_str(pb, a);
}

void
build_contact_line(struct build_state *pb, struct span s)
{
	if (classify_line_ctx(&pb->noise, s) == LINE_NOISE ||
	    pb->contact.lines > BUILD_CONTACT_MAX_LINES) {
		pb->sect = S_DONE;
		return;
	}
	pb->contact.lines++;
	pb->doc->has_contact = 1;
	if (build_contact_is_phone_line(s)) {
		build_contact_phones(pb, s);
		return;
	}
	if (build_contact_is_address_line(pb, s)) {
		build_contact_address(pb, s);
		return;
	}
	if (text_starts(s, "メール") || text_starts(s, "E-mail"))
		return;
	if (pb->doc->office.off < 0 && pb->contact.lines <= 2)
		pb->doc->office = build_str(pb, s);
}

void
build_contact_finish(struct build_state *pb)
{
	struct plandoc *d = pb->doc;

	if (d->has_contact && d->office.off < 0 && d->phone.off < 0 &&
	    d->address.off < 0)
		d->has_contact = 0;
}
