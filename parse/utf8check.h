/*
 * utf8check.h: UTF-8 validation and the plausibility score of decoded
 * text (utf8check.c), for stage 1 (decode.c).
 */
#ifndef PLANQ_PARSE_UTF8CHECK_H
#define PLANQ_PARSE_UTF8CHECK_H

#include "internal.h"

#include <stddef.h>

/* The score of a text's first UTF8_SAMPLE bytes, as far as a walk got:
 * the code points starting before byte at, and how many of them are
 * plausible in Japanese plan text. */
struct utf8_score {
	size_t	 at, total, good;
};

#define UTF8_SAMPLE	65536	/* bytes of a text the score looks at */

/* Length of the longest valid UTF-8 prefix of s. */
size_t	utf8_valid_prefix(const unsigned char *s, size_t n);

/* The same, and the score of that prefix's first bytes counted on the way
 * (sc->at: where the counting stopped, at most the prefix's length). */
size_t	utf8_valid_prefix_scored(const unsigned char *s, size_t n,
	    struct utf8_score *sc);

/* Fraction of the code points of s[0..n)'s first UTF8_SAMPLE bytes (valid
 * UTF-8) that Japanese plan text plausibly contains; with sc, the counts
 * up to sc->at are taken from it (sc->at <= n). */
double	utf8_plausibility(const char *s, size_t n,
	    const struct utf8_score *sc);

#endif
