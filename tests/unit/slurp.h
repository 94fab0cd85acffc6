/*
 * slurp.h: the unit tests' one way to read a whole file into memory:
 * slurp(path, &len) returns a malloc'd buffer the caller frees, NUL
 * terminated after its len bytes, or NULL when the file cannot be read.
 */
#ifndef PLANQ_TEST_SLURP_H
#define PLANQ_TEST_SLURP_H

#include <stdio.h>
#include <stdlib.h>

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (b = malloc((size_t)n + 1)) != NULL) {
		*len = fread(b, 1, (size_t)n, f);
		b[*len] = '\0';
	}
	fclose(f);
	return b;
}

#endif
