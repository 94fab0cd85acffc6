/*
 * era.h: 年度 labels (令和2年度, 平成31年度, 2021年度) and date lines,
 * Japanese eras to Gregorian years (era.c).
 */
#ifndef PLANQ_PARSE_ERA_H
#define PLANQ_PARSE_ERA_H

#include "internal.h"

#include "text.h"

struct year_label {
	int	 year;		/* Gregorian fiscal year, 0 if none */
	char	 label[40];	/* as printed, e.g. 令和2年度 / 2021年度 */
	size_t	 start;		/* offset of the label in the searched span */
	struct span rest;	/* text after the label (and a (2019年度) gloss) */
};
/* Finds the first 年度 label in s; 1 found, 0 not. */
int	era_find_year(struct span s, struct year_label *out);
/* The same, only for a label at the very start of s. */
int	era_year_at(struct span s, struct year_label *out);
/* Whether a label may start at s (an era's name or a digit): 0 means
 * era_year_at fails, for callers that can skip more work then. */
int	era_may_start(struct span s);
/* Parses a whole-line date (2018年6月7日, 令和2年6月7日); 1 ok. */
int	era_parse_date(struct span s, int *y, int *m, int *d);

#endif
