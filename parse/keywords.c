/*
 * keywords.c: the words a heading line is recognised by (このページの作成者,
 * 区政会議の意見, 市政改革, 重点的に取り組む, 目標, 方針, …), found in one pass
 * over a line instead of one search per word.  classify.c owns what the
 * words mean; this file only says which of them a span contains.
 */
#include <string.h>

#include "text.h"
#include "keywords.h"

struct kw_word {
	const char *w;
	size_t	 n;
	uint32_t first;		/* code point the word starts with */
	unsigned bit;
};

/* The words as F(index, first code point, word, bit, arg): one list for
 * the table of words and for the table by low byte below. */
#define KW_WORDS(F, a) \
	F(0, 0x3053, "このページの作成者", KW_PAGE_AUTHOR, a) \
	F(1, 0x3053, "このページ", KW_PAGE, a) \
	F(2, 0x554F, "問合せ先", KW_TOI_SAKI, a) \
	F(3, 0x554F, "問い合わせ先", KW_TOI_SAKI, a) \
	F(4, 0x554F, "問合せ", KW_TOI, a) \
	F(5, 0x554F, "問い合わせ", KW_TOI, a) \
	F(6, 0x304A, "お問い合わせ", KW_OTOI, a) \
	F(7, 0x533A, "区政会議の意見", KW_KUSEI, a) \
	F(8, 0x53CD, "反映", KW_HANEI, a) \
	F(9, 0x5E02, "市政改革", KW_SHISEI, a) \
	F(10, 0x53D6, "取組", KW_TORIKUMI, a) \
	F(11, 0x69D8, "様式3", KW_YOSHIKI3, a) \
	F(12, 0x6539, "改善", KW_KAIZEN, a) \
	F(13, 0x91CD, "重点的に取り組む", KW_JUTEN, a) \
	F(14, 0x7D4C, "経営課題", KW_KEIEI, a) \
	F(15, 0x3010, "【", KW_BRACKET, a) \
	F(16, 0x76EE, "目標", KW_MOKUHYO, a) \
	F(17, 0x4F7F, "使命", KW_SHIMEI, a) \
	F(18, 0x65B9, "方針", KW_HOSHIN, a) \
	F(19, 0x8003, "考え方", KW_KANGAE, a)

/* designated: an index given twice is a compile error (-Woverride-init) */
#define KW_ENTRY(k, cp, s, b, a)	[k] = { s, sizeof(s) - 1, cp, b },
static const struct kw_word kw_words[] = { KW_WORDS(KW_ENTRY, 0) };

/* For each low byte of a code point, the words whose first code point has
 * it (bit k: kw_words[k]); zero for about fifteen characters in sixteen.
 * The low byte is cheap to get from the character's last two bytes. */
#define KW_LOBIT(k, cp, s, b, lo) \
	| ((((cp) & 0xFFu) == (lo)) ? 1u << (k) : 0u)
#define KW_LOW(lo)	(0u KW_WORDS(KW_LOBIT, lo))
#define KW_LOW4(lo)	KW_LOW(lo), KW_LOW((lo) + 1), KW_LOW((lo) + 2), \
	KW_LOW((lo) + 3)
#define KW_LOW16(lo)	KW_LOW4(lo), KW_LOW4((lo) + 4), KW_LOW4((lo) + 8), \
	KW_LOW4((lo) + 12)
#define KW_LOW64(lo)	KW_LOW16(lo), KW_LOW16((lo) + 16), \
	KW_LOW16((lo) + 32), KW_LOW16((lo) + 48)
static const uint32_t kw_by_low[256] = {
	KW_LOW64(0), KW_LOW64(64), KW_LOW64(128), KW_LOW64(192)
};

/* The words among cand (bits of kw_words) that start at offset i of s
 * with code point cp. */
static unsigned
kw_at(struct span s, size_t i, uint32_t cp, uint32_t cand)
{
	unsigned found = 0;

	while (cand != 0) {
		const struct kw_word *w = &kw_words[__builtin_ctz(cand)];

		cand &= cand - 1;
		if (w->first == cp && w->n <= s.n - i &&
		    memcmp(s.p + i, w->w, w->n) == 0)
			found |= w->bit;
	}
	return found;
}

unsigned
keywords_scan(struct span s)
{
	const unsigned char *u = (const unsigned char *)s.p;
	unsigned found = 0;
	size_t i = 0;

	/* every word starts with a three-byte character: ASCII and other
	 * bytes are stepped over one at a time; a three-byte character is
	 * read as text_cp() reads it */
	while (i + 3 <= s.n) {
		unsigned char c = u[i];
		unsigned lo;

		if ((c & 0xF0) != 0xE0) {
			i++;
			continue;
		}
		lo = ((u[i + 1] & 3u) << 6) | (u[i + 2] & 0x3Fu);
		if (kw_by_low[lo] != 0) {
			uint32_t cp = ((uint32_t)(c & 0x0F) << 12) |
			    ((uint32_t)(u[i + 1] & 0x3F) << 6) | (u[i + 2] & 0x3F);
			found |= kw_at(s, i, cp, kw_by_low[lo]);
		}
		i += 3;
	}
	return found;
}
