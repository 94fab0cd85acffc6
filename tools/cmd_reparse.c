/*
 * cmd_reparse.c: `planq reparse [--db DSN] [--since DATE|--all]`: runs the
 * current parser over stored documents and replaces their rows through
 * planq_reparse(), one transaction per document.  Default: only documents
 * whose parser_version differs from this binary's PARSER_VERSION.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "commands.h"
#include "dbconn.h"
#include "parse.h"

#define REPARSE_WHO	"reparse"
/* the text the worker stores: reals to 15 digits, so a plan's 50.7 is
 * still 50.7 in jsonb (workers/plan_json.c writes the same bytes faster;
 * a reparse is bound by the database, not by this) */
#define REPARSE_PLAN_DUMP_FLAGS \
	(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
#define REPARSE_PAGE	"50"

/* $1 last id seen, $2 version to skip (NULL: none), $3 received since */
#define REPARSE_SELECT \
	"SELECT id, content_type, raw FROM documents" \
	" WHERE id > $1::bigint" \
	"   AND ($2::text IS NULL OR parser_version IS DISTINCT FROM $2::text)" \
	"   AND ($3::timestamptz IS NULL OR received_at >= $3::timestamptz)" \
	" ORDER BY id LIMIT " REPARSE_PAGE
#define REPARSE_CALL \
	"SELECT status FROM planq_reparse($1::bigint, $2::jsonb, $3, $4)"

struct reparse_opts {
	const char *dsn;
	const char *since;	/* NULL: no date limit */
	int	    all;	/* also documents already at PARSER_VERSION */
};

struct reparse_counts {
	long	seen, changed, unchanged, refused, failed;
};

static void
reparse_usage(FILE *out)
{
	fprintf(out, "usage: planq reparse [--db DSN] [--since DATE | --all]\n"
	    "  re-runs parser %s over stored documents and replaces their rows\n"
	    "  (default: documents stored by another parser version;\n"
	    "   --since DATE: every document received since DATE; --all: every document)\n",
	    PARSER_VERSION);
}

static int
reparse_options(int argc, char **argv, struct reparse_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			o->dsn = argv[++i];
		else if (strncmp(argv[i], "--db=", 5) == 0)
			o->dsn = argv[i] + 5;
		else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc)
			o->since = argv[++i];
		else if (strcmp(argv[i], "--all") == 0)
			o->all = 1;
		else
			return -1;
	}
	return o->all && o->since != NULL ? -1 : 0;
}

/*
 * The JSON handed to planq_reparse for one parse result: the plan, or
 * {"is_plan":false,"reason":…} with the reason worded as the worker words
 * it (workers/job.c), so an unchanged rejection compares equal.
 * Returns a malloc'd string or NULL (out of memory).
 */
