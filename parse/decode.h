/*
 * decode.h: stage 1, bytes in some charset to valid UTF-8 (decode.c).
 */
#ifndef PLANQ_PARSE_DECODE_H
#define PLANQ_PARSE_DECODE_H

#include "internal.h"

#include <stddef.h>

#include "text.h"

struct sbuf;

/* Returns 0 and fills *text (UTF-8, no BOM) and charset; 1 when the bytes
 * are not text in any supported charset, 2 when they are binary data (NUL
 * bytes without a UTF-16 BOM/label); reason filled; -1 on OOM.  *text is
 * a part of bytes when they were UTF-8 already, else out's contents: it
 * lives as long as both. */
int	decode_to_utf8(const unsigned char *bytes, size_t len,
	    const char *content_type, struct sbuf *out, struct span *text,
	    char *charset, size_t charsetsz, char *reason, size_t reasonsz);
int	decode_is_utf8(const unsigned char *s, size_t n);

#endif
