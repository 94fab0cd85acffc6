/*
 * utf8check.c: is a body UTF-8, and does it read as Japanese text?  The
 * longest valid UTF-8 prefix of some bytes, and the plausibility score
 * decode.c weighs its candidate charsets by (the fraction of code points
 * of the first UTF8_SAMPLE bytes that plan text plausibly contains).
 *
 * A body that is UTF-8 already gets both in one walk
 * (utf8_valid_prefix_scored): text of printable ASCII and U+3000..U+9FFF
 * characters, most of a plan and all of it plausible, is validated and
 * counted sixteen bytes at a time (utf8_plain_run), the rest by the
 * character runs and single characters after it; the score's own loop
 * (utf8_plausibility) then only finishes the sample from where that walk
 * stopped.  Both count exactly as the
 * score's loop alone would: the walk stops before any character that does
 * not end inside the sample or the valid prefix.
 */
#include <string.h>

#include "swar.h"
#include "text.h"
#include "utf8check.h"

/* Lead nibbles (bit n: lead 0xEn) a run of 3-byte characters takes: every
 * lead but E0 and ED (those need a look at the second byte: overlong,
 * surrogates), and E3..E9 (U+3000..U+9FFF: all plausible). */
#define UTF8_RUN_VALID		0xDFFEu
#define UTF8_RUN_PLAUSIBLE	0x03F8u

/* Whether the 24 bytes at s are eight 3-byte characters whose lead
 * nibbles are all in mask (one of the two above).  Three 8-byte loads:
 * the leads are at bytes 0 3 6 of the first, 1 4 7 of the second, 2 5 of
 * the third, so one word of the three masked and or-ed together holds
 * the eight lead nibbles, one per byte, tested at once (a nibble plus
 * 0x7F has bit 7 set unless it is 0; plus 0x7D, if it is 3 or more; plus
 * 0x76, if 10 or more). */
static inline int
utf8_run24(const unsigned char *s, unsigned mask)
{
	uint64_t w0 = swar_load_le64(s), w1 = swar_load_le64(s + 8);
	uint64_t w2 = swar_load_le64(s + 16), x;

	if ((((w0 & 0xC0F0C0C0F0C0C0F0ULL) ^ 0x80E08080E08080E0ULL) |
	    ((w1 & 0xF0C0C0F0C0C0F0C0ULL) ^ 0xE08080E08080E080ULL) |
	    ((w2 & 0xC0C0F0C0C0F0C0C0ULL) ^ 0x8080E08080E08080ULL)) != 0)
		return 0;
	x = (w0 & 0x000F00000F00000FULL) | (w1 & 0x0F00000F00000F00ULL) |
	    (w2 & 0x00000F00000F0000ULL);
	if (mask == UTF8_RUN_VALID)
		return ((x + SWAR_ONES * 0x7F) &
		    ((x ^ SWAR_ONES * 0x0D) + SWAR_ONES * 0x7F) &
		    SWAR_HIGH) == SWAR_HIGH;
	return ((x + SWAR_ONES * 0x7D) & ~(x + SWAR_ONES * 0x76) &
	    SWAR_HIGH) == SWAR_HIGH;
}

/* Length of the run at s of valid 3-byte characters whose lead nibble is
 * in mask (s[0..n) has at least one byte after the run: four are loaded
 * per step).  Japanese text is mostly such characters (kana, CJK,
 * full-width forms): lead 1110xxxx and two continuation bytes.  Eight
 * characters per 24 bytes, then two per 8-byte load, then one per 4-byte
 * load. */
static inline size_t
utf8_run3(const unsigned char *s, size_t n, unsigned mask)
{
	size_t i = 0;

	for (;;) {
		uint32_t w;

		while (i + 24 <= n && utf8_run24(s + i, mask))
			i += 24;
		while (i + 8 <= n) {
			uint64_t w2 = swar_load_le64(s + i);

			if ((w2 & 0xC0C0F0C0C0F0ULL) != 0x8080E08080E0ULL ||
			    !((mask >> (w2 & 0xF)) &
			    (mask >> ((w2 >> 24) & 0xF)) & 1))
				break;
			i += 6;
		}
		if (i + 4 > n)
			break;
		w = swar_load_le32(s + i);
		if ((w & 0xC0C0F0) != 0x8080E0 || !((mask >> (w & 0xF)) & 1))
			break;
		i += 3;
	}
	return i;
}

