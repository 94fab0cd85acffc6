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

/* Whether a word of kw_words can start with cp: a switch the compiler
 * turns into a few compares, so most characters cost no table walk. */
static int
kw_is_first(uint32_t cp)
{
	switch (cp) {
	case 0x3053: case 0x554F: case 0x304A: case 0x533A: case 0x53CD:
	case 0x5E02: case 0x53D6: case 0x69D8: case 0x6539: case 0x91CD:
	case 0x7D4C: case 0x3010: case 0x76EE: case 0x4F7F: case 0x65B9:
	case 0x8003:
		return 1;
	default:
		return 0;
	}
}

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
	unsigned found = 0;
	size_t i = 0, adv;

	/* every word starts with a three-byte character: ASCII and other
	 * bytes are stepped over one at a time */
	while (i + 3 <= s.n) {
		unsigned char c = (unsigned char)s.p[i];
		uint32_t cp;

		if ((c & 0xF0) != 0xE0) {
			i++;
			continue;
		}
		cp = text_cp(s.p + i, s.n - i, &adv);
		if (kw_is_first(cp))
			found |= kw_at(s, i, cp);
		i += adv;
	}
	return found;
}
