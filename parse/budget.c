/*
 * budget.c: budget amounts and labels.  Amounts are Arabic or kanji digits
 * with Japanese multipliers (十 百 千 万 億 兆, combined as in 5千4百万 or
 * 65百万) and an optional 円; a printed dash is "no amount".  Labels are the
 * printed kind without the year (令和2年度算定見込額 -> 算定見込額).
 */
#include <stdio.h>
#include <string.h>

#include "swar.h"
#include "text.h"
#include "era.h"
#include "budget.h"

/* The value of a kanji digit, -1 if cp is none: a switch, which the
 * compiler makes a few compares (a loop over the ten ran on every
 * character after an amount's digits: 千, 円, 万). */
static int
budget_kanji_digit(uint32_t cp)
{
	switch (cp) {
	case 0x3007: return 0;	/* 〇 */
	case 0x4E00: return 1;	/* 一 */
	case 0x4E8C: return 2;	/* 二 */
	case 0x4E09: return 3;	/* 三 */
	case 0x56DB: return 4;	/* 四 */
	case 0x4E94: return 5;	/* 五 */
	case 0x516D: return 6;	/* 六 */
	case 0x4E03: return 7;	/* 七 */
	case 0x516B: return 8;	/* 八 */
	case 0x4E5D: return 9;	/* 九 */
	default: return -1;
	}
}

/* The multiplier of a unit character: 十 百 千 (*big 0: inside a group
 * of four digits) or 万 億 兆 (*big 1: a group's own unit); 0 if cp is
 * neither. */
static double
budget_unit(uint32_t cp, int *big)
{
	*big = 0;
	switch (cp) {
	case 0x5341: return 10;			/* 十 */
	case 0x767E: return 100;		/* 百 */
	case 0x5343: return 1000;		/* 千 */
	case 0x4E07: *big = 1; return 1e4;	/* 万 */
	case 0x5104: *big = 1; return 1e8;	/* 億 */
	case 0x5146: *big = 1; return 1e12;	/* 兆 */
	default: return 0;
	}
}

static int
budget_is_dash(uint32_t cp)
{
	return cp == '-' || cp == 0x2010 || cp == 0x2011 || cp == 0x2012 ||
	    cp == 0x2013 || cp == 0x2014 || cp == 0x2015 || cp == 0x2212 ||
	    cp == 0x30FC || cp == 0xFF0D || cp == 0xFF70 || cp == 0x2500;
}

/* Skips an optional unit tail (千円, 円, 百万円, 千) after a dash. */
static struct span
budget_skip_unit(struct span s)
{
	size_t adv;
	int big;

	s = text_skip_spaces(s);
	while (s.n > 0) {
		uint32_t cp = text_cp(s.p, s.n, &adv);
		if (budget_unit(cp, &big) > 0)
			s = text_skip(s, adv);
		else
			break;
	}
	s = text_skip_spaces(s);
	return text_skip_lit(s, "円");
}

/* Reads one number (Arabic or kanji digits, "," groups, one ".") at *t;
 * returns its value, *nd counts digits (0: no number). */
static double
budget_read_number(struct span *t, int *nd)
{
	double v = 0, scale = 0;
	size_t adv;
	int d;

	while (t->n > 0) {
		uint32_t cp = text_cp(t->p, t->n, &adv);
		if (text_is_digit_cp(cp, &d) ||
		    (d = budget_kanji_digit(cp)) >= 0) {
			if (scale > 0) {
				v += d / scale;
				scale *= 10;
			} else
				v = v * 10 + d;
			(*nd)++;
		} else if ((cp == ',' || (cp == '.' && scale == 0)) &&
		    *nd > 0 && t->n > 1 && text_is_digit_cp(text_cp(t->p + 1,
		    t->n - 1, &adv), &d)) {
			adv = 1;
			if (cp == '.')
				scale = 10;
		} else
			break;
		*t = text_skip(*t, adv);
		if (*nd > 18)
			return -1;
	}
	return v;
}

