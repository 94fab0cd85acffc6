/*
 * cmd_reparse.c: `planq reparse [--db DSN] [--since DATE|--all]
 * [--warned[=CODE]]`: runs the current parser over stored documents and
 * replaces their rows through planq_reparse(), one transaction per
 * document, sending every row of the new plan as the worker does
 * (rows/plan_rows.c).  Default: only documents whose parser_version
 * differs from this binary's PARSER_VERSION; --warned narrows any choice
 * to the plans whose parse had warnings (plans.warning_codes), or the
 * given warning.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "commands.h"
#include "dbconn.h"
#include "parse.h"
#include "plan_rows.h"
#include "plan_rows_types.h"

#define REPARSE_WHO	"reparse"
/* the text the worker stores: reals to 15 digits, so a plan's 50.7 is
 * still 50.7 in jsonb (rows/plan_json.c writes the same bytes faster;
 * a reparse is bound by the database, not by this) */
#define REPARSE_PLAN_DUMP_FLAGS \
	(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
#define REPARSE_PAGE	"50"

/* $1 last id seen, $2 version to skip (NULL: none), $3 received since,
 * $4 '' any warning, a code that warning, NULL: warned or not */
#define REPARSE_SELECT \
	"SELECT d.id, d.content_type, d.raw FROM documents d" \
	" WHERE d.id > $1::bigint" \
	"   AND ($2::text IS NULL OR d.parser_version IS DISTINCT FROM $2::text)" \
	"   AND ($3::timestamptz IS NULL OR d.received_at >= $3::timestamptz)" \
	"   AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM plans p" \
	"        WHERE p.document_id = d.id AND CASE WHEN $4::text = ''" \
	"        THEN p.warning_codes <> '{}'" \
	"        ELSE p.warning_codes @> ARRAY[$4::text] END))" \
	" ORDER BY d.id LIMIT " REPARSE_PAGE
/* the document, the plan, the parser version, the charset, the plan's rows
 * (one planq_plan_rowset) */
#define REPARSE_CALL \
	"SELECT status FROM planq_reparse($1::bigint, $2::jsonb, $3, $4, " \
	"ROW($5, $6, $7, $8, $9, $10, $11, $12, $13, $14)::planq_plan_rowset)"
#define REPARSE_ROWS	4	/* parameters before the rows */
#define REPARSE_PARAMS	(REPARSE_ROWS + PLAN_ROWS_KINDS)

struct reparse_opts {
	const char *dsn;
	const char *since;	/* NULL: no date limit */
	const char *warned;	/* NULL: any plan; "": with warnings; a code */
	int	    all;	/* also documents already at PARSER_VERSION */
};

struct reparse_counts {
	long	seen, changed, unchanged, refused, failed;
};

/* The session and the OIDs of its row types. */
struct reparse_db {
	PGconn		*conn;
	struct plan_row_types types;
};

static void
reparse_usage(FILE *out)
{
	fprintf(out, "usage: planq reparse [--db DSN] [--since DATE | --all] "
	    "[--warned[=CODE]]\n"
	    "  re-runs parser %s over stored documents and replaces their rows\n"
	    "  (default: documents stored by another parser version;\n"
	    "   --since DATE: every document received since DATE; --all: every document;\n"
	    "   --warned: of those, only plans whose parse had warnings, or warning CODE)\n",
	    PARSER_VERSION);
}

static int
reparse_options(int argc, char **argv, struct reparse_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		if (dbconn_option(argc, argv, &i, &o->dsn))
			continue;
		if (strcmp(argv[i], "--since") == 0 && i + 1 < argc)
			o->since = argv[++i];
		else if (strcmp(argv[i], "--all") == 0)
			o->all = 1;
		else if (strcmp(argv[i], "--warned") == 0)
			o->warned = "";
		else if (strncmp(argv[i], "--warned=", 9) == 0 && argv[i][9] != '\0')
			o->warned = argv[i] + 9;
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

/* {"is_plan":false,…} for a plan that cannot be stored: "WHY: msg". */
static char *
reparse_refused_json(const char *why, const char *msg)
{
	char reason[700];
	json_t *o;
	char *s;

	snprintf(reason, sizeof(reason), "%s: %s", why, msg != NULL ? msg : "?");
	o = json_pack("{s:b,s:s}", "is_plan", 0, "reason", reason);
	s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

/*
 * One planq_reparse call with the plan text and the rows of `plan` (NULL:
 * no rows: the document becomes rejected).  NULL when the plan cannot be
 * turned into rows (why says where) or memory ran out (why empty); else
 * the result, the caller's to PQclear.
 */
static PGresult *
reparse_call(const struct reparse_db *db, const char *id, const char *text,
    const json_t *plan, const char *charset, char *why, size_t len)
{
	const char *values[REPARSE_PARAMS] = { id, text, PARSER_VERSION, charset };
	int lengths[REPARSE_PARAMS] = { 0 }, formats[REPARSE_PARAMS] = { 0 };
	struct plan_rows rows;
	PGresult *res = NULL;

	why[0] = '\0';
	plan_rows_init(&rows, &db->types);
	if (plan != NULL && plan_rows_add(&rows, 1, plan) != 0)
		snprintf(why, len, "%s", rows.why);
	else if (plan == NULL || plan_rows_finish(&rows, &values[REPARSE_ROWS],
	    &lengths[REPARSE_ROWS]) == 0) {
		for (int k = REPARSE_ROWS; k < REPARSE_PARAMS; k++)
			formats[k] = 1;
		res = PQexecParams(db->conn, REPARSE_CALL, REPARSE_PARAMS, NULL,
		    values, lengths, formats, 0);
	}
	plan_rows_free(&rows);
	return res;
}

/* The call again with the document as rejected: "WHY: msg". */
static PGresult *
reparse_reject(const struct reparse_db *db, const char *id, const char *why,
    const char *msg, const char *charset, struct reparse_counts *c)
{
	char *text = reparse_refused_json(why, msg), none[8];
	PGresult *res;

	if (text == NULL)
		return NULL;
	res = reparse_call(db, id, text, NULL, charset, none, sizeof(none));
	free(text);
	c->refused++;
	return res;
}

/* Stores a new parse of one document; counts what happened. */
static int
reparse_store(const struct reparse_db *db, long long docid,
    const struct parse_result *r, struct reparse_counts *c)
{
	const char *charset = r->charset[0] != '\0' ? r->charset : NULL;
	char id[24], why[200], *plan = reparse_plan_json(r);
	const char *state;
	PGresult *res = NULL;

	snprintf(id, sizeof(id), "%lld", docid);
	if (plan != NULL) {
		res = reparse_call(db, id, plan, r->status == PARSE_PLAN ?
		    r->plan : NULL, charset, why, sizeof(why));
		free(plan);
		/* a plan no rows can hold: keep the bytes as rejected */
		if (res == NULL && why[0] != '\0')
			res = reparse_reject(db, id, "the parsed plan cannot be "
			    "stored", why, charset, c);
	}
	if (res == NULL) {
		fprintf(stderr, "planq %s: out of memory\n", REPARSE_WHO);
		return -1;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (PQresultStatus(res) != PGRES_TUPLES_OK && state != NULL &&
	    (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)) {
		/* the new plan breaks the schema: keep the bytes as rejected */
		PGresult *again = reparse_reject(db, id, "the database refused "
		    "the parsed plan", PQresultErrorField(res,
		    PG_DIAG_MESSAGE_PRIMARY), charset, c);

		PQclear(res);
		if ((res = again) == NULL)
			return -1;
	}
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		fprintf(stderr, "planq %s: document %s: ", REPARSE_WHO, id);
		dbconn_report(REPARSE_WHO, "planq_reparse failed", res, db->conn);
		PQclear(res);
		c->failed++;
		return PQstatus(db->conn) == CONNECTION_OK ? 0 : -1;
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
reparse_page(const struct reparse_db *db, const struct reparse_opts *o,
    long long *last, struct reparse_counts *c)
{
	PGconn *conn = db->conn;
	char lastbuf[24];
	const char *params[4] = { lastbuf, o->all || o->since ? NULL : PARSER_VERSION,
	    o->since, o->warned };
	PGresult *res;
	int n;

	snprintf(lastbuf, sizeof(lastbuf), "%lld", *last);
	res = PQexecParams(conn, REPARSE_SELECT, 4, NULL, params, NULL, NULL, 1);
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
		rc = reparse_store(db, *last, &r, c);
		parse_result_clear(&r);
		if (rc != 0) {
			PQclear(res);
			return -1;
		}
	}
	PQclear(res);
	return n;
}

/* --warned=CODE must be one of the parser's codes (a typo would match
 * nothing and look like "no plan has it") */
static int
reparse_check_warned(const char *code)
{
	if (code == NULL || *code == '\0')
		return 0;
	for (int w = 0; w < PARSE_WARN_COUNT; w++)
		if (strcmp(parse_warning_code((enum parse_warning)w), code) == 0)
			return 0;
	fprintf(stderr, "planq %s: --warned=%s: no such warning; the codes are:",
	    REPARSE_WHO, code);
	for (int w = 0; w < PARSE_WARN_COUNT; w++)
		fprintf(stderr, " %s", parse_warning_code((enum parse_warning)w));
	fputc('\n', stderr);
	return -1;
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
	struct reparse_db db;
	long long last = 0;
	char why[256];
	int n;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		reparse_usage(stdout);
		return 0;
	}
	if (reparse_options(argc, argv, &o) != 0) {
		reparse_usage(stderr);
		return 2;
	}
	if (reparse_check_warned(o.warned) != 0)
		return 2;
	if ((db.conn = dbconn_open_primary(dbconn_dsn(o.dsn), REPARSE_WHO)) == NULL)
		return 1;
	if (plan_rows_types(db.conn, &db.types, why, sizeof(why)) != 0) {
		fprintf(stderr, "planq %s: the database has no usable planq schema "
		    "(%s); run: planq db migrate\n", REPARSE_WHO, why);
		PQfinish(db.conn);
		return 1;
	}
	if (reparse_check_since(db.conn, o.since) != 0) {
		PQfinish(db.conn);
		return 2;
	}
	while ((n = reparse_page(&db, &o, &last, &c)) > 0)
		;
	PQfinish(db.conn);
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
