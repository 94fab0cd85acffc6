/*
 * text.h: the parser's view of text: a span (pointer, length) of valid
 * UTF-8, code points, trimming, prefix tests, Markdown heading marks, and a
 * span with its white space collapsed.  Every stage builds on these.
 */
#ifndef PLANQ_PARSE_TEXT_H
#define PLANQ_PARSE_TEXT_H

#include "internal.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sbuf;

struct span {
	const char *p;
	size_t	 n;
};

/* Decodes the code point at s (valid UTF-8 assumed, n > 0 bytes left);
 * *adv gets its length.  Inline: it is on every hot path. */
static inline uint32_t
text_cp(const char *s, size_t n, size_t *adv)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n == 0) {
		*adv = 0;
		return 0;
	}
	if (u[0] < 0x80) {
		*adv = 1;
		return u[0];
	}
	if ((u[0] & 0xF0) == 0xE0 && n >= 3) {
		*adv = 3;
		return ((uint32_t)(u[0] & 0x0F) << 12) |
		    ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
	}
	if ((u[0] & 0xE0) == 0xC0 && n >= 2) {
		*adv = 2;
		return ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
	}
	if ((u[0] & 0xF8) == 0xF0 && n >= 4) {
		*adv = 4;
		return ((uint32_t)(u[0] & 0x07) << 18) |
		    ((uint32_t)(u[1] & 0x3F) << 12) |
		    ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
	}
	*adv = 1;
	return 0xFFFD;
}

/* White space: ASCII blanks and controls \t..\r, U+3000, NBSP. */
static inline int
text_is_space_cp(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
	    cp == 0x3000 || cp == 0xA0 || cp == '\f' || cp == '\v';
}

/* Bit 1: byte c may start white space; bit 2: it may end it. */
static inline unsigned
text_space_edge(unsigned char c)
{
	static const unsigned char edge[256] = {
		['\t'] = 3, ['\n'] = 3, ['\v'] = 1, ['\f'] = 1, ['\r'] = 3,
		[' '] = 3, [0xC2] = 1, [0xE3] = 1,	/* may start a space */
		[0x80] = 2, [0xA0] = 2,			/* may end one */
	};

	return edge[c];
}

/* Whether s starts with white space: the first byte, and for a 2- or
 * 3-byte lead that may start one (C2, E3) the bytes after it. */
static inline int
text_space_first(struct span s)
{
	const unsigned char *u = (const unsigned char *)s.p;

	if (s.n == 0 || (text_space_edge(u[0]) & 1) == 0)
		return 0;
	if (u[0] < 0x80)
		return 1;
	if (u[0] == 0xC2)
		return s.n >= 2 && u[1] == 0xA0;
	return s.n >= 3 && u[1] == 0x80 && u[2] == 0x80;
}

/* Whether s ends with white space text_trim removes (not \f \v). */
static inline int
text_space_last(struct span s)
{
	const unsigned char *u = (const unsigned char *)s.p;

	if (s.n == 0 || (text_space_edge(u[s.n - 1]) & 2) == 0)
		return 0;
	if (u[s.n - 1] < 0x80)
		return 1;
	if (u[s.n - 1] == 0xA0)
		return s.n >= 2 && u[s.n - 2] == 0xC2;
	return s.n >= 3 && u[s.n - 2] == 0x80 && u[s.n - 3] == 0xE3;
}

struct span text_trim_slow(struct span s);
struct span text_skip_spaces_slow(struct span s);

/* Strips white space (ASCII, U+3000, NBSP) at both ends.  Inline: most
 * spans have none, which the first and last character tell. */
static inline struct span
text_trim(struct span s)
{
	if (!text_space_first(s) && !text_space_last(s))
		return s;
	return text_trim_slow(s);
}

/* Whether the n bytes at p are w's: the first three compared in place
 * (a Japanese word's first character; most mismatches show there), the
 * third first (that character's last byte: kanji share a handful of lead
 * bytes, so the first matches far more often), the rest, if any, by
 * memcmp. */
