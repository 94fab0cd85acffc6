/*
 * text.c: small UTF-8 helpers over (pointer, length) spans: decoding a code
 * point, trimming, prefix tests, the first white space of a span,
 * Markdown heading stripping, white space collapsed into a buffer.  All of
 * them are O(length of what they look at); none allocates except
 * text_add_words() (and text_collapse() through it, into the caller's
 * buffer).
 */
#include <string.h>

#include "sbuf.h"
#include "swar.h"
#include "text.h"

/* Whether the character at byte i of u (n bytes) is white space as
 * text_is_space_cp has it, from its bytes: 09..0D, 20, C2 A0, E3 80 80. */
static inline int
text_space_at(const unsigned char *u, size_t n, size_t i)
{
	unsigned char c = u[i];

	return c == ' ' || (unsigned)(c - '\t') <= '\r' - '\t' ||
	    (c == 0xC2 && i + 1 < n && u[i + 1] == 0xA0) ||
	    (c == 0xE3 && i + 2 < n && u[i + 1] == 0x80 && u[i + 2] == 0x80);
}

/* text_trim() past its inline test: an end may be white space. */
struct span
text_trim_slow(struct span s)
{
	s = text_skip_spaces_slow(s);
	while (s.n > 0) {
		unsigned char c = (unsigned char)s.p[s.n - 1];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			s.n--;
		else if (s.n >= 3 && memcmp(s.p + s.n - 3, "\xE3\x80\x80", 3) == 0)
			s.n -= 3;
		else if (s.n >= 2 && memcmp(s.p + s.n - 2, "\xC2\xA0", 2) == 0)
			s.n -= 2;
		else
			break;
	}
	return s;
}

/* text_skip_spaces() past its inline test: the white space told from its
 * bytes, not decoded (most of these spans have one space before text). */
struct span
text_skip_spaces_slow(struct span s)
{
	const unsigned char *u = (const unsigned char *)s.p;
	size_t i = 0;

	while (i < s.n && text_space_at(u, s.n, i))
		i += u[i] < 0x80 ? 1 : u[i] == 0xC2 ? 2 : 3;
	return text_skip(s, i);
}

size_t
text_space_find(struct span s)
{
	const unsigned char *u = (const unsigned char *)s.p;
	size_t i = 0, end;

	while (i < s.n) {
		/* sixteen bytes without a byte below 0x21 or a C2 A0 or
		 * E3 80 80 start are passed over at once (u[i + 16] and
		 * u[i + 17] are read for the starts in the last lanes) */
		if (i + 18 <= s.n) {
			swar_u8x16 v = swar_load16(u + i);
			swar_u8x16 n1 = swar_load16(u + i + 1);

			if (!swar_any16((swar_u8x16)(v < 0x21) |
			    ((swar_u8x16)(v == 0xC2) & (swar_u8x16)(n1 == 0xA0)) |
			    ((swar_u8x16)(v == 0xE3) & (swar_u8x16)(n1 == 0x80) &
			    (swar_u8x16)(swar_load16(u + i + 2) == 0x80)))) {
				i += 16;
				continue;
			}
		}
		/* byte by byte: a valid span has no lead byte where a
		 * continuation byte is, so each hit is a character start */
		end = s.n - i > 16 ? i + 16 : s.n;
		for (; i < end; i++)
			if (text_space_at(u, s.n, i))
				return i;
	}
	return s.n;
}

/* Whether one of the sixteen (eight) bytes at p is below 0x21. */
static inline int
text_blank16(const char *p)
{
	return swar_any16((swar_u8x16)(swar_load16(p) < 0x21));
}

static inline int
text_blank8(const char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return swar_has_below(w, 0x21) != 0;
}

size_t
text_word_len(const char *s, size_t n)
{
	size_t i = 0;

	for (; i + 16 <= n; i += 16)
		if (text_blank16(s + i))
			break;
	/* a tail of under sixteen (eight) bytes tested first as the last
	 * sixteen (eight) of s, overlapping what was tested: most words run
	 * to the end of their span */
	if (i + 16 > n && n >= 16 && !text_blank16(s + n - 16))
		return n;
	for (; i + 8 <= n; i += 8)
		if (text_blank8(s + i))
			break;
	if (i + 8 > n && n >= 8 && !text_blank8(s + n - 8))
		return n;
	while (i < n && (unsigned char)s[i] >= 0x21)
		i++;
	return i;
}

/* Continuation bytes (10xxxxxx) among the eight at p, as flags in bit 0
 * of each byte lane, the lanes below `keep` masked off. */
static inline size_t
text_cont8(uint64_t w, uint64_t keep)
{
	const uint64_t hi = 0x8080808080808080ULL;

	w = ((w & ~(w << 1) & hi) >> 7) & keep;
	return (size_t)((w * 0x0101010101010101ULL) >> 56);
}

