/*
 * warncode.c: the parser's warning codes by index (warncode.h).
 */
#include <string.h>

#include "warncode.h"

static const char *const warncode_names[WARNCODE_COUNT] = {
	"no_title", "no_fiscal_year", "no_org", "org_unknown", "org_name_noise",
	"no_goals", "no_missions", "no_policies", "no_issues",
	"issue_without_strategies", "initiative_without_budget",
	"budget_unlabelled", "truncated",
};

_Static_assert(WARNCODE_COUNT <= 32, "a mask of warnings is 32 bits");

const char *
warncode_name(unsigned i)
{
	return i < WARNCODE_COUNT ? warncode_names[i] : NULL;
}

int
warncode_from_name(const char *name)
{
	for (unsigned i = 0; name != NULL && i < WARNCODE_COUNT; i++)
		if (strcmp(warncode_names[i], name) == 0)
			return (int)i;
	return -1;
}
