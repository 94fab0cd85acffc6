/*
 * keywords.h: which heading words a line contains, found in one pass
 * (keywords.c); classify.c decides what they mean.
 */
#ifndef PLANQ_PARSE_KEYWORDS_H
#define PLANQ_PARSE_KEYWORDS_H

#include "internal.h"

#include "text.h"

enum {
	KW_PAGE_AUTHOR	= 1u << 0,	/* このページの作成者 */
	KW_PAGE		= 1u << 1,	/* このページ */
	KW_TOI		= 1u << 2,	/* 問合せ / 問い合わせ */
	KW_TOI_SAKI	= 1u << 3,	/* 問合せ先 / 問い合わせ先 */
	KW_OTOI		= 1u << 4,	/* お問い合わせ */
	KW_KUSEI	= 1u << 5,	/* 区政会議の意見 */
	KW_HANEI	= 1u << 6,	/* 反映 */
	KW_SHISEI	= 1u << 7,	/* 市政改革 */
	KW_TORIKUMI	= 1u << 8,	/* 取組 */
	KW_YOSHIKI3	= 1u << 9,	/* 様式3 */
	KW_KAIZEN	= 1u << 10,	/* 改善 */
	KW_JUTEN	= 1u << 11,	/* 重点的に取り組む */
	KW_KEIEI	= 1u << 12,	/* 経営課題 */
	KW_MOKUHYO	= 1u << 13,	/* 目標 */
	KW_SHIMEI	= 1u << 14,	/* 使命 */
	KW_HOSHIN	= 1u << 15,	/* 方針 */
	KW_KANGAE	= 1u << 16,	/* 考え方 */
};
/* The KW_ bits of the words that occur anywhere in s (valid UTF-8). */
unsigned keywords_scan(struct span s);

#endif
