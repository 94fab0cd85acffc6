/*
 * migrate_files.c: `planq db migrate` over SQL files named on the command
 * line instead of the ones built into bin/planq, so that a test can change
 * a repeatable file, or break one, and migrate a database with it: the
 * same engine (tools/migrate.c), another set of files.
 *
 *   migrate_files DSN FILE...
 *
 * FILEs in the order mk/sql-files.sh prints them; each is named as
 * mk/embed-sql.sh names it (NNN_name.sql: migration NNN; BNNN_name.sql:
 * the baseline of version NNN; functions/X.sql,
 * views/X.sql: repeatable "functions/X", "views/X"; roles.sql).  Output
 * and exit status are those of `planq db migrate`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbconn.h"
#include "migrate.h"

/* The file's contents, NUL-terminated; NULL after saying why. */
static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)size + 1)) == NULL ||
	    fread(buf, 1, (size_t)size, f) != (size_t)size) {
		perror(path);
		free(buf);
		buf = NULL;
	} else {
		buf[size] = '\0';
		*len = (size_t)size;
	}
	if (f != NULL)
		fclose(f);
	return buf;
}

/* Kind, version and name of a path, as mk/embed-sql.sh gives them. */
static int
name_file(const char *path, struct sql_embedded *m, char *name, size_t len)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t blen = strlen(base);
	const char *dir = base;

	if (blen < 5 || strcmp(base + blen - 4, ".sql") != 0)
		return -1;
	blen -= 4;
	while (dir > path && dir[-1] == '/')
		dir--;
	while (dir > path && dir[-1] != '/')
		dir--;
	m->version = 0;
	if (blen > 4 && strspn(base, "0123456789") == 3 && base[3] == '_') {
		m->kind = SQL_VERSIONED;
		m->version = atoi(base);
		snprintf(name, len, "%.*s", (int)blen, base);
	} else if (blen > 5 && base[0] == 'B' &&
	    strspn(base + 1, "0123456789") == 3 && base[4] == '_') {
		m->kind = SQL_BASELINE;
		m->version = atoi(base + 1);
		snprintf(name, len, "%.*s", (int)blen, base);
	} else if (strncmp(dir, "functions/", 10) == 0 ||
	    strncmp(dir, "views/", 6) == 0) {
		m->kind = SQL_REPEATABLE;
		snprintf(name, len, "%.*s", (int)(base - dir + blen), dir);
	} else if (strcmp(base, "roles.sql") == 0) {
		m->kind = SQL_ROLES;
		snprintf(name, len, "roles");
	} else
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct sql_embedded *files;
	char (*names)[128];
	struct sql_set set;
	PGconn *conn;
	int rc = 1, n = argc - 2;

	if (argc < 3) {
		fprintf(stderr, "usage: migrate_files DSN FILE...\n");
		return 2;
	}
	files = calloc((size_t)n, sizeof(*files));
	names = calloc((size_t)n, sizeof(*names));
	if (files == NULL || names == NULL)
		return 1;
	for (int i = 0; i < n; i++) {
		const char *path = argv[i + 2];

		if (name_file(path, &files[i], names[i], sizeof(names[i])) != 0) {
			fprintf(stderr, "migrate_files: %s: not a planq SQL file\n", path);
			goto out;
		}
		files[i].name = names[i];
		if ((files[i].text = read_file(path, &files[i].len)) == NULL)
			goto out;
	}
	set.files = files;
	set.count = (size_t)n;
	if ((conn = dbconn_open(argv[1], "db")) != NULL) {
		rc = migrate_run(conn, &set, stdout) == 0 ? 0 : 1;
		PQfinish(conn);
	}
out:
	for (int i = 0; i < n; i++)
		free((char *)files[i].text);
	free(files);
	free(names);
	return rc;
}
