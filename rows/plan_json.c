/*
 * plan_json.c: a plan as the JSON text the worker sends to the database.
 * Byte for byte what Jansson's json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER
 * | JSON_REAL_PRECISION(15)) writes (tests/unit/test_plan_json.c compares
 * the two), about five times faster: strings and numbers are written by
 * lib/jsontext.c, as the parser writes its own plan text, in one growing
 * buffer.  Strings in a json_t are valid UTF-8 already (Jansson checks on
 * creation), so they are not decoded again.
 */
#include <string.h>

#include "jsontext.h"
#include "plan_json.h"
#include "sbuf.h"

/* nesting deeper than this is no plan: refuse rather than recurse on */
#define PLAN_JSON_MAX_DEPTH 64

static void plan_json_value(struct sbuf *b, const json_t *v, int depth);

static void
plan_json_object(struct sbuf *b, const json_t *v, int depth)
{
	const char *key;
	json_t *item;
	int first = 1;

	jsontext_put(b, "{", 1);
	/* Jansson keeps keys in insertion order, as json_dumps writes them */
	json_object_foreach((json_t *)v, key, item) {
		if (!first)
			jsontext_put(b, ",", 1);
		first = 0;
		jsontext_string(b, key, strlen(key));
		jsontext_put(b, ":", 1);
		plan_json_value(b, item, depth + 1);
	}
	jsontext_put(b, "}", 1);
}

static void
plan_json_array(struct sbuf *b, const json_t *v, int depth)
{
	size_t n = json_array_size(v);

	jsontext_put(b, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			jsontext_put(b, ",", 1);
		plan_json_value(b, json_array_get(v, i), depth + 1);
	}
	jsontext_put(b, "]", 1);
}

static void
plan_json_value(struct sbuf *b, const json_t *v, int depth)
{
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
		jsontext_string(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jsontext_int(b, (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		jsontext_real(b, json_real_value(v));
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
