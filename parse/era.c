/*
 * era.c: Japanese era years and dates.  令和N -> 2018+N (元 = 1),
 * 平成N -> 1988+N, 昭和N -> 1925+N; Gregorian 2021年度 as is.  A gloss in
 * the other calendar, in either order ((2019年度) after an era label,
 * (平成31年度) after a Gregorian one, 元(2019)年度), is skipped.  Used for
 * the plan's fiscal year and for the page's date line.
 */
#include <string.h>

#include "text.h"
#include "era.h"

/* With each name's length: text_starts on a name read from the table
 * called strlen (and memcmp) at run time, on every budget bracket. */
#define ERA_NAME(name, base)	{ name, sizeof(name) - 1, base }
static const struct {
	const char *name;
	size_t	 len;
	int	 base;
} era_names[] = {
	ERA_NAME("令和", 2018), ERA_NAME("平成", 1988), ERA_NAME("昭和", 1925),
};
#define ERA_NONE	(sizeof(era_names) / sizeof(era_names[0]))

/* The era whose name starts s (its index), ERA_NONE if none. */
static size_t
era_name_at(struct span s)
{
	size_t e;

	for (e = 0; e < ERA_NONE; e++)
		if (s.n >= era_names[e].len && text_same(s.p, era_names[e].name,
		    era_names[e].len))
			return e;
	return ERA_NONE;
}

/* Reads digits (or 元) at s; returns the value, -1 if none. */
static long
era_number(struct span *s, int allow_gan)
{
	long v = 0;
	int nd = 0, d;
	size_t adv;

	if (allow_gan && text_starts(*s, "元")) {
		*s = text_skip(*s, strlen("元"));
		return 1;
	}
	while (s->n > 0 && nd < 9) {
		uint32_t cp = text_cp(s->p, s->n, &adv);
		if (!text_is_digit_cp(cp, &d))
			break;
		v = v * 10 + d;
		nd++;
		*s = text_skip(*s, adv);
	}
	return nd ? v : -1;
}

/* The year inside a gloss: an era year (平成31, 令和元) or a Gregorian
 * one (2019); 1 if t starts with one, t moved past it. */
static int
era_gloss_year(struct span *t)
{
	size_t e = era_name_at(*t);
	long v;

	if (e != ERA_NONE) {
		*t = text_skip_spaces(text_skip(*t, era_names[e].len));
		v = era_number(t, 1);
		return v >= 1 && v <= 99;
	}
	v = era_number(t, 0);
	return v >= 1900 && v <= 2100;
}

/* Skips a gloss in the other calendar: "(2019年度)" after an era label,
 * "(平成31年度)" after a Gregorian one, or "(2019)" / "(令和元)" between
 * the number and 年度.  The gloss is not checked against the label: the
 * label printed first is the one kept. */
static struct span
era_skip_gloss(struct span s)
{
	struct span t = text_skip_spaces(s);

	if (!text_starts(t, "("))
		return s;
	t = text_skip_spaces(text_skip(t, 1));
	if (!era_gloss_year(&t))
		return s;
	t = text_skip_spaces(t);
	if (text_starts(t, "年度"))
		t = text_skip(t, strlen("年度"));
	else if (text_starts(t, "年"))
		t = text_skip(t, strlen("年"));
	t = text_skip_spaces(t);
	if (!text_starts(t, ")"))
		return s;
	return text_skip(t, 1);
}

/* The label as printed: the era's name (or none), 元 or the number (at
 * most 2100), 年度.  Written by hand: this runs for every budget bracket,
 * and snprintf cost more than the rest of the match. */