/* A unit after a space: "11,050 千円" -> 1000; 0 if none. */
static double
budget_spaced_unit(struct span *t)
{
	struct span u = text_skip_spaces(*t), w;
	double mul = 1;
	size_t adv;
	int big;

	if (!text_starts(u, "千円") && !text_starts(u, "百万円") &&
	    !text_starts(u, "万円"))
		return 0;
	for (w = u; w.n > 0; w = text_skip(w, adv)) {
		uint32_t cp = text_cp(w.p, w.n, &adv);
		double unit = budget_unit(cp, &big);

		if (unit == 0)
			break;
		mul *= unit;
	}
	*t = text_skip(w, strlen("円"));
	return mul;
}

/* A dash amount (-, - 円, -千円): 1 and *used, 0 if s is not one. */
static int
budget_dash(struct span s, struct span t, size_t *used)
{
	size_t adv;
	int d;

	if (t.n == 0 || !budget_is_dash(text_cp(t.p, t.n, &adv)))
		return 0;
	t = text_skip(t, adv);
	/* a dash followed by digits is a range or a minus: not ours */
	if (t.n > 0 && text_is_digit_cp(text_cp(t.p, t.n, &adv), &d))
		return -1;
	t = budget_skip_unit(t);
	*used = (size_t)(t.p - s.p);
	return 1;
}

int
budget_parse_amount(struct span s, int *has, long long *yen, size_t *used)
{
	struct span t = text_skip_spaces(s);
	double total = 0, section = 0, cur = 0, mul, unit;
	int have_cur = 0, ndigits = 0, units = 0, dash, big;
	size_t adv;

	if (t.n == 0)
		return 0;
	if ((dash = budget_dash(s, t, used)) != 0) {
		*has = 0;
		*yen = 0;
		return dash > 0;
	}
	while (t.n > 0) {
		uint32_t cp = text_cp(t.p, t.n, &adv);
		int d;
		if (text_is_digit_cp(cp, &d) || budget_kanji_digit(cp) >= 0) {
			if (have_cur)
				return 0;
			cur = budget_read_number(&t, &ndigits);
			if (cur < 0)
				return 0;
			have_cur = 1;
			continue;
		}
		unit = budget_unit(cp, &big);
		if (unit == 0)
			break;
		if (!big) {				/* 十 百 千 */
			section += (have_cur ? cur : 1) * unit;
		} else {				/* 万 億 兆 */
			section += have_cur ? cur : 0;
			total += (section == 0 ? 1 : section) * unit;
			section = 0;
		}
		have_cur = 0;
		units++;
		t = text_skip(t, adv);
	}
	if (ndigits == 0)
		return 0;
	total += section + (have_cur ? cur : 0);
	if (text_starts(text_skip_spaces(t), "円")) {
		t = text_skip(text_skip_spaces(t), strlen("円"));
		units++;
	} else if (units == 0 && (mul = budget_spaced_unit(&t)) > 0) {
		total *= mul;
		units++;
	}
	if (total > 9e15 || total < 0)
		return 0;
	*has = 1;
	*yen = (long long)(total + 0.5);
	*used = (size_t)(t.p - s.p);
	return units > 0 ? 1 : 2;	/* 2: a bare number, no unit */
}

