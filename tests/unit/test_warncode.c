/*
 * test_warncode.c: lib/warncode.c's list of warning codes (what the worker
 * sends planqd and /metrics counts) is the parser's list, in the parser's
 * order: warncode i = parse_warning_code(i) for every i, and nothing more.
 * Run from the repository root; exit 0 = all checks passed.
 */
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "warncode.h"

#include "check.h"

static void
test_same_list(void)
{
	CHECK(WARNCODE_COUNT == PARSE_WARN_COUNT,
	    "lib/warncode.h has %d codes, parse/parse.h %d", WARNCODE_COUNT,
	    PARSE_WARN_COUNT);
	for (int i = 0; i < PARSE_WARN_COUNT; i++) {
		const char *p = parse_warning_code((enum parse_warning)i);
		const char *l = warncode_name((unsigned)i);

		CHECK(p != NULL && l != NULL && strcmp(p, l) == 0,
		    "code %d: parser %s, lib/warncode.c %s", i, p ? p : "(null)",
		    l ? l : "(null)");
		CHECK(warncode_from_name(p) == i, "%s back to %d", p, i);
	}
	CHECK(warncode_name(WARNCODE_COUNT) == NULL, "none past the end");
	CHECK(warncode_from_name("nope") == -1 && warncode_from_name(NULL) == -1,
	    "an unknown name is -1");
	CHECK(WARNCODE_MASK_ALL == (1u << WARNCODE_COUNT) - 1, "mask of all");
}

int
main(void)
{
	test_same_list();
	return check_report(stdout, "test_warncode");
}
