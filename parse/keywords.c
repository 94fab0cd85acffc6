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
#define KW(cp, s, b)	{ s, sizeof(s) - 1, cp, b }

static const struct kw_word kw_words[] = {
	KW(0x3053, "このページの作成者", KW_PAGE_AUTHOR),
	KW(0x3053, "このページ", KW_PAGE),
	KW(0x554F, "問合せ先", KW_TOI_SAKI),
	KW(0x554F, "問い合わせ先", KW_TOI_SAKI),
	KW(0x554F, "問合せ", KW_TOI),
	KW(0x554F, "問い合わせ", KW_TOI),
	KW(0x304A, "お問い合わせ", KW_OTOI),
	KW(0x533A, "区政会議の意見", KW_KUSEI),
	KW(0x53CD, "反映", KW_HANEI),
	KW(0x5E02, "市政改革", KW_SHISEI),
	KW(0x53D6, "取組", KW_TORIKUMI),
	KW(0x69D8, "様式3", KW_YOSHIKI3),
	KW(0x6539, "改善", KW_KAIZEN),
	KW(0x91CD, "重点的に取り組む", KW_JUTEN),
	KW(0x7D4C, "経営課題", KW_KEIEI),
	KW(0x3010, "【", KW_BRACKET),
	KW(0x76EE, "目標", KW_MOKUHYO),
	KW(0x4F7F, "使命", KW_SHIMEI),
	KW(0x65B9, "方針", KW_HOSHIN),
	KW(0x8003, "考え方", KW_KANGAE),
};

/* The code points a word of kw_words starts with, as F(cp, arg) joined
 * by |: one list for both tests below. */
#define KW_FIRSTS(F, a)	(F(0x3053, a) | F(0x554F, a) | F(0x304A, a) | \
	F(0x533A, a) | F(0x53CD, a) | F(0x5E02, a) | F(0x53D6, a) | \
	F(0x69D8, a) | F(0x6539, a) | F(0x91CD, a) | F(0x7D4C, a) | \
	F(0x3010, a) | F(0x76EE, a) | F(0x4F7F, a) | F(0x65B9, a) | \
	F(0x8003, a))

/* Whether a word of kw_words can start with cp (sixteen compares the
 * compiler folds; only characters past kw_filter get here). */
#define KW_EQ(c, cp)	((cp) == (c))
static int
kw_is_first(uint32_t cp)
{
	return KW_FIRSTS(KW_EQ, cp) != 0;
}

/* A filter in front of kw_is_first: bit (cp & 0xFF) is set for the low
 * byte of each first code point, so about one character in sixteen gets
 * as far as the compares. */
#define KW_BIT(cp, k)	((((cp) & 0xFF) >> 6) == (k) ? 1ULL << ((cp) & 63) : 0)
static const uint64_t kw_filter[4] = {
	KW_FIRSTS(KW_BIT, 0), KW_FIRSTS(KW_BIT, 1),
	KW_FIRSTS(KW_BIT, 2), KW_FIRSTS(KW_BIT, 3),
};

/* The words starting at offset i of s. */
static unsigned
kw_at(struct span s, size_t i, uint32_t cp)
{
	unsigned found = 0;
	size_t k;

	for (k = 0; k < sizeof(kw_words) / sizeof(kw_words[0]); k++)
		if (kw_words[k].first == cp && kw_words[k].n <= s.n - i &&
		    memcmp(s.p + i, kw_words[k].w, kw_words[k].n) == 0)
			found |= kw_words[k].bit;
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
		if ((kw_filter[lo >> 6] >> (lo & 63)) & 1) {
			uint32_t cp = ((uint32_t)(c & 0x0F) << 12) |
			    ((uint32_t)(u[i + 1] & 0x3F) << 6) | (u[i + 2] & 0x3F);
			if (kw_is_first(cp))
				found |= kw_at(s, i, cp);
		}
		i += 3;
	}
	return found;
}
