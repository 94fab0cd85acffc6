/*
 * sbuf.h: a growable byte buffer, always NUL-terminated.  The parser's
 * stages write their text into it and the worker builds a plan's JSON text
 * in it.  An allocation failure sets oom; later appends are no-ops, so a
 * caller checks once at the end.  The buffer owns p until sbuf_free() or
 * sbuf_steal() hands it to the caller.
 */
#ifndef PLANQ_SBUF_H
#define PLANQ_SBUF_H

#include <stddef.h>
#include <string.h>

struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 oom;		/* an allocation failed; contents truncated */
};

void	sbuf_init(struct sbuf *b);
void	sbuf_free(struct sbuf *b);
void	sbuf_reset(struct sbuf *b);
/* Room for extra more bytes (and the NUL); 0 ok, -1 (and oom set) not. */
int	sbuf_reserve(struct sbuf *b, size_t extra);
/* Appends n bytes at s (then the NUL).  Inline when they fit: most
 * appends are short and the buffer has room, and the two calls of the
 * general path (sbuf_add_grow, then sbuf_reserve) cost more than the
 * copy. */
void	sbuf_add_grow(struct sbuf *b, const char *s, size_t n);
static inline void
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	/* n and the NUL fit; n 0 (s may be NULL) takes the general path */
	if (!b->oom && n > 0 && n < b->cap - b->len) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
		b->p[b->len] = '\0';
	} else
		sbuf_add_grow(b, s, n);
}
static inline void
sbuf_addc(struct sbuf *b, char c)
{
	sbuf_add(b, &c, 1);
}
void	sbuf_adds(struct sbuf *b, const char *s);
/* Appends code point cp (at most 0x10FFFF, not a surrogate) as UTF-8. */
void	sbuf_add_cp(struct sbuf *b, unsigned long cp);
/* The contents (an empty string if none), NULL when out of memory;
 * caller frees; b is reset. */
char	*sbuf_steal(struct sbuf *b);

#endif
