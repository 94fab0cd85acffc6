/*
 * build_lists.c: the plan's goals (目標), missions (使命) and policies
 * (運営の基本的な考え方): one string per bullet or paragraph.  A bullet
 * starts a line or follows white space (so こども・子育て stays whole); an
 * indented line or one after a blank line starts a paragraph; any other
 * line continues the open item.
 */
#include <string.h>

#include "build.h"

/* The list the open target collects into, NULL if it is no list. */
static struct pd_array *
build_lists_target(const struct build_state *pb)
{
	switch (pb->tgt) {
	case T_GOALS: return &pb->doc->lists[PD_GOALS];
	case T_MISSIONS: return &pb->doc->lists[PD_MISSIONS];
	case T_POLICIES: return &pb->doc->lists[PD_POLICIES];
	default: return NULL;
	}
}

/* Ends the open list item. */
void
build_lists_close(struct build_state *pb)
{
	struct pd_array *l = build_lists_target(pb);
	struct span c;

	if (l != NULL && pb->text.len > 0 && pb->nitems < BUILD_MAX_ITEMS) {
		pb->nitems++;
		if (text_collapse((struct span){ pb->text.p, pb->text.len },
		    &pb->scratch, &c)) {
			struct pd_str v = plandoc_str(pb->doc, c.p, c.n);
			int32_t k = plandoc_push(pb->doc, l,
			    sizeof(struct pd_str));

			if (k != PD_NONE) {
				*PD_AT(*l, struct pd_str, k) = v;
				pb->st->sections++;
			}
		}
	}
	sbuf_reset(&pb->text);
	pb->lists.open = 0;
}

/* A list marker at the start of s; 1 with its length in *len. */
static int
build_lists_bullet_at(struct span s, size_t *len)
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

/* One chunk between bullets: continues the open item (a wrapped line) or
 * starts a new one. */
static void
build_lists_chunk(struct build_state *pb, struct span chunk, int first,
    int indented)
{
	if (chunk.n == 0)
		return;
	if (!(first && pb->lists.open && !indented && !pb->prev_blank))
		build_lists_close(pb);
	sbuf_add(&pb->text, chunk.p, chunk.n);
	pb->lists.open = 1;
}

void
build_lists_text(struct build_state *pb, struct span s, int indented)
{
	size_t i = 0, start = 0, blen = 0, adv;
	int at_ws = 1, first = 1;

	s = text_trim(s);
	for (;;) {
		int bullet = i < s.n && at_ws &&
		    build_lists_bullet_at(text_skip(s, i), &blen);

		if (bullet || i >= s.n) {
			build_lists_chunk(pb, text_trim((struct span){
			    s.p + start, i - start }), first, indented);
			first = 0;
			if (i >= s.n)
				break;
			build_lists_close(pb);
			i += blen;
			start = i;
			at_ws = 0;
			continue;
		}
		if (!at_ws) {
			/* inside a word no bullet starts: on to the next
			 * white space, sixteen bytes at a time */
			i += text_space_find(text_skip(s, i));
			if (i >= s.n)
				continue;
		}
		at_ws = text_is_space_cp(text_cp(s.p + i, s.n - i, &adv));
		i += adv;
	}
}
