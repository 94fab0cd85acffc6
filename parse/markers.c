/*
 * markers.c: recognises the item markers of a plan at the start of a span:
 * 【経営課題1 …】 ≪経営課題1≫ 経営課題1 …, 【1-1 …】 【戦略1-1】 主な戦略【1-1 …】 ☆,
 * 【1-1-2 …】 【具体的取組1-1-2】 【主な具体的取組1-1-1 …】 ○, 【取組項目1】 and
 * 主な取組項目 ….  Every match looks at a bounded prefix of the span.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "markers.h"

#define MARK_BRACKET_MAX 400	/* bytes searched for a closing bracket */

struct mark_word {
	const char *w;
	size_t	 n;
};
#define MK(s)	{ s, sizeof(s) - 1 }
static const struct mark_word mark_open[] = { MK("【"), MK("≪"), MK("《"),
    MK("〔"), MK("[") };
static const struct mark_word mark_close[] = { MK("】"), MK("≫"), MK("》"),
    MK("〕"), MK("]") };
#define MARK_NPAIRS	(sizeof(mark_open) / sizeof(mark_open[0]))

enum { PFX_NONE, PFX_ISSUE, PFX_STRATEGY, PFX_INITIATIVE, PFX_REFORM };

#define MW(s, k)	{ s, sizeof(s) - 1, k }

static const struct {
	const char *word;
	size_t	 len;
	int	 kind;
} mark_prefixes[] = {
	MW("重点的に取り組む主な経営課題", PFX_ISSUE),
	MW("主な経営課題", PFX_ISSUE),
	MW("経営課題", PFX_ISSUE),
	MW("主な具体的取組", PFX_INITIATIVE),
	MW("具体的取組", PFX_INITIATIVE),
	MW("主な具体的な取組", PFX_INITIATIVE),
	MW("具体的な取組", PFX_INITIATIVE),
	MW("主な戦略", PFX_STRATEGY),
	MW("戦略", PFX_STRATEGY),
	MW("主な取組項目", PFX_REFORM),
	MW("取組項目", PFX_REFORM),
	MW("主な取組", PFX_INITIATIVE),	/* needs a 3-part code */
	MW("取組", PFX_INITIATIVE),
};

static int
mark_prefix(struct span *s)
{
	size_t i;

	if (s->n < 2)
		return PFX_NONE;
	/* every prefix starts with 重 主 経 具 戦 or 取: lead bytes E4 E5 E6 E7
	 * E9 (bit n - 0xE0 of 0x2F0), so a span starting with kana, ASCII
	 * or a symbol needs no look at the table */
	if ((unsigned char)s->p[0] < 0xE0 ||
	    !((0x2F0u >> ((unsigned char)s->p[0] - 0xE0)) & 1))
		return PFX_NONE;
	for (i = 0; i < sizeof(mark_prefixes) / sizeof(mark_prefixes[0]); i++)
		if (s->n >= mark_prefixes[i].len &&
		    s->p[0] == mark_prefixes[i].word[0] &&
		    s->p[1] == mark_prefixes[i].word[1] && memcmp(s->p,
		    mark_prefixes[i].word, mark_prefixes[i].len) == 0) {
			*s = text_skip(*s, mark_prefixes[i].len);
			return mark_prefixes[i].kind;
		}
	return PFX_NONE;
}

