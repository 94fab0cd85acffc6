/*
 * plan_build.c: normalised text to the plan JSON (shared/spec/plan-json.md)
 * in one pass over its lines (build_lines.c and the build_*.c file of each
 * part of the plan, see build.h), then the plan assembled in the spec's key
 * order.  Bounded look-ups only, so the pass stays linear.
 */
#include <string.h>

#include "build.h"

static void
plan_build_init(struct build_state *pb, struct plan_stats *st)
{
	memset(pb, 0, sizeof(*pb));
	memset(st, 0, sizeof(*st));
	pb->st = st;
	classify_noise_init(&pb->noise);
	sbuf_init(&pb->text);
	sbuf_init(&pb->eval.achievements);
	sbuf_init(&pb->eval.challenges);
	sbuf_init(&pb->eval.council);
	pb->lists.goals = json_array();
	pb->lists.missions = json_array();
	pb->lists.policies = json_array();
	pb->issues.list = json_array();
	pb->reforms.list = json_array();
}

static void
plan_build_free(struct build_state *pb)
{
	sbuf_free(&pb->text);
	sbuf_free(&pb->eval.achievements);
	sbuf_free(&pb->eval.challenges);
	sbuf_free(&pb->eval.council);
}

static int
plan_build_oom(const struct build_state *pb)
{
	return pb->text.oom || pb->eval.achievements.oom ||
	    pb->eval.challenges.oom || pb->eval.council.oom;
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

static json_t *
plan_build_or_null(json_t *j)
{
	return j ? j : json_null();
}

/* The plan object; the state's JSON values move into it. */
static json_t *
plan_build_finish(struct build_state *pb)
{
	json_t *root = json_object();
	const struct build_header *h = &pb->hdr;
	json_t *contact = build_contact_take(pb);

	json_object_set_new_nocheck(root, "is_plan", json_true());
	json_object_set_new_nocheck(root, "title", plan_build_or_null(h->title));
	json_object_set_new_nocheck(root, "org", plan_build_or_null(h->org));
	json_object_set_new_nocheck(root, "fiscal_year",
	    plan_build_or_null(h->year));
	json_object_set_new_nocheck(root, "fiscal_year_label",
	    plan_build_or_null(h->year_label));
	json_object_set_new_nocheck(root, "stage", plan_build_or_null(h->stage));
	json_object_set_new_nocheck(root, "head", plan_build_or_null(h->head));
	json_object_set_new_nocheck(root, "published_on",
	    plan_build_or_null(h->date));
	json_object_set_new_nocheck(root, "page_id", plan_build_or_null(h->page));
	json_object_set_new_nocheck(root, "goals", pb->lists.goals);
	json_object_set_new_nocheck(root, "missions", pb->lists.missions);
	json_object_set_new_nocheck(root, "policies", pb->lists.policies);
	json_object_set_new_nocheck(root, "issues", pb->issues.list);
	json_object_set_new_nocheck(root, "reforms", pb->reforms.list);
	json_object_set_new_nocheck(root, "evaluation", build_eval_json(pb));
	json_object_set_new_nocheck(root, "council_reflection",
	    build_eval_council_json(pb));
	json_object_set_new_nocheck(root, "contact", plan_build_or_null(contact));
	return root;
}

json_t *
plan_build(const char *text, size_t n, struct plan_stats *st)
{
	struct build_state pb;
	size_t i = 0;
	json_t *root;
	int oom;

	plan_build_init(&pb, st);
	while (i < n) {
		const char *nl = memchr(text + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - text) : n;
		build_lines_line(&pb, (struct span){ text + i, e - i });
		i = e + 1;
	}
	build_target_flush(&pb);
	st->ends_open = plan_build_ends_open(text, n);
	oom = plan_build_oom(&pb);
	root = plan_build_finish(&pb);
	plan_build_free(&pb);
	if (oom) {
		json_decref(root);
		return NULL;
	}
	return root;
}