static char *
reparse_plan_json(const struct parse_result *r)
{
	char reason[400];
	json_t *o;
	char *s;

	if (r->status == PARSE_PLAN && r->plan != NULL)
		return json_dumps(r->plan, REPARSE_PLAN_DUMP_FLAGS);
	snprintf(reason, sizeof(reason), "%s: %s",
	    r->status == PARSE_NOT_PLAN ? "not a plan" : "undecodable", r->reason);
	o = json_pack("{s:b,s:s}", "is_plan", 0, "reason", reason);
	s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

/* {"is_plan":false,…} for a plan the database refused (class 22/23). */
static char *
reparse_refused_json(const char *msg)
{
	char reason[700];
	json_t *o;
	char *s;

	snprintf(reason, sizeof(reason), "the database refused the parsed plan: %s",
	    msg != NULL ? msg : "?");
	o = json_pack("{s:b,s:s}", "is_plan", 0, "reason", reason);
	s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

/* One planq_reparse call; the result is the caller's to PQclear. */
static PGresult *
reparse_call(PGconn *conn, const char *id, const char *plan, const char *charset)
{
	const char *params[4] = { id, plan, PARSER_VERSION, charset };

	return PQexecParams(conn, REPARSE_CALL, 4, NULL, params, NULL, NULL, 0);
}

/* Stores a new parse of one document; counts what happened. */
static int
reparse_store(PGconn *conn, long long docid, const struct parse_result *r,
    struct reparse_counts *c)
{
	const char *charset = r->charset[0] != '\0' ? r->charset : NULL;
	char id[24], *plan = reparse_plan_json(r);
	const char *state;
	PGresult *res;

	snprintf(id, sizeof(id), "%lld", docid);
	if (plan == NULL) {
		fprintf(stderr, "planq %s: out of memory\n", REPARSE_WHO);
		return -1;
	}
	res = reparse_call(conn, id, plan, charset);
	free(plan);
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (PQresultStatus(res) != PGRES_TUPLES_OK && state != NULL &&
	    (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)) {
		/* the new plan breaks the schema: keep the bytes as rejected */
		plan = reparse_refused_json(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
		PQclear(res);
		if (plan == NULL)
			return -1;
		res = reparse_call(conn, id, plan, charset);
		free(plan);
		c->refused++;
	}
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		fprintf(stderr, "planq %s: document %s: ", REPARSE_WHO, id);
		dbconn_report(REPARSE_WHO, "planq_reparse failed", res, conn);
		PQclear(res);
		c->failed++;
		return PQstatus(conn) == CONNECTION_OK ? 0 : -1;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "changed") == 0)
		c->changed++;
	else
		c->unchanged++;
	PQclear(res);
	return 0;
}

/* big-endian int8 of a binary-format result */
static long long
reparse_int8(const PGresult *res, int row, int col)
{
	const unsigned char *p = (const unsigned char *)PQgetvalue(res, row, col);
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return (long long)v;
}

/* Parses and stores one page of documents; *last = highest id done.
 * Returns the number of documents in the page, or -1 on a fatal error. */
static int
reparse_page(PGconn *conn, const struct reparse_opts *o, long long *last,
    struct reparse_counts *c)
{
	char lastbuf[24];
	const char *params[3] = { lastbuf, o->all || o->since ? NULL : PARSER_VERSION,
	    o->since };
	PGresult *res;
	int n;

	snprintf(lastbuf, sizeof(lastbuf), "%lld", *last);
	res = PQexecParams(conn, REPARSE_SELECT, 3, NULL, params, NULL, NULL, 1);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		dbconn_report(REPARSE_WHO, "cannot read documents", res, conn);
		PQclear(res);
		return -1;
	}
	n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		struct parse_result r;
		char *ctype = PQgetisnull(res, i, 1) ? NULL :
		    strndup(PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1));
		int rc;

		*last = reparse_int8(res, i, 0);
		c->seen++;
		rc = parse_bytes(PQgetvalue(res, i, 2), (size_t)PQgetlength(res, i, 2),
		    ctype, &r);
		free(ctype);
		if (rc != 0) {
			fprintf(stderr, "planq %s: document %lld: %s\n", REPARSE_WHO,
			    *last, r.reason);
			parse_result_clear(&r);
			PQclear(res);
			return -1;
		}
		rc = reparse_store(conn, *last, &r, c);
		parse_result_clear(&r);
		if (rc != 0) {
			PQclear(res);
			return -1;
		}
	}
	PQclear(res);
	return n;
}

/* --since must be a date the server understands, before any work */
static int
reparse_check_since(PGconn *conn, const char *since)
{
	const char *params[1] = { since };
	PGresult *res;
	int rc = 0;

	if (since == NULL)
		return 0;
	res = PQexecParams(conn, "SELECT $1::timestamptz", 1, NULL, params,
	    NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		dbconn_report(REPARSE_WHO, "--since is not a date (try 2024-04-01)",
		    res, conn);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

int
cmd_reparse(int argc, char **argv)
{
	struct reparse_counts c = { 0, 0, 0, 0, 0 };
	struct reparse_opts o;
	long long last = 0;
	PGconn *conn;
	int n;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		reparse_usage(stdout);
		return 0;
	}
	if (reparse_options(argc, argv, &o) != 0) {
		reparse_usage(stderr);
		return 2;
	}
	if ((conn = dbconn_open_primary(dbconn_dsn(o.dsn), REPARSE_WHO)) == NULL)
		return 1;
	if (reparse_check_since(conn, o.since) != 0) {
		PQfinish(conn);
		return 2;
	}
	while ((n = reparse_page(conn, &o, &last, &c)) > 0)
		;
	PQfinish(conn);
	printf("reparsed %ld documents with parser %s: %ld changed, %ld unchanged, "
	    "%ld failed%s\n", c.seen, PARSER_VERSION, c.changed, c.unchanged,
	    c.failed, c.refused ? " (some plans refused by the schema: stored as rejected)" : "");
	if (n < 0) {
		fprintf(stderr, "planq %s: stopped after document %lld; run it again "
		    "to continue\n", REPARSE_WHO, last);
		return 1;
	}
	return c.failed == 0 ? 0 : 1;
}
