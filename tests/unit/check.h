/*
 * check.h: the unit tests' one assertion.  CHECK(cond, fmt, …) counts a
 * pass, or prints FAIL with the place and the message and counts a
 * failure; a test's main() ends with check_report(), which prints
 * npass/nfail and gives the exit status (non-zero on any failure).
 * check_some() fails a test that checked nothing at all (its input
 * directory or list empty or missing).
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

/* "NAME: P passed, F failed" on out; main()'s exit status. */
static inline int
check_report(FILE *out, const char *name)
{
	fprintf(out, "%s: %d passed, %d failed\n", name, npass, nfail);
	return nfail ? 1 : 0;
}

/* A failure saying why when nothing was checked (why: "… is empty"). */
static inline void
check_some(const char *why)
{
	if (npass + nfail == 0) {
		printf("FAIL %s\n", why);
		nfail++;
	}
}

#endif
