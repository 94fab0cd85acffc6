/*
 * report_format.h: prints a query result three ways for `planq report`:
 * an aligned table (East Asian wide characters take two columns), CSV
 * (RFC 4180) or a JSON array of objects with typed values.
 */
#ifndef PLANQ_REPORT_FORMAT_H
#define PLANQ_REPORT_FORMAT_H

#include <stdio.h>
#include <libpq-fe.h>

enum report_format {
	REPORT_TABLE = 0,
	REPORT_CSV,
	REPORT_JSON,
};

/* Terminal columns the UTF-8 string s takes (invalid bytes count one). */
size_t	report_text_width(const char *s);

/* Writes res (PGRES_TUPLES_OK, text format) to out.  0, or -1 when out of
 * memory or the write failed. */
int	report_print(FILE *out, const PGresult *res, enum report_format fmt);

#endif