static int
mark_is_sep(uint32_t cp)
{
	return cp == '-' || (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 ||
	    cp == 0x30FC || cp == 0xFF0D;
}

/* Reads a code such as 1-1-2 into out ("1-1-2"); returns parts (0 none). */
static int
mark_code(struct span *s, char *out, size_t outsz, long *first)
{
	struct span t = *s;
	size_t o = 0, adv;
	int parts = 0, d, nd;

	for (;;) {
		long v = 0;
		nd = 0;
		while (t.n > 0 && text_is_digit_cp(text_cp(t.p, t.n, &adv), &d)
		    && nd < 6) {
			v = v * 10 + d;
			nd++;
			t = text_skip(t, adv);
		}
		if (nd == 0)
			break;
		if (parts == 0)
			*first = v;
		{
			char tmp[24];
			size_t k = 0;
			do {
				tmp[k++] = (char)('0' + v % 10);
				v /= 10;
			} while (v > 0);
			if (o + k + 2 >= outsz)
				return 0;
			if (parts)
				out[o++] = '-';
			while (k > 0)
				out[o++] = tmp[--k];
			out[o] = '\0';
		}
		parts++;
		*s = t;
		if (parts == 3 || t.n == 0)
			break;
		if (!mark_is_sep(text_cp(t.p, t.n, &adv)))
			break;
		t = text_skip(t, adv);
		if (t.n == 0 || !text_is_digit_cp(text_cp(t.p, t.n, &adv), &d))
			break;
	}
	return parts;
}

/* After a code: a separator (space, :, ., 、) or the end. */
static struct span
mark_after_code(struct span s, int *ok)
{
	size_t adv;
	uint32_t cp;

	if (s.n == 0) {
		*ok = 1;
		return s;
	}
	cp = text_cp(s.p, s.n, &adv);
	*ok = 1;
	if (text_is_space_cp(cp))
		return text_skip_spaces(s);
	if (cp == ':' || cp == '.' || cp == 0x3001 || cp == 0x30FB)
		return text_skip_spaces(text_skip(s, adv));
	*ok = 0;
	return s;
}

/* Parses the inside of a bracket (or an unbracketed line head). */
static int
mark_parse(struct span c, int implied, int bracketed, struct marker *m)
{
	int pfx, parts, ok;
	struct span t;

	c = text_trim(c);
	pfx = mark_prefix(&c);
	if (pfx == PFX_NONE)
		pfx = implied;
	c = text_skip_spaces(c);
	m->number = -1;
	parts = mark_code(&c, m->code, sizeof(m->code), &m->number);
	t = mark_after_code(c, &ok);
	if (!ok && parts > 0) {
		/* 【1-1地域…】: a title glued to the code, bracketed only */
		if (!bracketed)
			return 0;
		t = c;
	}
	m->title = text_trim(t);
	switch (pfx) {
	case PFX_ISSUE:
		if (parts != 1)
			return 0;
		m->kind = MARK_ISSUE;
		m->code[0] = '\0';
		return 1;
	case PFX_REFORM:
		m->kind = MARK_REFORM;
		m->code[0] = '\0';
		if (parts == 0 && m->title.n == 0 && bracketed)
			return 0;
		return 1;
	case PFX_STRATEGY:
		if (parts != 2)
			return 0;
		m->kind = MARK_STRATEGY;
		return 1;
	case PFX_INITIATIVE:
		if (parts != 3)
			return 0;
		m->kind = MARK_INITIATIVE;
		return 1;
	default:
		if (!bracketed || !ok)
			return 0;
		if (parts == 2)
			m->kind = MARK_STRATEGY;
		else if (parts == 3)
			m->kind = MARK_INITIATIVE;
		else
			return 0;
		return 1;
	}
}

/* Whether s starts with w (a bracket: one to three bytes, compared in
 * place rather than by a memcmp call).  The last byte first: the
 * brackets' first bytes are E3 or E2 like most of Japanese text, their
 * last ones tell them apart from it. */
static inline int
mark_word_at(struct span s, const struct mark_word *w)
{
	size_t k;

	if (s.n < w->n || s.p[w->n - 1] != w->w[w->n - 1])
		return 0;
	for (k = 0; k + 1 < w->n; k++)
		if (s.p[k] != w->w[k])
			return 0;
	return 1;
}

/* Bracketed marker at s; 1 with m filled. */
static int
mark_bracket(struct span s, int implied, struct marker *m)
{
	size_t i, lim;
	unsigned char c0 = s.n ? (unsigned char)s.p[0] : 0;

	if (c0 != 0xE3 && c0 != 0xE2 && c0 != '[')
		return 0;	/* no opener starts with another byte */
	for (i = 0; i < MARK_NPAIRS; i++) {
		const struct mark_word *o = &mark_open[i], *c = &mark_close[i];
		const char *e;
		struct span in;

		if (!mark_word_at(s, o))
			continue;
		in = text_skip(s, o->n);
		lim = in.n < MARK_BRACKET_MAX ? in.n : MARK_BRACKET_MAX;
		/* the closer, then a second opener before it: not a marker
		 * (searched up to the closer only, not over the whole
		 * bounded prefix) */
		e = text_find_n((struct span){ in.p, lim }, c->w, c->n);
		if (e == NULL)
			return 0;
		in.n = (size_t)(e - in.p);
		if (text_find_n(in, o->w, o->n) != NULL)
			return 0;
		if (!mark_parse(in, implied, 1, m))
			return 0;
		m->bracketed = 1;
		m->rest = text_skip(s, o->n + in.n + c->n);
		return 1;
	}
	return 0;
}

int
markers_match(struct span s, struct marker *m)
{
	struct span t;
	size_t adv;
	uint32_t cp;
	int pfx;

	memset(m, 0, sizeof(*m));
	m->number = -1;
	s = text_trim(s);
	if (s.n == 0)
		return 0;
	if (mark_bracket(s, PFX_NONE, m))
		return 1;
	/* 主な戦略【1-1 …】, 経営課題1 …, 主な取組項目 … */
	t = s;
	pfx = mark_prefix(&t);
	if (pfx != PFX_NONE) {
		struct span u = text_skip_spaces(t);
		if (mark_bracket(u, pfx, m))
			return 1;
		memset(m, 0, sizeof(*m));
		m->number = -1;
		if (pfx == PFX_REFORM) {
			struct span c = u;
			char code[32];
			long first;
			/* 取組項目1 title */
			if (mark_code(&c, code, sizeof(code), &first) == 1) {
				int ok;
				c = mark_after_code(c, &ok);
				if (ok && c.n > 0) {
					m->kind = MARK_REFORM;
					m->rest = text_trim(c);
					return 1;
				}
				return 0;
			}
			/* 主な取組項目 title: needs a title */
			if (u.n == 0 || u.p == t.p)
				return 0;
			m->kind = MARK_REFORM;
			m->rest = text_trim(u);
			return 1;
		}
		if (!mark_parse(t, pfx, 0, m))
			return 0;
		if (m->kind == MARK_REFORM)
			return 0;
		/* unbracketed: title (and maybe body) follow the code */
		m->rest = m->title;
		m->title = text_skip(m->title, m->title.n);
		m->title.n = 0;
		return 1;
	}
	cp = text_cp(s.p, s.n, &adv);
	if (cp == 0x2606 || cp == 0x2605) {		/* ☆ ★ */
		m->kind = MARK_STRATEGY;
		m->symbol = 1;
		m->rest = text_skip_spaces(text_skip(s, adv));
		return 1;
	}
	if (cp == 0x25CB || cp == 0x25EF) {		/* ○ ◯ */
		m->kind = MARK_INITIATIVE;
		m->symbol = 1;
		m->rest = text_skip_spaces(text_skip(s, adv));
		return 1;
	}
	return 0;
}

/* Offset of the first 【 or ≪ at or after from (s.n if none).  Both are
 * three-byte characters whose lead byte never continues another one, so
 * a byte match is a character match in valid UTF-8.  *dbl caches the
 * next ≪ (rare) across calls on the same span. */
static size_t
mark_next_opener(struct span s, size_t from, size_t *dbl)
{
	const char *a;

	if (*dbl == SIZE_MAX || *dbl < from) {
		a = text_find(text_skip(s, from), "≪");
		*dbl = a ? (size_t)(a - s.p) : s.n;
	}
	a = text_find((struct span){ s.p + from, *dbl - from }, "【");
	return a ? (size_t)(a - s.p) : *dbl;
}

/* Start of a 主な戦略 / 主な具体的取組 word right before offset i (not
 * before from); i if none. */
static size_t
mark_word_before(struct span s, size_t from, size_t i)
{
	size_t k;

	for (k = 0; k < sizeof(mark_prefixes) / sizeof(mark_prefixes[0]);
	    k++) {
		size_t l = mark_prefixes[k].len;
		if (i >= from + l && text_same(s.p + i - l,
		    mark_prefixes[k].word, l))
			return i - l;
	}
	return i;
}

size_t
markers_next(struct span s, size_t from, struct marker *found)
{
	size_t i = from, dbl = SIZE_MAX;	/* next ≪: not searched yet */
	struct marker m;

	if (found != NULL)
		found->kind = MARK_NONE;
	if (from >= s.n)
		return s.n;
	while ((i = mark_next_opener(s, i, &dbl)) < s.n) {
		memset(&m, 0, sizeof(m));
		if (mark_bracket(text_skip(s, i), PFX_NONE, &m) &&
		    m.kind != MARK_NONE) {
			size_t w = mark_word_before(s, from, i);
			/* the bracket is the marker there: what markers_match
			 * would find at w (s is trimmed, so its tail is) */
			if (w == i && found != NULL)
				*found = m;
			return w;
		}
		i += 3;
	}
	return s.n;
}

int
markers_match_bare(struct span s, struct marker *m)
{
	struct span t = text_trim(s);
	int ok, parts;

	memset(m, 0, sizeof(*m));
	m->number = -1;
	parts = mark_code(&t, m->code, sizeof(m->code), &m->number);
	if (parts < 2)
		return 0;
	t = mark_after_code(t, &ok);
	if (!ok || t.n == 0 || t.p == s.p)
		return 0;
	m->kind = parts == 2 ? MARK_STRATEGY : MARK_INITIATIVE;
	m->rest = text_trim(t);
	return 1;
}
