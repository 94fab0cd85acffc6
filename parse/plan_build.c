/*
 * plan_build.c: normalised text to the plan's records (lib/plandoc.h) in
 * one pass over its lines (build_lines.c and the build_*.c file of each
 * part of the plan, see build.h), then the parts known only at the end
 * (contact, evaluation, council figures).  Bounded look-ups only, so the
 * pass stays linear.  plan_text.c writes the JSON from the records.
 */
#include <string.h>

#include "build.h"

static void
plan_build_init(struct build_state *pb, struct plan_stats *st,
    struct plandoc *doc)
{
	memset(pb, 0, sizeof(*pb));
	memset(st, 0, sizeof(*st));
	pb->st = st;
	pb->doc = doc;
	classify_noise_init(&pb->noise);
	sbuf_init(&pb->text);
	sbuf_init(&pb->scratch);
	sbuf_init(&pb->eval.achievements);
	sbuf_init(&pb->eval.challenges);
	sbuf_init(&pb->eval.council);
	pb->issues.issue = pb->issues.strategy = pb->issues.item = PD_NONE;
	pb->reforms.current = PD_NONE;
}

static void
plan_build_free(struct build_state *pb)
{
	sbuf_free(&pb->text);
	sbuf_free(&pb->scratch);
	sbuf_free(&pb->eval.achievements);
	sbuf_free(&pb->eval.challenges);
	sbuf_free(&pb->eval.council);
}

static int
plan_build_oom(const struct build_state *pb)
{
	return pb->text.oom || pb->scratch.oom ||
	    pb->eval.achievements.oom || pb->eval.challenges.oom ||
	    pb->eval.council.oom || pb->doc->oom;
}

/* Whether the last non-blank line stops without what ends a sentence or
 * an item (。 ) 】 」 …): a hint that the text was cut off. */
static int
plan_build_ends_open(const char *text, size_t n)
{
	static const char *const closers[] = { "。", ")", "】", "」", "』",
	    "》", "≫", "]", "〕", ">", ".", "!", "?", "円", NULL };
	struct span s = text_trim((struct span){ text, n });
	size_t i;

	for (i = 0; closers[i] != NULL; i++)
		if (text_ends(s, closers[i]))
			return 0;
	return s.n > 0;
}

int
plan_build(const char *text, size_t n, struct plan_stats *st,
    struct plandoc *doc)
{
	struct build_state pb;
	size_t i = 0;
	int oom;

	plan_build_init(&pb, st, doc);
	/* the plan's strings are pieces of the text: room for them at once */
	if (sbuf_reserve(&doc->chars, n + 256) != 0)
		doc->oom = 1;
	while (i < n) {
		const char *nl = memchr(text + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - text) : n;
		build_lines_line(&pb, (struct span){ text + i, e - i });
		i = e + 1;
	}
	build_target_flush(&pb);
	st->ends_open = plan_build_ends_open(text, n);
	build_contact_finish(&pb);
	build_eval_finish(&pb);
	build_eval_council_finish(&pb);
	oom = plan_build_oom(&pb);
	plan_build_free(&pb);
	return oom ? -1 : 0;
}
