/*
 * warncode.h: the codes of the parser's warnings (docs/PLAN-JSON.md) as
 * the processes that do not link the parser know them: the worker turns a
 * plan's warnings into a bit mask for its DONE message (jobwire.h), and
 * planqd counts stored plans by code on /metrics.  Index i is the
 * parser's enum parse_warning i (parse/parse.h); tests/unit/test_warncode.c
 * checks that the two lists are the same, in the same order.
 */
#ifndef PLANQ_WARNCODE_H
#define PLANQ_WARNCODE_H

#include <stdint.h>

#define WARNCODE_COUNT	13	/* PARSE_WARN_COUNT; at most 32 (a mask) */

/* "no_title", "no_fiscal_year", …; NULL out of range. */
const char *warncode_name(unsigned i);
/* The index of a code, or -1 for a name that is none. */
int	warncode_from_name(const char *name);
/* Every bit a mask of warnings may have set. */
#define WARNCODE_MASK_ALL	((uint32_t)((1ull << WARNCODE_COUNT) - 1))

#endif
