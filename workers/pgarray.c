/*
 * pgarray.c: binary-format one-dimensional arrays (see pgarray.h).  The
 * layout is PostgreSQL's array_recv(): a header of five big-endian int32s
 * (ndim = 1, has-nulls flag, element type, length, lower bound = 1), then
 * each element as an int32 byte count (-1 for NULL) and its bytes in the
 * element type's own binary format: bytea and text are the bytes, jsonb is
 * a version byte (1) and the JSON text.  The length is written last.
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

/* Room for `more` bytes; sets failed (and keeps it) when there is none. */
static int
pgarray_reserve(struct pgarray *a, size_t more)
{
	size_t want, cap;
	char *grown;

	if (a->failed)
		return -1;
	if (more > (size_t)INT_MAX - a->len) {	/* a parameter is an int */
		a->failed = 1;
		return -1;
	}
	want = a->len + more;
	if (want <= a->cap)
		return 0;
	cap = a->cap ? a->cap : 256;
	while (cap < want)
		cap = cap > (size_t)INT_MAX / 2 ? (size_t)INT_MAX : cap * 2;
	if ((grown = realloc(a->buf, cap)) == NULL) {
		a->failed = 1;
		return -1;
	}
	a->buf = grown;
	a->cap = cap;
	return 0;
}

void
pgarray_init(struct pgarray *a, uint32_t elem_type, size_t bytes_hint)
{
	memset(a, 0, sizeof(*a));
	a->elem_type = elem_type;
	if (pgarray_reserve(a, PGARRAY_HEADER + bytes_hint) == 0)
		a->len = PGARRAY_HEADER;	/* filled in by pgarray_finish */
}

/* One element's length word and, unless NULL, its bytes after a prefix. */
static void
pgarray_put(struct pgarray *a, const char *prefix, size_t plen,
    const void *data, size_t len)
{
	int null = data == NULL;

	if (!null && len > (size_t)INT_MAX - plen) {
		a->failed = 1;
		return;
	}
	if (pgarray_reserve(a, 4 + (null ? 0 : plen + len)) != 0)
		return;
	pgarray_put32(a->buf + a->len, null ? UINT32_MAX : (uint32_t)(plen + len));
	a->len += 4;
	a->hasnull |= null;
	if (!null) {
		memcpy(a->buf + a->len, prefix, plen);
		if (len > 0)
			memcpy(a->buf + a->len + plen, data, len);
		a->len += plen + len;
	}
	a->count++;
}

void
pgarray_add(struct pgarray *a, const void *data, size_t len)
{
	static const char jsonb_version[1] = { PGARRAY_JSONB_VERSION };
	int jsonb = a->elem_type == PGARRAY_JSONB;

	pgarray_put(a, jsonb_version, jsonb ? 1 : 0, data, len);
}

void
pgarray_add_str(struct pgarray *a, const char *s)
{
	pgarray_add(a, s, s ? strlen(s) : 0);
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