/* Skips a year prefix: 令和2年度 / 29年度 / 2年度 / 31 (before a label). */
static struct span
budget_skip_year(struct span s)
{
	struct year_label yl;
	struct span t;
	size_t adv;
	int d, nd = 0, big;

	s = text_skip_spaces(s);
	/* most brackets start with their label or amount: no year, and no
	 * era name or 元 for the steps below either */
	if (!era_may_start(s) && !text_starts(s, "元"))
		return s;
	if (era_year_at(s, &yl))
		return text_skip_spaces(yl.rest);
	t = s;
	if (text_starts(t, "令和") || text_starts(t, "平成"))
		t = text_skip_spaces(text_skip(t, strlen("令和")));
	if (text_starts(t, "元年度"))
		return text_skip_spaces(text_skip(t, strlen("元年度")));
	while (t.n > 0 && text_is_digit_cp(text_cp(t.p, t.n, &adv), &d)) {
		t = text_skip(t, adv);
		nd++;
	}
	if (nd == 0 || nd > 4)
		return s;
	t = text_skip_spaces(t);
	if (text_starts(t, "年度"))
		return text_skip_spaces(text_skip(t, strlen("年度")));
	/* bare year digits glued to a label: 31算定見込額 */
	if (t.n > 0) {
		uint32_t cp = text_cp(t.p, t.n, &adv);
		if (cp >= 0x3000 && budget_unit(cp, &big) == 0 &&
		    cp != 0x5186 /* 円 */ &&
		    text_find(t, "額"))
			return t;
	}
	return s;
}

int
budget_parse_inner(struct span s, struct budget *b)
{
	struct span t = text_trim(s), lab = { NULL, 0 };
	const char *gaku;
	size_t used;
	int has, r;
	long long yen;

	memset(b, 0, sizeof(*b));
	t = text_skip_spaces(text_skip_lit(t, "別途"));
	t = text_skip_spaces(text_skip_lit(t, ":"));
	t = budget_skip_year(t);
	gaku = text_find(t, "額");
	if (gaku != NULL && (size_t)(gaku - t.p) <= 60) {
		struct span before = { t.p, (size_t)(gaku - t.p) };
		size_t i, adv;
		int d, digits = 0;
		for (i = 0; i < before.n; i += adv)
			if (text_is_digit_cp(text_cp(before.p + i,
			    before.n - i, &adv), &d))
				digits = 1;
		if (!digits) {
			lab.p = t.p;
			lab.n = before.n + strlen("額");
			t = text_skip(t, lab.n);
			t = text_skip_spaces(t);
			t = text_skip_spaces(text_skip_lit(t, ":"));
		}
	}
	t = text_skip_spaces(text_skip_lit(t, "約"));
	r = budget_parse_amount(t, &has, &yen, &used);
	if (r == 0)
		return 0;
	if (r == 2 && lab.n == 0)
		return 0;		/* a bare number is not a budget */
	if (!has && lab.n == 0 && text_trim(text_skip(t, used)).n == 0 &&
	    text_trim(t).n <= 1)
		return 0;		/* a lone "-" without a label */
	t = text_trim(text_skip(t, used));
	if (t.n > 0 && !text_starts(t, "※") && !text_starts(t, "("))
		return 0;		/* more text: not a pure amount */
	lab = text_trim(lab);
	if (lab.n >= sizeof(b->label))
		lab.n = 0;
	memcpy(b->label, lab.p ? lab.p : "", lab.n);
	b->label[lab.n] = '\0';
	b->has_amount = has;
	b->amount = yen;
	return 1;
}

int
budget_column_label(struct span s, char *label, size_t labelsz)
{
	const char *o = text_find(s, "(");
	const char *c;
	struct span in, t;
	const char *gaku;

	if (o == NULL)
		return 0;
	in = text_skip(s, (size_t)(o - s.p) + 1);
	c = text_find(in, ")");
	if (c != NULL)
		in.n = (size_t)(c - in.p);
	t = budget_skip_year(in);
	gaku = text_find(t, "額");
	if (gaku == NULL)
		return 0;
	t.n = (size_t)(gaku - t.p) + strlen("額");
	t = text_trim(t);
	if (t.n == 0 || t.n >= labelsz)
		return 0;
	memcpy(label, t.p, t.n);
	label[t.n] = '\0';
	return 1;
}

/* Bracket pairs a budget may be printed in, with their lengths: read
 * from the table, text_starts and strlen measured them at run time, on
 * every bracket. */
