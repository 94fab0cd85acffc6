/*
 * sbuf.c: the growable, NUL-terminated byte buffer every stage of the parser
 * writes into.  Capacity doubles, so appends are amortised O(1); an
 * allocation failure sets oom and later appends become no-ops.
 */
#include <stdlib.h>
#include <string.h>

#include "parse_internal.h"

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
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (sbuf_reserve(b, n) != 0)
		return;
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sbuf_addc(struct sbuf *b, char c)
{
	sbuf_add(b, &c, 1);
}

void
sbuf_adds(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

static int
sbuf_is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

void
sbuf_add_words(struct sbuf *b, const char *s, size_t n)
{
	size_t i = 0, j;
	int pending = b->len > 0;

	if (sbuf_reserve(b, n + 1) != 0)
		return;
	while (i < n) {
		if (sbuf_is_ws((unsigned char)s[i])) {
			pending = b->len > 0;
			i++;
			continue;
		}
		for (j = i + 1; j < n && !sbuf_is_ws((unsigned char)s[j]);
		    j += 1 + text_word_len(s + j + 1, n - j - 1))
			;
		if (pending) {
			b->p[b->len++] = ' ';
			pending = 0;
		}
		memcpy(b->p + b->len, s + i, j - i);
		b->len += j - i;
		i = j;
	}
	b->p[b->len] = '\0';
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
