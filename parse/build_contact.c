/*
 * build_contact.c: the page's このページの作成者・問合せ先 block, line by
 * line: the first line is the office, phone and fax are the digits after
 * 電話/TEL and ファックス/FAX, the address follows 住所/所在地 or starts
 * with 〒.  Site chrome, or more than a few lines, ends the block.
 */
#include <string.h>

#include "build.h"

#define BUILD_CONTACT_MAX_LINES	8

/* The number after word (電話: 06-1234-5678), NULL if none. */
static json_t *
build_contact_phone(struct span s, const char *word)
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

static int
build_contact_is_phone_line(struct span s)
{
	return text_find(s, "電話") || text_find(s, "ファックス") ||
	    text_find(s, "FAX") || text_find(s, "Fax") ||
	    text_find(s, "TEL") || text_find(s, "Tel");
}

static void
build_contact_phones(json_t *contact, struct span s)
{
	json_t *v;

	if ((v = build_contact_phone(s, "電話")) != NULL ||
	    (v = build_contact_phone(s, "TEL")) != NULL ||
	    (v = build_contact_phone(s, "Tel")) != NULL)
		json_object_set_new_nocheck(contact, "phone", v);
	if ((v = build_contact_phone(s, "ファックス")) != NULL ||
	    (v = build_contact_phone(s, "FAX")) != NULL ||
	    (v = build_contact_phone(s, "Fax")) != NULL)
		json_object_set_new_nocheck(contact, "fax", v);
}

static int
build_contact_is_address_line(json_t *contact, struct span s)
{
	return text_starts(s, "住所") || text_starts(s, "所在地") ||
	    (text_starts(s, "〒") && json_is_null(json_object_get(contact,
	    "address")));
}

static void
build_contact_address(json_t *contact, struct span s)
{
	struct span a = s;

	if (!text_starts(a, "〒")) {
		a = text_skip_lit(text_skip_lit(a, "住所"), "所在地");
		a = text_skip_spaces(text_skip_lit(text_skip_spaces(a), ":"));
	}
	json_object_set_new_nocheck(contact, "address", build_str(a));
}

static json_t *
build_contact_new(void)
{
	json_t *o = json_object();

	json_object_set_new_nocheck(o, "office", json_null());
	json_object_set_new_nocheck(o, "phone", json_null());
	json_object_set_new_nocheck(o, "fax", json_null());
	json_object_set_new_nocheck(o, "address", json_null());
	return o;
}

void
build_contact_line(struct build_state *pb, struct span s)
{
	json_t *c;

	if (classify_line_ctx(&pb->noise, s) == LINE_NOISE ||
	    pb->contact.lines > BUILD_CONTACT_MAX_LINES) {
		pb->sect = S_DONE;
		return;
	}
	pb->contact.lines++;
	if (pb->contact.obj == NULL)
		pb->contact.obj = build_contact_new();
	c = pb->contact.obj;
	if (build_contact_is_phone_line(s)) {
		build_contact_phones(c, s);
		return;
	}
	if (build_contact_is_address_line(c, s)) {
		build_contact_address(c, s);
		return;
	}
	if (text_starts(s, "メール") || text_starts(s, "E-mail"))
		return;
	if (json_is_null(json_object_get(c, "office")) && pb->contact.lines <= 2)
		json_object_set_new_nocheck(c, "office", build_str(s));
}

json_t *
build_contact_take(struct build_state *pb)
{
	json_t *c = pb->contact.obj;

	pb->contact.obj = NULL;
	if (json_object_get(c, "office") != NULL &&
	    json_is_null(json_object_get(c, "office")) &&
	    json_is_null(json_object_get(c, "phone")) &&
	    json_is_null(json_object_get(c, "address"))) {
		json_decref(c);
		return NULL;
	}
	return c;
}
