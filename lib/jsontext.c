/*
 * jsontext.c: JSON strings and numbers as compact text (jsontext.h).
 * Strings are copied in runs between the few bytes that need escaping,
 * found sixteen bytes at a time; they are valid UTF-8 already, so they are
 * not decoded again.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jsontext.h"
#include "swar.h"

/* Whether byte c must be escaped inside a JSON string. */
static inline int
jsontext_special(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* Whether one of the sixteen (eight) bytes at p needs escaping.  Flipping
 * bit 1 of every byte maps '"' (0x22) to 0x20 and keeps 0x00..0x1F below
 * 0x20 (and nothing else below 0x21), so one test below 0x21 covers both;
 * '\\' is tested apart. */
static inline int
jsontext_special16(const char *p)
{
	swar_u8x16 v = swar_load16(p);

	return swar_any16((swar_u8x16)((v ^ 0x02) < 0x21) |
	    (swar_u8x16)(v == '\\'));
}

static inline int
jsontext_special8(const char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return (swar_has_below(w ^ (SWAR_ONES * 0x02), 0x21) |
	    swar_has_byte(w, '\\')) != 0;
}

/* Bytes at s before the first that needs escaping, n if none: sixteen at
 * a time (swar.h's vector type), eight, then one at a time.  A tail of
 * under sixteen (eight) bytes is first tested as the last sixteen (eight)
 * bytes of s, overlapping what was tested: most strings are clean to
 * their end, which this tells without the walk byte by byte.  Inlined
 * into both string writers, as it was into the one there used to be. */
static inline __attribute__((always_inline)) size_t
jsontext_plain_len(const char *s, size_t n)
{
	size_t i = 0;

	for (; i + 16 <= n; i += 16)
		if (jsontext_special16(s + i))
			break;
	if (i + 16 > n && n >= 16 && !jsontext_special16(s + n - 16))
		return n;
	for (; i + 8 <= n; i += 8)
		if (jsontext_special8(s + i))
			break;
	if (i + 8 > n && n >= 8 && !jsontext_special8(s + n - 8))
		return n;
	while (i < n && !jsontext_special((unsigned char)s[i]))
		i++;
	return i;
}

static void
jsontext_escape(struct sbuf *b, unsigned char c, const char *hex)
{
	char seq[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };

	switch (c) {
	case '"':	sbuf_add(b, "\\\"", 2); break;
	case '\\':	sbuf_add(b, "\\\\", 2); break;
	case '\b':	sbuf_add(b, "\\b", 2); break;
	case '\f':	sbuf_add(b, "\\f", 2); break;
	case '\n':	sbuf_add(b, "\\n", 2); break;
	case '\r':	sbuf_add(b, "\\r", 2); break;
	case '\t':	sbuf_add(b, "\\t", 2); break;
	default:	sbuf_add(b, seq, 6); break;
	}
}

/* The string with its \u00XX digits from hex; inlined into both callers
 * below, so that the parser's plan text (jsontext_string) pays no call
 * and no argument for it. */
static inline __attribute__((always_inline)) void
jsontext_string_in(struct sbuf *b, const char *s, size_t n, const char *hex)
{
	jsontext_put(b, "\"", 1);
	for (;;) {
		size_t plain = jsontext_plain_len(s, n);

		jsontext_put(b, s, plain);
		if (plain == n)
			break;
		jsontext_escape(b, (unsigned char)s[plain], hex);
		s += plain + 1;
		n -= plain + 1;
	}
	jsontext_put(b, "\"", 1);
}

size_t
jsontext_plain_prefix(const char *s, size_t n)
{
	return jsontext_plain_len(s, n);
}

void
jsontext_string(struct sbuf *b, const char *s, size_t n)
{
	jsontext_string_in(b, s, n, JSONTEXT_HEX_UPPER);
}

void
jsontext_string_hex(struct sbuf *b, const char *s, size_t n, const char *hex)
{
	jsontext_string_in(b, s, n, hex);
}

void
jsontext_real(struct sbuf *b, double d)
{
	char buf[64], *e;
	int n = snprintf(buf, sizeof(buf) - 2, "%.15g", d);

	if (n < 0 || (size_t)n >= sizeof(buf) - 2) {
		b->oom = 1;	/* cannot happen for %.15g; fail loudly */
		return;
	}
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(buf, 'e')) != NULL) {
		char *start = e + 1, *end;

		if (*start == '-')
			start++;
		end = start;
		if (*end == '+')
			end++;
		while (*end == '0' && end[1] != '\0')
			end++;
		memmove(start, end, strlen(end) + 1);
		n = (int)strlen(buf);
	}
	sbuf_add(b, buf, (size_t)n);
}

/* The count of digits first (compares against powers of ten, cheaper
 * than a division per digit), then the digits written from the end, two
 * per division by 100. */
size_t
jsontext_lld(char buf[JSONTEXT_INT_MAX], long long v)
{
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v, p = 10;
	size_t k = v < 0, n = 1, end;

	while (n < 19 && u >= p) {	/* 2^63 has 19 digits */
		n++;
		p *= 10;
	}
	if (v < 0)
		buf[0] = '-';
	end = k + n;
	while (u >= 100) {
		unsigned r = (unsigned)(u % 100);
		u /= 100;
		buf[--end] = (char)('0' + r % 10);
		buf[--end] = (char)('0' + r / 10);
	}
	if (u >= 10) {
		buf[--end] = (char)('0' + u % 10);
		buf[--end] = (char)('0' + u / 10);
	} else
		buf[--end] = (char)('0' + u);
	return k + n;
}

void
jsontext_int(struct sbuf *b, long long v)
{
	char num[JSONTEXT_INT_MAX];

	jsontext_put(b, num, jsontext_lld(num, v));
}
