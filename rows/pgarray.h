/*
 * pgarray.h: one-dimensional PostgreSQL arrays in the binary wire format,
 * built in memory to be sent as a single binary query parameter (format
 * 1).  This is how the worker hands planq_ingest_batch() n documents in one
 * statement: bytes are copied once, nothing is escaped or quoted.
 */
#ifndef PLANQ_PGARRAY_H
#define PLANQ_PGARRAY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* element types the worker sends (pg_type.oid, fixed for built-in types) */
#define PGARRAY_BYTEA	17u
#define PGARRAY_TEXT	25u
#define PGARRAY_JSONB	3802u

struct pgarray {
	char		*buf;	/* owned; the parameter's bytes */
	size_t		 len;
	size_t		 cap;
	uint32_t	 elem_type;
	int		 count;	/* elements added so far */
	int		 hasnull;	/* an element is SQL NULL */
	size_t		 record_at;	/* offset of the open record's length */
	int		 failed;	/* out of memory or too large: unusable */
};

/* Starts an empty array of elem_type; bytes_hint: expected size. */
void	pgarray_init(struct pgarray *a, uint32_t elem_type, size_t bytes_hint);
/* Room for `more` more bytes ahead of the appends (a hint: never fails). */
void	pgarray_hint(struct pgarray *a, size_t more);
/* Appends one element: len bytes of data, or SQL NULL when data is NULL. */
void	pgarray_add(struct pgarray *a, const void *data, size_t len);
/* Appends a NUL-terminated string (NULL: SQL NULL), as text or jsonb. */
void	pgarray_add_str(struct pgarray *a, const char *s);
/*
 * Composite elements (arrays of a row type): begin an element of nfields
 * fields, add each field in the type's column order, end it.  A field is
 * its column's type OID and its binary value; NULL pointers are SQL NULL.
 */
#define PGARRAY_INT4	23u
#define PGARRAY_INT8	20u
#define PGARRAY_TEXT_ARRAY 1009u	/* text[] */
void	pgarray_field_int8(struct pgarray *a, const int64_t *v);
/* Any other field: its type OID and binary value (a bytea's bytes, an
 * array as pgarray_finish made it); data NULL: SQL NULL. */
void	pgarray_field_typed(struct pgarray *a, uint32_t type, const void *data,
	    size_t len);
void	pgarray_field_int4_general(struct pgarray *a, const int32_t *v);
void	pgarray_record_begin_general(struct pgarray *a, int nfields);

/* The two common fields (a plan's rows are mostly int4 and text) and a
 * record's two ends inline when the buffer has room: each was a call (a
 * text field two) around a few stores.  NULL, a failed array or a
 * buffer to grow take the general functions.  The buffer's capacity
 * stays within INT_MAX (pgarray.c), so a text that fits is no longer
 * than a field may be. */
static inline void
pgarray_be32(char *at, uint32_t v)
{
	at[0] = (char)(v >> 24);
	at[1] = (char)(v >> 16);
	at[2] = (char)(v >> 8);
	at[3] = (char)v;
}

static inline void
pgarray_record_begin(struct pgarray *a, int nfields)
{
	if (a->failed || a->cap - a->len < 8) {
		pgarray_record_begin_general(a, nfields);
		return;
	}
	a->record_at = a->len;
	pgarray_be32(a->buf + a->len, 0);	/* element length, set at the end */
	pgarray_be32(a->buf + a->len + 4, (uint32_t)nfields);
	a->len += 8;
}

static inline void
pgarray_record_end(struct pgarray *a)
{
	size_t body = a->len - a->record_at - 4;

	if (a->failed || body > (size_t)INT32_MAX) {
		a->failed = 1;
		return;
	}
	pgarray_be32(a->buf + a->record_at, (uint32_t)body);
	a->count++;
}

static inline void
pgarray_field_int4(struct pgarray *a, const int32_t *v)
{
	if (v == NULL || a->failed || a->cap - a->len < 12) {
		pgarray_field_int4_general(a, v);
		return;
	}
	pgarray_be32(a->buf + a->len, PGARRAY_INT4);
	pgarray_be32(a->buf + a->len + 4, 4);
	pgarray_be32(a->buf + a->len + 8, (uint32_t)*v);
	a->len += 12;
}

static inline void
pgarray_field_text(struct pgarray *a, const char *s, size_t len)
{
	size_t room = a->cap - a->len;

	if (s == NULL || a->failed || room < 8 || len > room - 8) {
		pgarray_field_typed(a, PGARRAY_TEXT, s, len);
		return;
	}
	pgarray_be32(a->buf + a->len, PGARRAY_TEXT);
	pgarray_be32(a->buf + a->len + 4, (uint32_t)len);
	memcpy(a->buf + a->len + 8, s, len);
	a->len += 8 + len;
}

/* Finishes the header; 0 with the parameter in data and len, else -1. */
int	pgarray_finish(struct pgarray *a, const char **data, int *len);
void	pgarray_free(struct pgarray *a);

#endif
