/*
 * sbuf.c: the growable, NUL-terminated byte buffer (sbuf.h) the parser's
 * stages and the worker's JSON text write into.  Capacity doubles, so
 * appends are amortised O(1); an allocation failure sets oom and later
 * appends become no-ops.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

void
sbuf_init(struct sbuf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

void
sbuf_free(struct sbuf *b)
{
	free(b->p);
	sbuf_init(b);
}

void
sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

int
sbuf_reserve(struct sbuf *b, size_t extra)
{
	size_t need, cap;
	char *np;

	if (b->oom)
		return -1;
	if (extra > SIZE_MAX / 2 - b->len) {
		b->oom = 1;
		return -1;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	np = realloc(b->p, cap);
	if (np == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = np;
	b->cap = cap;
	return 0;
}

void
sbuf_add_grow(struct sbuf *b, const char *s, size_t n)
{
	if (sbuf_reserve(b, n) != 0)
		return;
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sbuf_add_cp(struct sbuf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	sbuf_add(b, u, n);
}

void
sbuf_adds(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

char *
sbuf_steal(struct sbuf *b)
{
	char *p = b->p;

	if (p == NULL)
		p = calloc(1, 1);
	sbuf_init(b);
	return p;
}
