/*
 * swar.h: word-at-a-time byte tests ("SIMD within a register"): eight bytes
 * of text loaded into a uint64_t answer "is one of them c?" or "is one of
 * them below c?" in a few instructions.  Used by the scans that skip plain
 * bytes (the parser's text passes, the worker's JSON text).
 */
#ifndef PLANQ_SWAR_H
#define PLANQ_SWAR_H

#include <stdint.h>

#define SWAR_ONES	0x0101010101010101ULL
#define SWAR_HIGH	(SWAR_ONES << 7)

/* Non-zero when some byte of w equals c: the classic (x - 0x01..) & ~x &
 * 0x80.. test on w ^ c.., exact as a yes/no. */
static inline uint64_t
swar_has_byte(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (SWAR_ONES * c);

	return (x - SWAR_ONES) & ~x & SWAR_HIGH;
}

/* Non-zero when some byte of w is below c (c <= 0x80). */
static inline uint64_t
swar_has_below(uint64_t w, unsigned char c)
{
	return (w - SWAR_ONES * c) & ~w & SWAR_HIGH;
}

#endif
