/*
 * budget.h: budget amounts (43,070千円, 5千4百万円, -) and their labels
 * (算定見込額, 区CM予算額), in brackets, column headings and amount
 * columns (budget.c).
 */
#ifndef PLANQ_PARSE_BUDGET_H
#define PLANQ_PARSE_BUDGET_H

#include "internal.h"

#include <stddef.h>

#include "text.h"

struct budget {
	char	 label[96];	/* empty when the amount carries no label */
	int	 has_amount;	/* 0: printed dash / nothing */
	long long amount;	/* yen */
};
/* Parses an amount such as 43,070千円, 5千4百万円, 65百万円, -, - 円.
 * Returns 1 and fills *has, *yen and *used = bytes consumed; 0 if none. */
int	budget_parse_amount(struct span s, int *has, long long *yen,
	    size_t *used);
/* Parses the inside of a budget bracket (令和2年度算定見込額 390千円,
 * 別途2年度福祉局区CM算定見込額12,626千円, 5,237千円); 1 ok. */
int	budget_parse_inner(struct span s, struct budget *b);
/* Column heading label: 主な具体的取組(2年度予算額) -> 予算額; 1 ok. */
int	budget_column_label(struct span s, char *label, size_t labelsz);
/* A table header cell naming a budget column (2年度予算額(千円)): 1 with
 * the label and the unit of bare numbers below it (0: none printed). */
int	budget_header_cell(struct span s, char *label, size_t labelsz,
	    long long *unit);
/* Where budget_scan looks for the first group: anywhere, only at byte 0,
 * or only before the first 。 (a caller that rejects a group after a
 * sentence end or not at the start need not have the rest searched). */
enum budget_where { BUDGET_ANYWHERE, BUDGET_AT_START, BUDGET_BEFORE_PERIOD };
/* Scans s for budget groups; stores up to max, returns count.  *first
 * gets the offset where the first budget group starts (s.n if none),
 * *after the offset just past the last one. */
size_t	budget_scan(struct span s, enum budget_where where,
	    struct budget *out, size_t max, size_t *first, size_t *after);

#endif
