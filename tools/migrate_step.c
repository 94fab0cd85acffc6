/*
 * migrate_step.c: one SQL file's checksum and execution for `planq db
 * migrate` (migrate_step.h).  A failing file is reported with the line of
 * the statement PostgreSQL points at, counted in the file's own text.
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "dbconn.h"
#include "migrate_step.h"

int
migrate_checksum(const struct sql_embedded *m, struct migrate_sum *sum)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(m->text, m->len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32) {
		fprintf(stderr, "planq %s: cannot compute a SHA-256\n", MIGRATE_WHO);
		return -1;
	}
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(sum->hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int
migrate_exec(PGconn *conn, const char *sql, const char *what)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		dbconn_report(MIGRATE_WHO, what, res, conn);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

/* 1-based line of a 1-based character position in UTF-8 text, 0 if none */
static int
migrate_line_of(const char *text, const char *pos)
{
	long chars, n = 0;
	int line = 1;

	if (pos == NULL || (chars = strtol(pos, NULL, 10)) <= 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if ((*p & 0xc0) != 0x80 && ++n == chars)
			return line;
		if (*p == '\n')
			line++;
	}
	return 0;
}

int
migrate_exec_file(PGconn *conn, const struct sql_embedded *m)
{
	PGresult *res = PQexec(conn, m->text);
	ExecStatusType st = PQresultStatus(res);
	const char *pos;
	char what[200];
	int line;

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		PQclear(res);
		return 0;
	}
	pos = res != NULL ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) :
	    NULL;
	line = migrate_line_of(m->text, pos);
	if (line > 0)
		snprintf(what, sizeof(what), "%s.sql failed at line %d", m->name,
		    line);
	else
		snprintf(what, sizeof(what), "%s.sql failed", m->name);
	dbconn_report(MIGRATE_WHO, what, res, conn);
	PQclear(res);
	return -1;
}

void
migrate_rollback(PGconn *conn)
{
	PQclear(PQexec(conn, "ROLLBACK"));
}