#define BUDGET_PAIR(o, c)	{ o, c, sizeof(o) - 1, sizeof(c) - 1 }
static const struct {
	const char *open, *close;
	size_t	 on, cn;
} budget_pairs[] = {
	BUDGET_PAIR("(", ")"), BUDGET_PAIR("【", "】"), BUDGET_PAIR("《", "》"),
	BUDGET_PAIR("≪", "≫"), BUDGET_PAIR("[", "]"), BUDGET_PAIR("〔", "〕"),
	BUDGET_PAIR("<", ">"), BUDGET_PAIR("〈", "〉"),
};

/* The closer of the bracket that opens s (NULL if none); *openlen and
 * *closelen get the two brackets' lengths. */
static const char *
budget_closer(struct span s, size_t *openlen, size_t *closelen)
{
	size_t i;

	for (i = 0; i < sizeof(budget_pairs) / sizeof(budget_pairs[0]); i++)
		if (s.n >= budget_pairs[i].on && text_same(s.p,
		    budget_pairs[i].open, budget_pairs[i].on)) {
			*openlen = budget_pairs[i].on;
			*closelen = budget_pairs[i].cn;
			return budget_pairs[i].close;
		}
	return NULL;
}

/* A budget group at the start of s: 1 and *len consumed, *b filled. */
static int
budget_group(struct span s, struct budget *b, size_t *len)
{
	size_t ol, cl, lim;
	const char *close = budget_closer(s, &ol, &cl), *e;
	struct span in;

	if (close == NULL)
		return 0;
	in = text_skip(s, ol);
	lim = in.n < 240 ? in.n : 240;
	e = text_find_n((struct span){ in.p, lim }, close, cl);
	if (e != NULL) {
		in.n = (size_t)(e - in.p);
		*len = ol + in.n + cl;
	} else {
		/* truncated: the bracket runs to the end of the text */
		if (in.n > 240)
			return 0;
		*len = s.n;
	}
	if (budget_parse_inner(in, b))
		return 1;
	/* 《-》: a dash alone in the budget-only brackets */
	if ((strcmp(close, "》") == 0 || strcmp(close, "≫") == 0) &&
	    text_trim(in).n == 1 && text_trim(in).p[0] == '-') {
		memset(b, 0, sizeof(*b));
		return 1;
	}
	return 0;
}

/* Whether an opener ( [ < 【 《 〔 〈 ≪ starts at byte i of s. */
static int
budget_opener_at(struct span s, size_t i)
{
	const unsigned char *u = (const unsigned char *)s.p;

	return u[i] == '(' || u[i] == '[' || u[i] == '<' || (i + 2 < s.n &&
	    ((u[i] == 0xE3 && u[i + 1] == 0x80 && (u[i + 2] == 0x90 ||
	    u[i + 2] == 0x8A || u[i + 2] == 0x94 || u[i + 2] == 0x88)) ||
	    (u[i] == 0xE2 && u[i + 1] == 0x89 && u[i + 2] == 0xAA)));
}

