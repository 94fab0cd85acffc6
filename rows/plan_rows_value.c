/*
 * plan_rows_value.c: one value of a plan JSON as the text of a row field,
 * one list as its elements (plan_rows_value.h).  A number is written as
 * the worker writes it in the plan JSON the database stores
 * (plan_json_text: integers in full; reals "%.15g", with ".0" added when
 * that reads as an integer), which is the text ->> gave; the database
 * casts it.  One difference is left: a real the JSON writes with an
 * exponent (1e20) reaches a cast with it, where ->> gave its digits, so a
 * refused value of that kind is refused with another message.
 */
#include <stdio.h>
#include <string.h>

#include "plan_rows_value.h"

static int
rows_refuse(struct plan_rows *r, const char *where, const char *key,
    const char *what)
{
	snprintf(r->why, sizeof(r->why), "%s%s%s: %s", where,
	    key != NULL && *where != '\0' ? "." : "", key ? key : "", what);
	return -1;
}

/* A real as "%.15g", and ".0" after it when that reads as an integer. */
int
rows_real_text(double d, char *buf, size_t len)
{
	int n = snprintf(buf, len - 2, "%.15g", d);

	if (n < 0 || (size_t)n >= len - 2)
		return -1;
	if (strpbrk(buf, ".en") == NULL) {	/* n: nan, inf */
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	return n;
}

/* The text of a scalar; -1 for an object or array. */
static int
rows_scalar(struct pgarray *a, const json_t *v)
{
	char buf[64];
	int n;

	switch (json_typeof(v)) {
	case JSON_STRING:
		pgarray_field_text(a, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_INTEGER:
		n = snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		break;
	case JSON_REAL:
		n = rows_real_text(json_real_value(v), buf, sizeof(buf));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		n = snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "true" :
		    "false");
		break;
	case JSON_NULL:
		pgarray_field_text(a, NULL, 0);
		return 0;
	default:
		return -1;
	}
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	pgarray_field_text(a, buf, (size_t)n);
	return 0;
}

int
rows_field_value(struct plan_rows *r, struct pgarray *a, const json_t *v,
    const char *where)
{
	if (v == NULL) {
		pgarray_field_text(a, NULL, 0);
		return 0;
	}
	if (rows_scalar(a, v) != 0)
		return rows_refuse(r, where, NULL,
		    "an object or array where a value belongs");
	return 0;
}

int
rows_field(struct plan_rows *r, struct pgarray *a, const json_t *obj,
    const char *key, const char *where)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (v != NULL && rows_scalar(a, v) != 0)
		return rows_refuse(r, where, key,
		    "an object or array where a value belongs");
	if (v == NULL)
		pgarray_field_text(a, NULL, 0);
	return 0;
}

int
rows_list(struct plan_rows *r, const json_t *obj, const char *key,
    const char *where, const json_t **list)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	*list = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return rows_refuse(r, where, NULL, "not a list");
	*list = v;
	return 0;
}
