/*
 * fuzz_ctype.h: the content_type the fuzzer (and the corpus replay test)
 * passes with an input: chosen by its first byte, which is then dropped.
 * Corpus files start with '0'..'7' to pick an entry on purpose.
 */
#ifndef PLANQ_FUZZ_CTYPE_H
#define PLANQ_FUZZ_CTYPE_H

#include <stddef.h>
#include <stdint.h>

static const char *const fuzz_ctypes[8] = {
	NULL,
	"text/plain; charset=utf-8",
	"text/html; charset=shift_jis",
	"text/plain; charset=EUC-JP",
	"text/plain; charset=iso-2022-jp",
	"text/html",
	"text/plain; charset=utf-16le",
	"application/octet-stream; charset=\"x-bogus\"",
};

static inline const char *
fuzz_pick_ctype(const uint8_t **data, size_t *size)
{
	const char *ct;

	if (*size == 0)
		return NULL;
	ct = fuzz_ctypes[(*data)[0] % 8];
	(*data)++;
	(*size)--;
	return ct;
}

#endif
