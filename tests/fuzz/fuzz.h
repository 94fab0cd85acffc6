/*
 * fuzz.h: what every fuzz target shares.  Each target defines the
 * libFuzzer entry point; the same file is linked either with libFuzzer
 * (mk/fuzz.mk: build/fuzz/fuzz_<reader>) or with replay.c into a plain
 * test program that runs the checked-in corpus (`make test`).
 *
 * Inputs that are messages are split into frames at FUZZ_FRAME_SEP, a byte
 * that JSON text never holds unescaped, so that seeds stay readable.
 * FUZZ_CHECK aborts with a message: a broken invariant is a crash to
 * libFuzzer and a failed test to the replay.
 */
#ifndef PLANQ_FUZZ_H
#define PLANQ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_FRAME_SEP 0x1e	/* ASCII record separator */

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz invariant broken at %s:%d: ",	\
		    __FILE__, __LINE__);				\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		abort();						\
	}								\
} while (0)

/*
 * Splits data at FUZZ_FRAME_SEP into at most max frames (the last one
 * takes the rest, separators included).  Returns the count (at least 1:
 * empty input is one empty frame).
 */
static inline int
fuzz_split(const uint8_t *data, size_t size, const uint8_t **parts,
    size_t *lens, int max)
{
	int n = 0;

	while (n < max - 1) {
		const uint8_t *sep = size > 0 ?
		    memchr(data, FUZZ_FRAME_SEP, size) : NULL;

		if (sep == NULL)
			break;
		parts[n] = data;
		lens[n++] = (size_t)(sep - data);
		size -= (size_t)(sep - data) + 1;
		data = sep + 1;
	}
	parts[n] = data;
	lens[n++] = size;
	return n;
}

#endif
