/*
 * pgarray.c: binary-format one-dimensional arrays (see pgarray.h).  The
 * layout is PostgreSQL's array_recv(): a header of five big-endian int32s
 * (ndim = 1, has-nulls flag, element type, length, lower bound = 1), then
 * each element as an int32 byte count (-1 for NULL) and its bytes in the
 * element type's own binary format: bytea and text are the bytes, jsonb is
 * a version byte (1) and the JSON text; a record (row type) is its field
 * count, then per field the column's type OID, a byte count (-1: NULL) and
 * the value (record_recv()).  The array's length is written last.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pgarray.h"

#define PGARRAY_HEADER	20u
#define PGARRAY_JSONB_VERSION 1

static void
pgarray_put32(char *at, uint32_t v)
{
	uint32_t be = htonl(v);

	memcpy(at, &be, sizeof(be));
}

/* Room for `more` bytes (capacity doubled from 256); -1, the array left
 * as it was, when that is over INT_MAX or memory is short. */
static int
pgarray_try_grow(struct pgarray *a, size_t more)
{
	size_t want, cap;
	char *grown;

	if (more > (size_t)INT_MAX - a->len)	/* a parameter is an int */
		return -1;
	want = a->len + more;
	if (want <= a->cap)
		return 0;
	cap = a->cap ? a->cap : 256;
	while (cap < want)
		cap = cap > (size_t)INT_MAX / 2 ? (size_t)INT_MAX : cap * 2;
	if ((grown = realloc(a->buf, cap)) == NULL)
		return -1;
	a->buf = grown;
	a->cap = cap;
	return 0;
}

/* Grows the buffer to hold `more` bytes; sets failed (and keeps it) when
 * it cannot. */
static int
pgarray_grow(struct pgarray *a, size_t more)
{
	if (a->failed)
		return -1;
	if (pgarray_try_grow(a, more) != 0) {
		a->failed = 1;
		return -1;
	}
	return 0;
}

/* Room for `more` bytes ahead of time, without the doubling steps from
 * 256; a hint only: when it is too large or memory is short, nothing
 * changes and the appends grow the buffer as they go. */
void
pgarray_hint(struct pgarray *a, size_t more)
{
	if (!a->failed)
		(void)pgarray_try_grow(a, more);
}

/* Room for `more` bytes: the common case (room left) inline. */
static inline int
pgarray_reserve(struct pgarray *a, size_t more)
{
	if (!a->failed && more <= a->cap - a->len)
		return 0;
	return pgarray_grow(a, more);
}

void
pgarray_init(struct pgarray *a, uint32_t elem_type, size_t bytes_hint)
{
	memset(a, 0, sizeof(*a));
	a->elem_type = elem_type;
	if (pgarray_reserve(a, PGARRAY_HEADER + bytes_hint) == 0)
		a->len = PGARRAY_HEADER;	/* filled in by pgarray_finish */
}

/* Appends raw bytes (no element framing); failures set a->failed. */
static void
pgarray_raw(struct pgarray *a, const void *data, size_t len)
{
	if (pgarray_reserve(a, len) != 0)
		return;
	memcpy(a->buf + a->len, data, len);
	a->len += len;
}

static void
pgarray_raw32(struct pgarray *a, uint32_t v)
{
	uint32_t be = htonl(v);

	pgarray_raw(a, &be, sizeof(be));
}

void
pgarray_add(struct pgarray *a, const void *data, size_t len)
{
	static const char jsonb_version[1] = { PGARRAY_JSONB_VERSION };
	size_t plen = a->elem_type == PGARRAY_JSONB ? 1 : 0;

	if (data == NULL) {
		pgarray_raw32(a, UINT32_MAX);
		a->hasnull = 1;
	} else if (len > (size_t)INT32_MAX - plen) {
		a->failed = 1;
		return;
	} else {
		pgarray_raw32(a, (uint32_t)(plen + len));
		pgarray_raw(a, jsonb_version, plen);
		pgarray_raw(a, data, len);
	}
	a->count++;
}

void
pgarray_add_str(struct pgarray *a, const char *s)
{
	pgarray_add(a, s, s ? strlen(s) : 0);
}

/* pgarray_record_begin (pgarray.h) when the buffer must grow first. */
void
pgarray_record_begin_general(struct pgarray *a, int nfields)
{
	if (pgarray_reserve(a, 8) == 0)
		pgarray_record_begin(a, nfields);
	else
		a->record_at = a->len;
}

/* One field: type OID, length (-1: NULL), the bytes. */
void
pgarray_field_typed(struct pgarray *a, uint32_t type, const void *data,
    size_t len)
{
	size_t n = data != NULL ? len : 0;

	if (data != NULL && len > (size_t)INT32_MAX) {
		a->failed = 1;
		return;
	}
	/* one reservation for the field's header and bytes */
	if (pgarray_reserve(a, 8 + n) != 0)
		return;
	pgarray_put32(a->buf + a->len, type);
	pgarray_put32(a->buf + a->len + 4, data == NULL ? UINT32_MAX :
	    (uint32_t)len);
	if (n > 0)
		memcpy(a->buf + a->len + 8, data, n);
	a->len += 8 + n;
}

/* pgarray_field_int4 (pgarray.h) for NULL, or when the buffer must grow
 * first. */
void
pgarray_field_int4_general(struct pgarray *a, const int32_t *v)
{
	if (v == NULL)
		pgarray_field_typed(a, PGARRAY_INT4, NULL, 4);
	else if (pgarray_reserve(a, 12) == 0)
		pgarray_field_int4(a, v);
}

void
pgarray_field_int8(struct pgarray *a, const int64_t *v)
{
	unsigned char be[8];

	if (v != NULL)
		for (int k = 0; k < 8; k++)
			be[k] = (unsigned char)((uint64_t)*v >> (56 - 8 * k));
	pgarray_field_typed(a, PGARRAY_INT8, v != NULL ? be : NULL, sizeof(be));
}

int
pgarray_finish(struct pgarray *a, const char **data, int *len)
{
	if (a->failed || a->buf == NULL)
		return -1;
	pgarray_put32(a->buf, 1);			/* ndim */
	pgarray_put32(a->buf + 4, (uint32_t)a->hasnull);
	pgarray_put32(a->buf + 8, a->elem_type);
	pgarray_put32(a->buf + 12, (uint32_t)a->count);
	pgarray_put32(a->buf + 16, 1);			/* lower bound */
	*data = a->buf;
	*len = (int)a->len;
	return 0;
}

void
pgarray_free(struct pgarray *a)
{
	free(a->buf);
	memset(a, 0, sizeof(*a));
}