/* Lanes (0xFF) of v holding a lead byte E3..E9: 3-byte characters
 * U+3000..U+9FFF, valid whatever their two continuation bytes and all
 * plausible. */
static inline swar_u8x16
utf8_lead16(swar_u8x16 v)
{
	return (swar_u8x16)((swar_u8x16)(v - 0xE3) <= 0xE9 - 0xE3);
}

/* The "plain" text from s[i] on, sixteen bytes at a time: printable ASCII,
 * tab, line ends and those 3-byte characters, ~97 % of a plan's bytes.  A
 * byte is a continuation byte exactly where one of the two bytes before
 * it (loaded at -1 and -2, no shuffles) is such a lead, which checks each
 * character whole across the blocks.  i is a character start of a valid
 * prefix with two bytes before it.  Returns where the plain text stops,
 * backed off to a character start whose whole characters are checked;
 * *chars gets the characters before it.  The continuation bytes are
 * counted by lane in an accumulator summed every 15 blocks, as in
 * text_cp_count. */
static size_t
utf8_plain_run(const unsigned char *s, size_t i, size_t lim, size_t *chars)
{
	size_t start = i, cont = 0, back;
	int more = 1;

	while (more && i + 16 <= lim) {
		size_t end = lim - i > 240 ? i + 240 : lim;
		swar_u8x16 acc = { 0 };
		uint64_t lo, hi;

		for (; i + 16 <= end; i += 16) {
			swar_u8x16 v = swar_load16(s + i), c;

			c = (swar_u8x16)((v & 0xC0) == 0x80);
			if (swar_any16(~((swar_u8x16)((swar_u8x16)(v - 0x20) <
			    0x7F - 0x20) | (swar_u8x16)(v == '\t') |
			    (swar_u8x16)(v == '\n') | (swar_u8x16)(v == '\r') |
			    utf8_lead16(v) | c) | (c ^ (utf8_lead16(swar_load16(s +
			    i - 1)) | utf8_lead16(swar_load16(s + i - 2)))))) {
				more = 0;
				break;
			}
			acc -= c;
		}
		memcpy(&lo, &acc, 8);
		memcpy(&hi, (const unsigned char *)&acc + 8, 8);
		cont += (size_t)(((lo + hi) * SWAR_ONES) >> 56);
	}
	/* a character begun in the last two bytes is not checked whole */
	back = i == start ? 0 : (unsigned)(s[i - 1] - 0xE3) <= 0xE9 - 0xE3 ?
	    1 : (unsigned)(s[i - 2] - 0xE3) <= 0xE9 - 0xE3 ? 2 : 0;
	if (back > 0)
		cont -= back - 1;
	i -= back;
	*chars = i - start - cont;
	return i;
}

/* Where the run of ASCII bytes starting at s[i] ends. */
static inline size_t
utf8_ascii_end(const unsigned char *s, size_t n, size_t i)
{
	while (i + 8 <= n && !(swar_load_le64(s + i) & SWAR_HIGH))
		i += 8;
	while (i < n && s[i] < 0x80)
		i++;
	return i;
}

/* Length of the valid non-ASCII character at s, 0 if there is none; *cpp
 * gets its code point. */
static size_t
utf8_char(const unsigned char *s, size_t n, uint32_t *cpp)
{
	unsigned char c = s[0];
	size_t k, need;
	uint32_t cp;

	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		cp = c & 0x07;
	} else
		return 0;
	if (n <= need)
		return 0;
	for (k = 1; k <= need; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	*cpp = cp;
	return need + 1;
}

size_t
utf8_valid_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0, adv, k;
	uint32_t cp;

	while (i < n) {
		if (i >= 2 && i + 16 <= n) {
			i = utf8_plain_run(s, i, n, &k);
			if (i >= n)
				break;
		}
		i += utf8_run3(s + i, n - i, UTF8_RUN_VALID);
		if (i >= n)
			break;
		if (s[i] < 0x80) {
			i = utf8_ascii_end(s, n, i + 1);
			continue;
		}
		if ((adv = utf8_char(s + i, n - i, &cp)) == 0)
			return i;
		i += adv;
	}
	return n;
}

