/*
 * check.h: the unit tests' one assertion.  CHECK(cond, fmt, …) counts a
 * pass, or prints FAIL with the place and the message and counts a
 * failure; a test's main() reports npass/nfail and exits non-zero on any.
 */
#ifndef PLANQ_TEST_CHECK_H
#define PLANQ_TEST_CHECK_H

#include <stdio.h>

static int npass, nfail;

#define CHECK(cond, ...) do {						\
	if (cond)							\
		npass++;						\
	else {								\
		nfail++;						\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

#endif
