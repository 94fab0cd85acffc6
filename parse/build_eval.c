/*
 * build_eval.c: the end of a plan: the self-evaluation (自己評価: the
 * year's achievements and the challenges left) and the council figures
 * (区政会議の意見の予算要求への反映割合: amounts assigned by the words
 * before them, and the ratio before the first % after 割合).  Their text
 * was collected while the pass was in those sections.
 */
#include <stdlib.h>
#include <string.h>

#include "build.h"

#define BUILD_EVAL_FIGURES	4

void
build_eval_finish(struct build_state *pb)
{
	if (pb->eval.achievements.len == 0 && pb->eval.challenges.len == 0)
		return;
	pb->doc->has_evaluation = 1;
	pb->doc->achievements = build_sbuf_str(pb, &pb->eval.achievements);
	pb->doc->challenges = build_sbuf_str(pb, &pb->eval.challenges);
}

/* Slot of a council figure from the words before it, else by order. */
static int
build_eval_council_slot(struct span ctx, const long long *v)
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
	for (k = 0; k < BUILD_EVAL_FIGURES; k++)
		if (v[k] < 0)
			return k;
	return -1;
}

/* Whether an amount can start at s.p[i]: a digit that does not continue
 * a number. */
static int
build_eval_amount_starts(struct span s, size_t i)
{
	int d;

	if (!text_is_digit_cp((unsigned char)s.p[i], &d))
		return 0;
	return i == 0 || !(text_is_digit_cp((unsigned char)s.p[i - 1], &d) ||
	    s.p[i - 1] == ',' || s.p[i - 1] == '.');
}

/* Amounts with a unit (千円, 円, 万円…) into v[]; 1 if any was found. */
static int
build_eval_council_amounts(struct span s, long long *v)
{
	size_t i = 0, prev = 0;
	int any = 0;

	while (i < s.n) {
		int has, slot;
		long long yen;
		size_t used;

		if (!build_eval_amount_starts(s, i)) {
			i++;
			continue;
		}
		if (budget_parse_amount(text_skip(s, i), &has, &yen, &used) ==
		    1 && has) {
			slot = build_eval_council_slot((struct span){ s.p + prev,
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
	return any;
}

/* The number before the first % after 割合 (or anywhere); -1 if none. */
static double
build_eval_council_ratio(struct span s)
{
	const char *w = text_find(s, "割合");
	struct span t = w ? text_skip(s, (size_t)(w - s.p)) : s;
	const char *pct = text_find(t, "%"), *b;
	char buf[32];
	size_t n;

	if (pct == NULL)
		return -1;
	b = pct;
	while (b > t.p && ((b[-1] >= '0' && b[-1] <= '9') || b[-1] == '.' ||
	    b[-1] == ' ' || b[-1] == '*'))
		b--;
	while (b < pct && (*b == ' ' || *b == '*'))
		b++;
	n = (size_t)(pct - b);
	if (b >= pct || n >= sizeof(buf))
		return -1;
	memcpy(buf, b, n);
	buf[n] = '\0';
	return strtod(buf, NULL);
}

void
build_eval_council_finish(struct build_state *pb)
{
	struct span s = { pb->eval.council.p ? pb->eval.council.p : "",
	    pb->eval.council.len };
	long long v[BUILD_EVAL_FIGURES] = { -1, -1, -1, -1 };
	double ratio;
	int any;
	size_t k;

	any = build_eval_council_amounts(s, v);
	ratio = build_eval_council_ratio(s);
	if (!any && ratio < 0)
		return;
	pb->doc->has_council = 1;
	for (k = 0; k < BUILD_EVAL_FIGURES; k++) {
		pb->doc->council[k].set = v[k] >= 0;
		pb->doc->council[k].v = v[k];
	}
	pb->doc->has_ratio = ratio >= 0;
	pb->doc->ratio_percent = ratio;
}
