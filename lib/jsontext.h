/*
 * jsontext.h: the pieces of compact JSON text, written as Jansson's
 * json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
 * writes them: strings (escaping only '"', '\\' and bytes below 0x20) and
 * reals.  The parser's plan text (parse/plan_text.c) and the worker's text
 * of any JSON value (rows/plan_json.c) both write through these, so they
 * cannot drift apart; so does jsonb's text of a plan (rows/plan_digest.c),
 * whose strings differ only in lower-case \u00xx digits.
 */
#ifndef PLANQ_JSONTEXT_H
#define PLANQ_JSONTEXT_H

#include <stddef.h>
#include <string.h>

#include "sbuf.h"

/* Appends n bytes; the common case (room left) without a call. */
static inline void
jsontext_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n < b->cap) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
		b->p[b->len] = '\0';
	} else
		sbuf_add(b, s, n);
}

/* A string literal ("{", ",\"key\":"), its length folded; anything but a
 * literal does not compile. */
#define jsontext_lit(b, lit)	jsontext_put((b), "" lit, sizeof("" lit) - 1)

/* n bytes of valid UTF-8 as a JSON string, quotes included. */
void	jsontext_string(struct sbuf *b, const char *s, size_t n);
/* How many bytes at s come before the first that a JSON string must
 * escape ('"', '\\', below 0x20); n if none.  Sixteen at a time. */
size_t	jsontext_plain_prefix(const char *s, size_t n);
/* The same with the hex digits of \u00XX escapes taken from hex:
 * JSONTEXT_HEX_UPPER as Jansson writes them (jsontext_string), lower case
 * as PostgreSQL's jsonb does (rows/plan_digest.c). */
#define JSONTEXT_HEX_UPPER	"0123456789ABCDEF"
#define JSONTEXT_HEX_LOWER	"0123456789abcdef"
void	jsontext_string_hex(struct sbuf *b, const char *s, size_t n,
	    const char *hex);
/* A real: %.15g, ".0" when that reads as an integer, the exponent without
 * '+' or leading zeros (1e+20 -> 1e20). */
void	jsontext_real(struct sbuf *b, double d);
/* An integer in full. */
void	jsontext_int(struct sbuf *b, long long v);
/* The digits of v (what "%lld" prints) into buf, not NUL-terminated; their
 * count.  Without printf's machinery, which cost more than the rest of a
 * plan's numbers. */
#define JSONTEXT_INT_MAX	24
size_t	jsontext_lld(char buf[JSONTEXT_INT_MAX], long long v);

#endif