static inline int
text_same(const char *p, const char *w, size_t n)
{
	return (n < 3 || p[2] == w[2]) && (n < 1 || p[0] == w[0]) &&
	    (n < 2 || p[1] == w[1]) &&
	    (n <= 3 || memcmp(p + 3, w + 3, n - 3) == 0);
}

/* Prefix/suffix tests and skips, inline so strlen(literal) folds; the
 * first byte is compared before memcmp is called. */
static inline int
text_starts(struct span s, const char *lit)
{
	size_t l = strlen(lit);

	return s.n >= l && (l == 0 || s.p[0] == lit[0]) &&
	    memcmp(s.p, lit, l) == 0;
}

static inline int
text_ends(struct span s, const char *lit)
{
	size_t l = strlen(lit);

	return s.n >= l && (l == 0 || s.p[s.n - 1] == lit[l - 1]) &&
	    memcmp(s.p + s.n - l, lit, l) == 0;
}

static inline struct span
text_skip(struct span s, size_t nbytes)
{
	if (nbytes > s.n)
		nbytes = s.n;
	s.p += nbytes;
	s.n -= nbytes;
	return s;
}

/* The first occurrence of lit (l bytes) in s, or NULL: memchr for the
 * third byte of a leading 3-byte character (rarer than lead bytes in
 * Japanese text), then the candidate compared in place.  Inline: the call
 * cost as much as the search on the short spans most calls get. */
static inline const char *
text_find_n(struct span s, const char *lit, size_t l)
{
	size_t k;
	const char *p, *end;

	if (l == 0)
		return s.p;
	if (s.n < l)
		return NULL;
	k = ((unsigned char)lit[0] >= 0xE0 && l >= 3) ? 2 : 0;
	p = s.p + k;
	end = s.p + (s.n - l) + k + 1;
	while (p < end && (p = memchr(p, lit[k], (size_t)(end - p))) != NULL) {
		if (text_same(p - k, lit, l))
			return p - k;
		p++;
	}
	return NULL;
}

/* text_find_n for a C string: inline, so that strlen of a literal folds. */
static inline const char *
text_find(struct span s, const char *lit)
{
	return text_find_n(s, lit, strlen(lit));
}

static inline struct span
text_skip_lit(struct span s, const char *lit)
{
	return text_starts(s, lit) ? text_skip(s, strlen(lit)) : s;
}
/* Skips white space at the start of s.  Inline: most spans start with
 * none, which the first character tells. */
static inline struct span
text_skip_spaces(struct span s)
{
	if (!text_space_first(s))
		return s;
	return text_skip_spaces_slow(s);
}
/* Bytes at s before the first one below 0x21 (space, tab, newline, other
 * controls), n if none: sixteen bytes at a time, then eight, then one. */
size_t	text_word_len(const char *s, size_t n);
/* Offset of the first white-space character (text_is_space_cp) in s, s.n
 * if none: sixteen bytes at a time. */
size_t	text_space_find(struct span s);
/* An ASCII or full-width digit: 1 with *val its value. */
static inline int
text_is_digit_cp(uint32_t cp, int *val)
{
	if (cp >= '0' && cp <= '9') {
		*val = (int)(cp - '0');
		return 1;
	}
	if (cp >= 0xFF10 && cp <= 0xFF19) {	/* full-width, if not NFKC'd */
		*val = (int)(cp - 0xFF10);
		return 1;
	}
	return 0;
}
size_t	text_cp_count(struct span s);
/* Strips leading Markdown heading marks, list markers and bold marks;
 * *level gets the heading level (0 when not a heading). */
struct span text_strip_heading(struct span s, int *level);
/* s with white space trimmed and collapsed, into *out: s itself when it
 * needs no change, else scratch's contents; 0 (nothing) when empty. */
int	text_collapse(struct span s, struct sbuf *scratch, struct span *out);
/* Appends s (n bytes) to b with runs of white space collapsed to one space,
 * separated from existing content by one space. */
void	text_add_words(struct sbuf *b, const char *s, size_t n);

#endif
