/*
 * normalize.h: stage 3, NFKC and white space over decoded text
 * (normalize.c).
 */
#ifndef PLANQ_PARSE_NORMALIZE_H
#define PLANQ_PARSE_NORMALIZE_H

#include "internal.h"

#include <stddef.h>

struct sbuf;

/* NFKC-normalises valid UTF-8, maps CR/CRLF to LF, drops other control
 * characters except tab, U+3000 and NBSP become spaces.  0 / -1 OOM. */
int	normalize_text(const char *s, size_t n, struct sbuf *out);

#endif