/* Whether one non-ASCII code point is plausible in Japanese plan text. */
static int
utf8_plausible(uint32_t cp)
{
	return (cp >= 0x3000 && cp <= 0x30FF) ||	/* punct, kana */
	    (cp >= 0x4E00 && cp <= 0x9FFF) ||		/* CJK */
	    (cp >= 0xFF01 && cp <= 0xFF5E) ||		/* full-width */
	    (cp >= 0x2000 && cp <= 0x27BF) ||		/* symbols */
	    (cp >= 0x2E80 && cp <= 0x2FDF) ||		/* radicals */
	    (cp >= 0x3200 && cp <= 0x33FF) ||		/* ㈱ ㍻ */
	    (cp >= 0x3400 && cp <= 0x4DBF) ||		/* CJK ext. A */
	    cp == 0xA0 || cp == 0xA9 || cp == 0xD7 || cp == 0xF7 ||
	    cp == 0xFEFF || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0xFFE0 && cp <= 0xFFE5);
}

/* Whether an ASCII byte is plausible: printable, tab or a line end. */
static inline int
utf8_plausible_ascii(unsigned char c)
{
	return (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t' || c == '\r';
}

/* Eight printable ASCII bytes at s (no control byte, no DEL). */
static inline int
utf8_printable8(const unsigned char *s)
{
	uint64_t w = swar_load_le64(s);

	return !(w & SWAR_HIGH) && !swar_has_below(w, 0x20) &&
	    !swar_has_byte(w, 0x7F);
}

size_t
utf8_valid_prefix_scored(const unsigned char *s, size_t n,
    struct utf8_score *sc)
{
	size_t lim = n < UTF8_SAMPLE ? n : UTF8_SAMPLE, i = 0, k;
	size_t total = 0, good = 0;
	uint32_t cp;

	/* four bytes left: any character at i ends inside the sample */
	while (i + 4 <= lim) {
		if (i >= 2 && i + 16 <= lim) {
			size_t from = i;

			i = utf8_plain_run(s, i, lim, &k);
			total += k;
			good += k;
			if (i != from)
				continue;
		}
		if (s[i] < 0x80) {
			if (i + 8 <= lim && utf8_printable8(s + i)) {
				total += 8;
				good += 8;
				i += 8;
				continue;
			}
			total++;
			good += utf8_plausible_ascii(s[i]);
			i++;
			continue;
		}
		if ((k = utf8_run3(s + i, lim - i, UTF8_RUN_PLAUSIBLE)) > 0) {
			total += k / 3;
			good += k / 3;
			i += k;
			continue;
		}
		if ((k = utf8_char(s + i, lim - i, &cp)) == 0)
			break;		/* invalid: the walk below stops here */
		total++;
		good += utf8_plausible(cp);
		i += k;
	}
	*sc = (struct utf8_score){ i, total, good };
	return i + utf8_valid_prefix(s + i, n - i);
}

double
utf8_plausibility(const char *s, size_t n, const struct utf8_score *sc)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, total = 0, good = 0, adv;

	if (sc != NULL) {
		i = sc->at;
		total = sc->total;
		good = sc->good;
	}
	if (n > UTF8_SAMPLE)
		n = UTF8_SAMPLE;	/* a sample decides plausibility */
	while (i < n) {
		unsigned char c = u[i];
		total++;
		if (c < 0x80) {
			good += utf8_plausible_ascii(c);
			i++;
		} else if (c >= 0xE3 && c <= 0xE9) {
			/* U+3000..U+9FFF: all plausible; a run of them
			 * counted in a tight loop */
			size_t k = 1;

			i += 3;
			while (i < n && (unsigned)(u[i] - 0xE3) <= 0xE9 - 0xE3) {
				i += 3;
				k++;
			}
			good += k;
			total += k - 1;
		} else {
			good += utf8_plausible(text_cp(s + i, n - i, &adv));
			i += adv;
		}
	}
	return total ? (double)good / (double)total : 1.0;
}
