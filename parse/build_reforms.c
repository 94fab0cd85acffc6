/*
 * build_reforms.c: the items of the 市政改革 section (様式3): a title, the
 * printed reference to the reform plan (改革の柱3-3(4)) and a body, from a
 * table row or from 取組項目 marker lines.  A lone "-" means no item.
 */
#include <string.h>

#include "build.h"

/* Splits "title (改革の柱3-3(4))" into title and ref. */
static void
build_reforms_title(struct span t, struct span *title, struct span *ref)
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

void
build_reforms_new(struct build_state *pb, struct span t, struct span body)
{
	struct span title, ref;
	struct pd_reform *o;
	int32_t k;

	build_target_flush(pb);
	if (pb->nitems >= BUILD_MAX_ITEMS)
		return;
	pb->nitems++;
	build_reforms_title(t, &title, &ref);
	if (title.n == 0 || (title.n == 1 && title.p[0] == '-'))
		return;
	k = plandoc_push(pb->doc, &pb->doc->reforms, sizeof(*o));
	if (k != PD_NONE) {
		struct pd_str tv = build_str(pb, title);
		struct pd_str rv = ref.n ? build_str(pb, ref) : pd_null();

		o = PD_AT(pb->doc->reforms, struct pd_reform, k);
		o->title = tv;
		o->ref = rv;
		o->body = pd_null();
	}
	pb->reforms.current = k;
	pb->st->reforms++;
	build_target_start(pb, T_REFORM, body);
}

/* The title part of a reform line or cell, its marker removed. */
struct span
build_reforms_head(struct span c)
{
	struct marker m;

	if (markers_match(c, &m) && m.kind == MARK_REFORM)
		return m.title.n ? m.title : text_trim(m.rest);
	return text_trim(c);
}

/* A 様式3 table row: the first cell is the item, the others its body. */
void
build_reforms_row(struct build_state *pb, const struct span *cells,
    size_t nc)
{
	struct sbuf body;
	size_t i;

	if (classify_line_ctx(NULL, cells[0]) == LINE_COLHEAD)
		return;
	sbuf_init(&body);
	for (i = 1; i < nc; i++)
		text_add_words(&body, cells[i].p, cells[i].n);
	build_reforms_new(pb, build_reforms_head(cells[0]),
	    (struct span){ body.p ? body.p : "", body.len });
	sbuf_free(&body);
}
