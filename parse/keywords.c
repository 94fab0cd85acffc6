/*
 * keywords.c: the words a heading line is recognised by (このページの作成者,
 * 区政会議の意見, 市政改革, 重点的に取り組む, 目標, 方針, …), found in one pass
 * over a line instead of one search per word: a hash of the four bytes at
 * every third offset against the hashes of the words' first bytes.
 * classify.c owns what the words mean; this file only says which of them a
 * span contains.
 */
#include <string.h>

#include "swar.h"
#include "text.h"
#include "keywords.h"

struct kw_word {
	const char *w;
	size_t	 n;
	unsigned bit;
};

/* The words as F(index, first code point, second code point, word, bit,
 * arg): one list for the table of words, the hashes of their windows and
 * the table by hash below.  Every word is at least KW_MIN bytes and
 * starts with two three-byte characters. */
#define KW_WORDS(F, a) \
	F(0, 0x3053, 0x306E, "このページの作成者", KW_PAGE_AUTHOR, a) \
	F(1, 0x3053, 0x306E, "このページ", KW_PAGE, a) \
	F(2, 0x554F, 0x5408, "問合せ先", KW_TOI_SAKI, a) \
	F(3, 0x554F, 0x3044, "問い合わせ先", KW_TOI_SAKI, a) \
	F(4, 0x554F, 0x5408, "問合せ", KW_TOI, a) \
	F(5, 0x554F, 0x3044, "問い合わせ", KW_TOI, a) \
	F(6, 0x304A, 0x554F, "お問い合わせ", KW_OTOI, a) \
	F(7, 0x533A, 0x653F, "区政会議の意見", KW_KUSEI, a) \
	F(8, 0x53CD, 0x6620, "反映", KW_HANEI, a) \
	F(9, 0x5E02, 0x653F, "市政改革", KW_SHISEI, a) \
	F(10, 0x53D6, 0x7D44, "取組", KW_TORIKUMI, a) \
	F(11, 0x69D8, 0x5F0F, "様式3", KW_YOSHIKI3, a) \
	F(12, 0x6539, 0x5584, "改善", KW_KAIZEN, a) \
	F(13, 0x91CD, 0x70B9, "重点的に取り組む", KW_JUTEN, a) \
	F(14, 0x7D4C, 0x55B6, "経営課題", KW_KEIEI, a) \
	F(15, 0x76EE, 0x6A19, "目標", KW_MOKUHYO, a) \
	F(16, 0x4F7F, 0x547D, "使命", KW_SHIMEI, a) \
	F(17, 0x65B9, 0x91DD, "方針", KW_HOSHIN, a) \
	F(18, 0x8003, 0x3048, "考え方", KW_KANGAE, a)

/* The scan reads the four bytes (a window) at every third offset of the
 * line.  Each word is at least six bytes, so one of its windows at
 * offsets 0, 1, 2 is read wherever it occurs; those windows come from
 * its first two characters alone, whose UTF-8 bytes the macros below
 * spell out, so their hashes are constants. */
#define KW_MIN		6
#define KW_STEP		3
#define KW_HASH_BITS	10
#define KW_L(cp)	(0xE0u | ((unsigned)(cp) >> 12))
#define KW_M(cp)	(0x80u | (((unsigned)(cp) >> 6) & 0x3Fu))
#define KW_T(cp)	(0x80u | ((unsigned)(cp) & 0x3Fu))
#define KW_LE(b0, b1, b2, b3)	((uint32_t)(b0) | ((uint32_t)(b1) << 8) | \
	((uint32_t)(b2) << 16) | ((uint32_t)(b3) << 24))
#define KW_HASH(w)	((uint32_t)((uint32_t)(w) * 0x9E3779B1u) >> \
	(32 - KW_HASH_BITS))

