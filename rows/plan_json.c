/*
 * plan_json.c: a plan as the JSON text the worker sends to the database.
 * Byte for byte what Jansson's json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER
 * | JSON_REAL_PRECISION(15)) writes (tests/unit/test_plan_json.c compares
 * the two), about five times faster: strings are copied in runs between
 * the few bytes that need escaping instead of one code point at a time,
 * and the text is built in one growing buffer.  Strings in a json_t are valid UTF-8
 * already (Jansson checks on creation), so they are not decoded again.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "plan_json.h"
#include "sbuf.h"
#include "swar.h"

/* nesting deeper than this is no plan: refuse rather than recurse on */
#define PLAN_JSON_MAX_DEPTH 64

static void plan_json_value(struct sbuf *b, const json_t *v, int depth);

/* Whether byte c must be escaped inside a JSON string. */
static inline int
plan_json_special(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* Appends n bytes; the common case (room left) without a call. */
static inline void
plan_json_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n < b->cap) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
		b->p[b->len] = '\0';
	} else
		sbuf_add(b, s, n);
}

/* Bytes at s before the first that needs escaping, n if none: eight at
 * a time, then one at a time. */
static size_t
plan_json_plain_len(const char *s, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if (swar_has_below(w, 0x20) | swar_has_byte(w, '"') |
		    swar_has_byte(w, '\\'))
			break;
	}
	while (i < n && !plan_json_special((unsigned char)s[i]))
		i++;
	return i;
}

static void
plan_json_escape(struct sbuf *b, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
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

static void
plan_json_string(struct sbuf *b, const char *s, size_t n)
{
	plan_json_put(b, "\"", 1);
	for (;;) {
		size_t plain = plan_json_plain_len(s, n);

		plan_json_put(b, s, plain);
		if (plain == n)
			break;
		plan_json_escape(b, (unsigned char)s[plain]);
		s += plain + 1;
		n -= plain + 1;
	}
	plan_json_put(b, "\"", 1);
}

/*
 * Jansson's real: %.15g, then ".0" if that reads as an integer, and the
 * exponent without '+' or leading zeros ("1e+20" becomes "1e20").
 */
static void
plan_json_real(struct sbuf *b, double d)
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

static void
plan_json_object(struct sbuf *b, const json_t *v, int depth)
{
	const char *key;
	json_t *item;
	int first = 1;

	plan_json_put(b, "{", 1);
	/* Jansson keeps keys in insertion order, as json_dumps writes them */
	json_object_foreach((json_t *)v, key, item) {
		if (!first)
			plan_json_put(b, ",", 1);
		first = 0;
		plan_json_string(b, key, strlen(key));
		plan_json_put(b, ":", 1);
		plan_json_value(b, item, depth + 1);
	}
	plan_json_put(b, "}", 1);
}

static void
plan_json_array(struct sbuf *b, const json_t *v, int depth)
{
	size_t n = json_array_size(v);

	plan_json_put(b, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			plan_json_put(b, ",", 1);
		plan_json_value(b, json_array_get(v, i), depth + 1);
	}
	plan_json_put(b, "]", 1);
}

static void
plan_json_value(struct sbuf *b, const json_t *v, int depth)
{
	char num[32];
	int n;

	if (depth > PLAN_JSON_MAX_DEPTH) {
		b->oom = 1;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		plan_json_object(b, v, depth);
		break;
	case JSON_ARRAY:
		plan_json_array(b, v, depth);
		break;
	case JSON_STRING:
		plan_json_string(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		sbuf_add(b, num, (size_t)n);
		break;
	case JSON_REAL:
		plan_json_real(b, json_real_value(v));
		break;
	case JSON_TRUE:
		sbuf_add(b, "true", 4);
		break;
	case JSON_FALSE:
		sbuf_add(b, "false", 5);
		break;
	case JSON_NULL:
		sbuf_add(b, "null", 4);
		break;
	}
}

char *
plan_json_text(const json_t *plan, size_t *len)
{
	struct sbuf b;
	size_t n;

	if (plan == NULL)
		return NULL;
	sbuf_init(&b);
	if (sbuf_reserve(&b, 4096) != 0)
		return NULL;
	plan_json_value(&b, plan, 0);
	if (b.oom) {
		sbuf_free(&b);
		return NULL;
	}
	n = b.len;
	if (len != NULL)
		*len = n;
	return sbuf_steal(&b);
}
