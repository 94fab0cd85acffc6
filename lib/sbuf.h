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
void	sbuf_add(struct sbuf *b, const char *s, size_t n);
void	sbuf_addc(struct sbuf *b, char c);
void	sbuf_adds(struct sbuf *b, const char *s);
/* Appends code point cp (at most 0x10FFFF, not a surrogate) as UTF-8. */
void	sbuf_add_cp(struct sbuf *b, unsigned long cp);
/* The contents (an empty string if none), NULL when out of memory;
 * caller frees; b is reset. */
char	*sbuf_steal(struct sbuf *b);

#endif