#define KW_HASHES(k, c1, c2, s, b, a) \
	KW_H##k##_0 = KW_HASH(KW_LE(KW_L(c1), KW_M(c1), KW_T(c1), KW_L(c2))), \
	KW_H##k##_1 = KW_HASH(KW_LE(KW_M(c1), KW_T(c1), KW_L(c2), KW_M(c2))), \
	KW_H##k##_2 = KW_HASH(KW_LE(KW_T(c1), KW_L(c2), KW_M(c2), KW_T(c2))),
enum { KW_WORDS(KW_HASHES, 0) };

/* designated: an index given twice is a compile error (-Woverride-init) */
#define KW_ENTRY(k, c1, c2, s, b, a)	[k] = { s, sizeof(s) - 1 + 0 * \
	sizeof(char[sizeof(s) > KW_MIN ? 1 : -1]), b },
static const struct kw_word kw_words[] = { KW_WORDS(KW_ENTRY, 0) };

/* Each word's window hashes at offsets 0, 1, 2. */
#define KW_HROW(k, c1, c2, s, b, a)	[k] = { KW_H##k##_0, KW_H##k##_1, \
	KW_H##k##_2 },
static const uint16_t kw_hash[][KW_STEP] = { KW_WORDS(KW_HROW, 0) };

/* For each hash, the words with a window of that hash (bit k:
 * kw_words[k]); zero for about nineteen windows in twenty. */
#define KW_HBIT(k, c1, c2, s, b, h) \
	| ((KW_H##k##_0 == (h) || KW_H##k##_1 == (h) || KW_H##k##_2 == (h)) ? \
	1u << (k) : 0u)
#define KW_BY(h)	(0u KW_WORDS(KW_HBIT, h))
#define KW_BY4(h)	KW_BY(h), KW_BY((h) + 1), KW_BY((h) + 2), KW_BY((h) + 3)
#define KW_BY16(h)	KW_BY4(h), KW_BY4((h) + 4), KW_BY4((h) + 8), \
	KW_BY4((h) + 12)
#define KW_BY64(h)	KW_BY16(h), KW_BY16((h) + 16), KW_BY16((h) + 32), \
	KW_BY16((h) + 48)
#define KW_BY256(h)	KW_BY64(h), KW_BY64((h) + 64), KW_BY64((h) + 128), \
	KW_BY64((h) + 192)
static const uint32_t kw_by_hash[1u << KW_HASH_BITS] = {
	KW_BY256(0), KW_BY256(256), KW_BY256(512), KW_BY256(768)
};
_Static_assert(sizeof(kw_by_hash) / sizeof(kw_by_hash[0]) == 1024,
    "KW_BY256 four times fills 10 bits");

/* The words among cand (bits of kw_words) one of whose windows, of hash
 * h, is the one at offset i of s.  Not inlined: it runs for about one
 * window in twenty, and inlined it costs the scan's loop its registers. */
static __attribute__((noinline)) unsigned
kw_at(struct span s, size_t i, unsigned h, uint32_t cand)
{
	unsigned found = 0;

	while (cand != 0) {
		unsigned k = (unsigned)__builtin_ctz(cand);
		const struct kw_word *w = &kw_words[k];
		size_t o;

		cand &= cand - 1;
		for (o = 0; o < KW_STEP && o <= i; o++)
			if (kw_hash[k][o] == h && w->n <= s.n - (i - o) &&
			    text_same(s.p + i - o, w->w, w->n))
				found |= w->bit;
	}
	return found;
}

unsigned
keywords_scan(struct span s)
{
	const unsigned char *u = (const unsigned char *)s.p;
	unsigned found = 0;
	size_t i;

	/* a byte match of a whole word is a character match in valid
	 * UTF-8 (a lead byte never continues a character), so the windows
	 * need not start at character starts */
	if (s.n < 4)
		return 0;
	for (i = 0; i <= s.n - 4; i += KW_STEP) {
		unsigned h = KW_HASH(swar_load_le32(u + i));

		if (kw_by_hash[h] != 0)
			found |= kw_at(s, i, h, kw_by_hash[h]);
	}
	return found;
}
