/*
 * swar.h: word-at-a-time byte tests ("SIMD within a register"): eight bytes
 * of text loaded into a uint64_t answer "is one of them c?" or "is one of
 * them below c?" in a few instructions; and sixteen bytes as one vector
 * value.  Used by the scans that skip plain bytes (the parser's text
 * passes, the worker's JSON text).
 */
#ifndef PLANQ_SWAR_H
#define PLANQ_SWAR_H

#include <stdint.h>
#include <string.h>

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

/* Eight (four) bytes at p as a little-endian word whatever the host's
 * order: lane 0, the low byte, is p[0]. */
static inline uint64_t
swar_load_le64(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

static inline uint32_t
swar_load_le32(const unsigned char *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap32(w);
#endif
	return w;
}

/* Sixteen bytes as one value: GCC's and clang's vector extension, which
 * they compile to SSE2 on x86-64 (NEON on arm64) at any optimisation
 * level, and to word-at-a-time code where there are no vectors.  A
 * comparison gives 0xFF in each lane where it holds. */
typedef unsigned char swar_u8x16 __attribute__((vector_size(16)));

static inline swar_u8x16
swar_load16(const void *p)
{
	swar_u8x16 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Whether any lane of v is non-zero. */
static inline int
swar_any16(swar_u8x16 v)
{
	uint64_t lo, hi;

	memcpy(&lo, &v, 8);
	memcpy(&hi, (const unsigned char *)&v + 8, 8);
	return (lo | hi) != 0;
}

#endif