/* Continuation bytes in the whole 16-byte blocks of u[0..n) (n a multiple
 * of 16), by swar.h's vector type (SSE2 code at any -O level): per block, the lanes of a 0x80..0xBF byte count up by one in
 * an accumulator that is summed every 240 bytes (15 per lane at most). */
static size_t
text_cont_blocks(const unsigned char *u, size_t n)
{
	size_t i = 0, cont = 0;

	while (i < n) {
		size_t end = n - i > 240 ? i + 240 : n;
		swar_u8x16 acc = { 0 };
		uint64_t lo, hi;

		for (; i < end; i += 16) {
			swar_u8x16 v = swar_load16(u + i);

			acc -= (swar_u8x16)((v & 0xC0) == 0x80);
		}
		memcpy(&lo, &acc, 8);
		memcpy(&hi, (const unsigned char *)&acc + 8, 8);
		cont += (size_t)(((lo + hi) * 0x0101010101010101ULL) >> 56);
	}
	return cont;
}

/* Code points = bytes that are not continuation bytes.  The 16-byte
 * blocks by the loop above; the tail of under 16 bytes by one or two
 * 8-byte loads, the last one overlapping what was counted (its low,
 * already counted lanes masked off: little-endian, the tail is the top). */
size_t
text_cp_count(struct span s)
{
	const unsigned char *u = (const unsigned char *)s.p;
	size_t i = s.n & ~(size_t)15, cont;

	cont = text_cont_blocks(u, i);
	if (s.n < 8) {
		for (; i < s.n; i++)
			cont += (u[i] & 0xC0) == 0x80;
		return s.n - cont;
	}
	if (s.n - i >= 8) {
		cont += text_cont8(swar_load_le64(u + i), ~0ULL);
		i += 8;
	}
	if (i < s.n)
		cont += text_cont8(swar_load_le64(u + s.n - 8),
		    ~0ULL << (8 * (8 - (s.n - i))));
	return s.n - cont;
}

struct span
text_strip_heading(struct span s, int *level)
{
	int lv = 0;

	s = text_trim(s);
	while (s.n > 0 && s.p[0] == '#') {
		lv++;
		s = text_skip(s, 1);
	}
	if (lv > 0 && (s.n == 0 || s.p[0] == ' ' || s.p[0] == '\t'))
		s = text_trim(s);
	else if (lv > 0) {
		/* "#tag" is not a heading: undo */
		s.p -= lv;
		s.n += (size_t)lv;
		lv = 0;
	}
	for (;;) {
		if (text_starts(s, "**"))
			s = text_trim(text_skip(s, 2));
		else if (text_ends(s, "**"))
			s = text_trim((struct span){ s.p, s.n - 2 });
		else
			break;
	}
	*level = lv;
	return s;
}

int
text_collapse(struct span s, struct sbuf *scratch, struct span *out)
{
	size_t i;

	s = text_trim(s);
	if (s.n == 0)
		return 0;
	/* already collapsed (the usual case): no copy needed */
	for (i = text_word_len(s.p, s.n); i < s.n;
	    i += 1 + text_word_len(s.p + i + 1, s.n - i - 1)) {
		unsigned char c = (unsigned char)s.p[i];
		if (c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		    c == '\v' || (c == ' ' && i + 1 < s.n && s.p[i + 1] == ' '))
			break;
	}
	/* spans are cut at character boundaries of valid UTF-8 (decode
	 * validated it; the fuzzer checks every dump): no re-validation */
	if (i == s.n) {
		*out = s;
		return 1;
	}
	sbuf_reset(scratch);
	text_add_words(scratch, s.p, s.n);
	if (scratch->oom || scratch->len == 0)
		return 0;
	*out = (struct span){ scratch->p, scratch->len };
	return 1;
}

static int
text_is_ascii_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

void
text_add_words(struct sbuf *b, const char *s, size_t n)
{
	size_t i = 0, j;
	int pending = b->len > 0;

	if (sbuf_reserve(b, n + 1) != 0)
		return;
	while (i < n) {
		if (text_is_ascii_ws((unsigned char)s[i])) {
			pending = b->len > 0;
			i++;
			continue;
		}
		for (j = i + 1; j < n && !text_is_ascii_ws((unsigned char)s[j]);
		    j += 1 + text_word_len(s + j + 1, n - j - 1))
			;
		if (pending) {
			b->p[b->len++] = ' ';
			pending = 0;
		}
		memcpy(b->p + b->len, s + i, j - i);
		b->len += j - i;
		i = j;
	}
	b->p[b->len] = '\0';
}