/* Bytes a character starting with byte c takes (valid UTF-8). */
static inline size_t
budget_cp_len(unsigned char c)
{
	return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Whether the 16 bytes at u (u[16] readable) may hold what
 * budget_next_opener looks at: ( [ <, or the start of a character E3 80 xx,
 * E3 89 xx or E2 89 xx.  Lead bytes are never continuation bytes, so a
 * block begun inside a character is tested right. */
static inline int
budget_block_may_open(const unsigned char *u)
{
	swar_u8x16 v = swar_load16(u), n1 = swar_load16(u + 1);

	return swar_any16((swar_u8x16)(v == '(') | (swar_u8x16)(v == '[') |
	    (swar_u8x16)(v == '<') | (((swar_u8x16)(v == 0xE3) |
	    (swar_u8x16)(v == 0xE2)) & ((swar_u8x16)(n1 == 0x89) |
	    ((swar_u8x16)(v == 0xE3) & (swar_u8x16)(n1 == 0x80)))));
}

/* The first opener at or after byte from (a character start) where the
 * first group may start (s.n if none: only byte 0 for BUDGET_AT_START,
 * none past a 。 for BUDGET_BEFORE_PERIOD).  Blocks of sixteen bytes
 * without such a byte are passed over at once; else a walk by
 * characters: a 3-byte one is looked at only when it is E3 80 xx, E3 89
 * xx or E2 89 xx, the blocks of every multi-byte opener and of 。.  (A
 * walk resumed inside a character steps over its continuation bytes one
 * at a time.) */
static size_t
budget_next_opener(struct span s, size_t from, enum budget_where where)
{
	const unsigned char *u = (const unsigned char *)s.p;
	size_t j = from, end;

	if (where == BUDGET_AT_START)
		return from == 0 && s.n > 0 && budget_opener_at(s, 0) ? 0 : s.n;
	while (j < s.n) {
		if (j + 17 <= s.n && !budget_block_may_open(u + j)) {
			j += 16;
			continue;
		}
		for (end = s.n - j > 16 ? j + 16 : s.n; j < end;) {
			unsigned char c = u[j];

			if (c < 0x80) {
				if (c == '(' || c == '[' || c == '<')
					return j;
				j++;
				continue;
			}
			if ((c == 0xE3 || c == 0xE2) && j + 2 < s.n &&
			    (u[j + 1] == 0x89 || (c == 0xE3 &&
			    u[j + 1] == 0x80))) {
				if (budget_opener_at(s, j))
					return j;
				/* 。 (E3 80 82); E3 89 82 (㉂, which NFKC
				 * has made "(自)" before this runs) stops the
				 * scan as well, as it always did */
				if (where == BUDGET_BEFORE_PERIOD &&
				    c == 0xE3 && u[j + 2] == 0x82)
					return s.n;
			}
			j += budget_cp_len(c);
		}
	}
	return s.n;
}

size_t
budget_scan(struct span s, enum budget_where where, struct budget *out,
    size_t max, size_t *first, size_t *after)
{
	size_t i = 0, n = 0, adv, len;
	struct budget b;

	*first = s.n;
	*after = 0;
	while (i < s.n) {
		struct span t;
		uint32_t cp;

		if (n == 0) {
			/* before the first group: jump to the next opener */
			i = budget_next_opener(s, i, where);
			if (i >= s.n)
				break;
		}
		t = text_skip(s, i);
		cp = text_cp(t.p, t.n, &adv);
		if ((cp == '(' || cp == 0x3010 || cp == 0x300A || cp == 0x226A ||
		    cp == '[' || cp == 0x3014 || cp == '<' || cp == 0x3008) &&
		    budget_group(t, &b, &len)) {
			if (n == 0)
				*first = i;
			else {
				/* only budgets adjacent to the first count */
				struct span gap = { s.p + *after, i - *after };
				if (text_trim(gap).n != 0)
					break;
			}
			if (n < max)
				out[n] = b;
			n++;
			i += len;
			*after = i;
			continue;
		}
		if (n > 0 && !text_is_space_cp(cp))
			break;
		i += adv;
	}
	return n < max ? n : max;
}

int
budget_header_cell(struct span s, char *label, size_t labelsz,
    long long *unit)
{
	struct span t = budget_skip_year(text_trim(s));
	const char *gaku = text_find(t, "額");
	size_t n;

	if (gaku == NULL || text_cp_count(t) > 20)
		return 0;
	n = (size_t)(gaku - t.p) + strlen("額");
	if (n >= labelsz || memchr(t.p, '(', n) != NULL)
		return 0;
	memcpy(label, t.p, n);
	label[n] = '\0';
	*unit = text_find(t, "(千円)") ? 1000 : text_find(t, "(百万円)") ?
	    1000000 : text_find(t, "(万円)") ? 10000 : text_find(t, "(円)") ?
	    1 : 0;
	return 1;
}
