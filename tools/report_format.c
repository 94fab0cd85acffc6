/*
 * report_format.c: `planq report`'s output: aligned tables measured with
 * utf8proc_charwidth (CJK = 2 columns), CSV, and typed JSON (numbers,
 * booleans, embedded jsonb, null) built with Jansson.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <utf8proc.h>

#include "report_format.h"

/* PostgreSQL type OIDs (catalog/pg_type.h) of the columns we treat apart */
#define REPORT_BOOLOID		16
#define REPORT_INT8OID		20
#define REPORT_INT2OID		21
#define REPORT_INT4OID		23
#define REPORT_JSONOID		114
#define REPORT_FLOAT4OID	700
#define REPORT_FLOAT8OID	701
#define REPORT_NUMERICOID	1700
#define REPORT_JSONBOID		3802

static int
report_is_integer(Oid t)
{
	return t == REPORT_INT2OID || t == REPORT_INT4OID || t == REPORT_INT8OID;
}

static int
report_is_number(Oid t)
{
	return report_is_integer(t) || t == REPORT_NUMERICOID ||
	    t == REPORT_FLOAT4OID || t == REPORT_FLOAT8OID;
}

size_t
report_text_width(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t width = 0;

	while (*p != '\0') {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);

		if (n <= 0) {		/* invalid UTF-8: one column per byte */
			width++;
			p++;
			continue;
		}
		if (cp < 0x20)		/* shown as a space by report_cell() */
			width++;
		else if (utf8proc_charwidth(cp) > 0)
			width += (size_t)utf8proc_charwidth(cp);
		p += n;
	}
	return width;
}

/* one table cell: control characters (newlines, tabs) as spaces */
static void
report_cell(FILE *out, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 ? ' ' : *s, out);
}

static void
report_pad(FILE *out, size_t n)
{
	while (n-- > 0)
		fputc(' ', out);
}

static void
report_aligned_cell(FILE *out, const char *s, size_t width, int right)
{
	size_t w = report_text_width(s);

	if (right)
		report_pad(out, width - w);
	report_cell(out, s);
	if (!right)
		report_pad(out, width - w);
}

static int
report_table(FILE *out, const PGresult *res)
{
	int rows = PQntuples(res), cols = PQnfields(res);
	size_t *width = calloc((size_t)cols + 1, sizeof(*width));

	if (width == NULL)
		return -1;
	for (int c = 0; c < cols; c++) {
		width[c] = report_text_width(PQfname(res, c));
		for (int r = 0; r < rows; r++) {
			size_t w = report_text_width(PQgetvalue(res, r, c));
			if (w > width[c])
				width[c] = w;
		}
	}
	for (int c = 0; c < cols; c++) {
		fputs(c ? " | " : "", out);
		report_aligned_cell(out, PQfname(res, c), width[c], 0);
	}
	fputc('\n', out);
	for (int c = 0; c < cols; c++) {
		fputs(c ? "-+-" : "", out);
		for (size_t i = 0; i < width[c]; i++)
			fputc('-', out);
	}
	fputc('\n', out);
	for (int r = 0; r < rows; r++) {
		for (int c = 0; c < cols; c++) {
			fputs(c ? " | " : "", out);
			report_aligned_cell(out, PQgetvalue(res, r, c), width[c],
			    report_is_number(PQftype(res, c)));
		}
		fputc('\n', out);
	}
	fprintf(out, "(%d row%s)\n", rows, rows == 1 ? "" : "s");
	free(width);
	return 0;
}

static void
report_csv_field(FILE *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static int
report_csv(FILE *out, const PGresult *res)
{
	int rows = PQntuples(res), cols = PQnfields(res);

	for (int c = 0; c < cols; c++) {
		fputs(c ? "," : "", out);
		report_csv_field(out, PQfname(res, c));
	}
	fputs("\r\n", out);
	for (int r = 0; r < rows; r++) {
		for (int c = 0; c < cols; c++) {
			fputs(c ? "," : "", out);
			if (!PQgetisnull(res, r, c))
				report_csv_field(out, PQgetvalue(res, r, c));
		}
		fputs("\r\n", out);
	}
	return 0;
}

/* a new reference to one value as JSON, typed by the column's type */
static json_t *
report_json_value(const PGresult *res, int r, int c)
{
	const char *v = PQgetvalue(res, r, c);
	Oid t = PQftype(res, c);
	json_t *j;

	if (PQgetisnull(res, r, c))
		return json_null();
	if (report_is_integer(t))
		return json_integer(strtoll(v, NULL, 10));
	if (report_is_number(t) && strcmp(v, "NaN") != 0)
		return json_real(strtod(v, NULL));
	if (t == REPORT_BOOLOID)
		return json_boolean(v[0] == 't');
	if ((t == REPORT_JSONOID || t == REPORT_JSONBOID) &&
	    (j = json_loads(v, JSON_DECODE_ANY, NULL)) != NULL)
		return j;
	return json_string(v);
}

static int
report_json(FILE *out, const PGresult *res)
{
	int rows = PQntuples(res), cols = PQnfields(res), rc = 0;
	json_t *arr = json_array();

	for (int r = 0; r < rows && arr != NULL && rc == 0; r++) {
		json_t *obj = json_object();

		for (int c = 0; c < cols && obj != NULL && rc == 0; c++)
			rc = json_object_set_new(obj, PQfname(res, c),
			    report_json_value(res, r, c));
		if (obj == NULL || json_array_append_new(arr, obj) != 0)
			rc = -1;
	}
	if (arr == NULL || rc != 0 ||
	    json_dumpf(arr, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
		rc = -1;
	else
		fputc('\n', out);
	json_decref(arr);
	return rc;
}

int
report_print(FILE *out, const PGresult *res, enum report_format fmt)
{
	int rc;

	switch (fmt) {
	case REPORT_CSV:
		rc = report_csv(out, res);
		break;
	case REPORT_JSON:
		rc = report_json(out, res);
		break;
	default:
		rc = report_table(out, res);
		break;
	}
	if (fflush(out) != 0 || ferror(out))
		rc = -1;
	return rc;
}
