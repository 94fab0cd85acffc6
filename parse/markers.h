/*
 * markers.h: the item markers at the start of a segment of text: issues
 * (経営課題N), strategies (1-1, ☆), initiatives (1-1-2, ○), reform items
 * (markers.c).
 */
#ifndef PLANQ_PARSE_MARKERS_H
#define PLANQ_PARSE_MARKERS_H

#include "internal.h"

#include <stddef.h>

#include "text.h"

enum mark_kind {
	MARK_NONE = 0,
	MARK_ISSUE,		/* 経営課題N */
	MARK_STRATEGY,		/* N-N, 戦略N-N, ☆ */
	MARK_INITIATIVE,	/* N-N-N, 具体的取組N-N-N, ○ */
	MARK_REFORM,		/* 取組項目N / 主な取組項目 title */
};
struct marker {
	enum mark_kind kind;
	int	 bracketed;	/* 【…】 style */
	int	 symbol;	/* ☆ / ○ style (no code) */
	long	 number;	/* issue number, -1 if none */
	char	 code[32];	/* "1-1" / "1-1-2" or "" */
	struct span title;	/* title inside the bracket, may be empty */
	struct span rest;	/* text after the marker */
};
/* Recognises a marker at the start of s. */
int	markers_match(struct span s, struct marker *m);
/* A bare code "1-1 title" / "1-1-2 title" (only trusted on headings). */
int	markers_match_bare(struct span s, struct marker *m);
/*
 * Offset of the next bracketed marker in s (trimmed) at or after from (s.n
 * if none).  found, when not NULL: the marker that markers_match() gives
 * at that offset when it is the bracket itself (no 主な戦略 word before
 * it), so that it need not be matched again; else its kind is MARK_NONE.
 */
size_t	markers_next(struct span s, size_t from, struct marker *found);

#endif
