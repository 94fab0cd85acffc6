/*
 * cmd_parse.c: `planq parse FILE|-`: prints the parsed plan of one document
 * as JSON.  No daemon, no database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parse.h"

static int
read_all(FILE *f, unsigned char **out, size_t *outlen)
{
	size_t cap = 65536, len = 0;
	unsigned char *buf = malloc(cap);

	if (buf == NULL)
		return -1;
	for (;;) {
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
		if (len == cap) {
			unsigned char *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

int
cmd_parse(int argc, char **argv)
{
	const char *path, *content_type = NULL;
	struct parse_result r;
	unsigned char *bytes;
	size_t len;
	FILE *f;
	int i, rc;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--content-type") == 0 && i + 1 < argc)
			content_type = argv[++i];
		else {
			fprintf(stderr, "usage: planq parse [--content-type TYPE] FILE|-\n");
			return 2;
		}
	}
	if (i != argc - 1) {
		fprintf(stderr, "usage: planq parse [--content-type TYPE] FILE|-\n");
		return 2;
	}
	path = argv[i];
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return 1;
	}
	rc = read_all(f, &bytes, &len);
	if (f != stdin)
		fclose(f);
	if (rc != 0) {
		fprintf(stderr, "planq parse: cannot read %s\n", path);
		return 1;
	}
	rc = parse_bytes(bytes, len, content_type, &r);
	free(bytes);
	if (rc != 0) {
		fprintf(stderr, "planq parse: %s\n", r.reason);
		parse_result_clear(&r);
		return 1;
	}
	if (r.status == PARSE_UNDECODABLE) {
		fprintf(stderr, "planq parse: %s: %s\n", path, r.reason);
		parse_result_clear(&r);
		return 1;
	}
	/* reals as the worker and `planq reparse` send them (%.15g: 48.3, not
	 * 48.299999999999997), so this is the JSON whose digest is stored */
	json_dumpf(r.plan, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII * 0 |
	    JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	fputc('\n', stdout);
	parse_result_clear(&r);
	return 0;
}