static void
era_label(char label[static 16], const char *era, long v, int gan)
{
	size_t n = strlen(era), k = 0;
	char digits[4];

	memcpy(label, era, n + 1);	/* with its NUL: a string at each step */
	if (gan) {
		memcpy(label + n, "元", sizeof("元"));
		n += strlen("元");
	} else {
		do {
			digits[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v != 0 && k < sizeof(digits));
		while (k > 0)
			label[n++] = digits[--k];
	}
	memcpy(label + n, "年度", sizeof("年度"));
}

/* Tries a label at s; 1 with *out filled. */
static int
era_try(struct span s, size_t start, struct year_label *out)
{
	size_t e = era_name_at(s), adv;
	struct span t;
	long v;
	int d, gan;

	if (e != ERA_NONE) {
		t = text_skip_spaces(text_skip(s, era_names[e].len));
		gan = text_starts(t, "元");
		v = era_number(&t, 1);
		if (v < 1 || v > 99)
			return 0;
		t = text_skip_spaces(era_skip_gloss(t));	/* 元(2019)年度 */
		if (!text_starts(t, "年度"))
			return 0;
		t = text_skip(t, strlen("年度"));
		out->year = era_names[e].base + (int)v;
		era_label(out->label, era_names[e].name, v, gan);
		out->start = start;
		out->rest = era_skip_gloss(t);
		return 1;
	}
	if (s.n > 0 && text_is_digit_cp(text_cp(s.p, s.n, &adv), &d)) {
		t = s;
		v = era_number(&t, 0);
		if (v < 1900 || v > 2100)
			return 0;
		t = text_skip_spaces(era_skip_gloss(t));	/* 2019(平成31)年度 */
		if (!text_starts(t, "年度"))
			return 0;
		out->year = (int)v;
		era_label(out->label, "", v, 0);
		out->start = start;
		out->rest = era_skip_gloss(text_skip(t, strlen("年度")));
		return 1;
	}
	return 0;
}

int
era_may_start(struct span s)
{
	size_t adv;
	int d;

	return (s.n > 0 && text_is_digit_cp(text_cp(s.p, s.n, &adv), &d)) ||
	    era_name_at(s) != ERA_NONE;
}

int
era_year_at(struct span s, struct year_label *out)
{
	memset(out, 0, sizeof(*out));
	return era_try(s, 0, out);
}

int
era_find_year(struct span s, struct year_label *out)
{
	size_t i = 0, adv;
	int prev_digit = 0, d;

	memset(out, 0, sizeof(*out));
	while (i < s.n) {
		struct span t = text_skip(s, i);
		uint32_t cp = text_cp(t.p, t.n, &adv);
		int is_digit = text_is_digit_cp(cp, &d);

		if ((!is_digit || !prev_digit) && era_try(t, i, out))
			return 1;
		prev_digit = is_digit;
		i += adv;
	}
	return 0;
}

int
era_parse_date(struct span s, int *y, int *m, int *d)
{
	struct span t = text_trim(s);
	long yy = -1, mm, dd;
	size_t e;

	/* optional prefix such as 更新日: / 掲載日 / 作成日 */
	{
		static const char *const pfx[] = { "更新日", "掲載日", "公開日",
		    "作成日", "最終更新日", NULL };
		const char *colon;
		size_t i;
		for (i = 0; pfx[i] != NULL; i++)
			if (text_starts(t, pfx[i])) {
				t = text_skip_spaces(text_skip(t,
				    strlen(pfx[i])));
				t = text_skip_spaces(text_skip_lit(t, ":"));
				break;
			}
		colon = text_find(t, ":");
		if (colon != NULL && colon - t.p <= 15 &&
		    text_find((struct span){ t.p, (size_t)(colon - t.p) }, "日"))
			t = text_skip_spaces(text_skip(t,
			    (size_t)(colon - t.p) + 1));
	}
	if ((e = era_name_at(t)) != ERA_NONE) {
		t = text_skip_spaces(text_skip(t, era_names[e].len));
		yy = era_number(&t, 1);
		if (yy < 1 || yy > 99)
			return 0;
		yy += era_names[e].base;
	}
	if (yy < 0) {
		yy = era_number(&t, 0);
		if (yy < 1900 || yy > 2100)
			return 0;
	}
	t = text_skip_spaces(era_skip_gloss(t));	/* 2019(平成31)年 */
	if (!text_starts(t, "年"))
		return 0;
	t = text_skip_spaces(era_skip_gloss(text_skip(t, strlen("年"))));
	mm = era_number(&t, 0);
	t = text_skip_spaces(t);
	if (mm < 1 || mm > 12 || !text_starts(t, "月"))
		return 0;
	t = text_skip_spaces(text_skip(t, strlen("月")));
	dd = era_number(&t, 0);
	t = text_skip_spaces(t);
	if (dd < 1 || dd > 31 || !text_starts(t, "日"))
		return 0;
	t = text_trim(text_skip(t, strlen("日")));
	/* allow a trailing 更新 / 掲載 / (曜日) */
	if (t.n > 0 && !text_starts(t, "更新") && !text_starts(t, "掲載") &&
	    !text_starts(t, "("))
		return 0;
	if (t.n > 30)
		return 0;
	*y = (int)yy;
	*m = (int)mm;
	*d = (int)dd;
	return 1;
}
