/*
 * cmd_report.c: `planq report [--db DSN] [--csv|--json] REPORT [ARG]`:
 * runs one of the reporting views (sql/views/, sql/functions/search_plans.sql)
 * with PQexecParams and prints it (tools/report_format.c).  The session is
 * read-only, so a report that works on the primary works on a hot standby
 * (target_session_attrs=prefer-standby in the DSN sends it there).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "dbconn.h"
#include "report_format.h"

#define REPORT_WHO "report"

struct report_query {
	const char *name;
	int	    nargs;	/* 0, or 1: the value of $1 */
	const char *args;	/* for usage */
	const char *help;
	const char *sql;
};

static const struct report_query report_queries[] = {
	{ "plans", 0, "", "current plan of each org and fiscal year",
	  "SELECT org_name, fiscal_year, stage, title, issues, strategies,"
	  " initiatives, total_yen, initiatives_without_amount AS dashes, versions,"
	  " published_on, page_id FROM plans_current ORDER BY org_name, fiscal_year" },
	{ "budgets", 0, "", "budgets by org and fiscal year (current plans)",
	  "SELECT org_name, fiscal_year, stage, initiatives, main_total_yen,"
	  " main_unknown, budget_yen, estimate_yen, ward_cm_yen, other_yen"
	  " FROM budget_by_org_year ORDER BY org_name, fiscal_year" },
	{ "history", 1, " ORG", "one org's initiatives across fiscal years",
	  "SELECT fiscal_year, initiative_code, initiative_title, amount_yen,"
	  " prev_fiscal_year, prev_amount_yen, change_yen, change_percent, matched_by"
	  " FROM initiative_history WHERE org_name = $1"
	  " ORDER BY fiscal_year, initiative_code, initiative_title" },
	{ "changes", 1, " ORG", "what changed between versions of one org's plans",
	  "SELECT fiscal_year, from_stage, to_stage, change, initiative_code,"
	  " initiative_title, old_title, old_amount_yen, new_amount_yen, change_yen"
	  " FROM plan_changes WHERE org_name = $1"
	  " ORDER BY fiscal_year, from_plan_id, change, initiative_code" },
	{ "search", 1, " TEXT", "initiatives whose title or body contains TEXT",
	  "SELECT org_name, fiscal_year, initiative_code, initiative_title, snippet"
	  " FROM search_plans($1)" },
	{ "fragments", 0, "", "stored plans without org or fiscal year",
	  "SELECT plan_id, document_id, source_url, issues, initiatives, total_yen,"
	  " received_at FROM plan_fragments ORDER BY plan_id" },
	{ "ingest", 0, "", "ingest outcomes per hour and source host",
	  "SELECT hour, source_host, stored, duplicate, rejected, retry, other_events"
	  " FROM ingest_outcomes ORDER BY hour, source_host NULLS FIRST" },
	{ "quality", 0, "", "parse warnings per day and source host",
	  "SELECT * FROM parse_quality ORDER BY day, source_host NULLS FIRST" },
};
#define REPORT_NQUERIES (sizeof(report_queries) / sizeof(report_queries[0]))

static void
report_usage(FILE *out)
{
	fprintf(out, "usage: planq report [--db DSN] [--csv | --json] [REPORT [ARG]]\n"
	    "reports (default: plans):\n");
	for (size_t i = 0; i < REPORT_NQUERIES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%s%s", report_queries[i].name,
		    report_queries[i].args);
		fprintf(out, "  %-14s %s\n", name, report_queries[i].help);
	}
}

static const struct report_query *
report_find(const char *name)
{
	for (size_t i = 0; i < REPORT_NQUERIES; i++)
		if (strcmp(report_queries[i].name, name) == 0)
			return &report_queries[i];
	return NULL;
}

struct report_opts {
	const char *dsn;
	enum report_format fmt;
	const char *words[3];	/* REPORT [ARG] */
	int	    nwords;
};

static int
report_options(int argc, char **argv, struct report_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		if (dbconn_option(argc, argv, &i, &o->dsn))
			continue;
		if (strcmp(argv[i], "--csv") == 0)
			o->fmt = REPORT_CSV;
		else if (strcmp(argv[i], "--json") == 0)
			o->fmt = REPORT_JSON;
		else if ((argv[i][0] == '-' && argv[i][1] != '\0') ||
		    o->nwords >= 3)
			return -1;	/* unknown option, or too many words */
		else
			o->words[o->nwords++] = argv[i];
	}
	return 0;
}

/* A report never writes: the session says so, on a primary as on a
 * standby, where any write would fail anyway. */
static int
report_read_only(PGconn *conn)
{
	PGresult *res = PQexec(conn,
	    "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		dbconn_report(REPORT_WHO, "cannot make the session read-only", res,
		    conn);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

static int
report_run(PGconn *conn, const struct report_query *q, const char *arg,
    enum report_format fmt)
{
	const char *params[1] = { arg };
	PGresult *res;
	int rc = 0;

	res = PQexecParams(conn, q->sql, q->nargs, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		dbconn_report(REPORT_WHO, q->name, res, conn);
		fprintf(stderr, "  (is the schema migrated? planq db migrate)\n");
		rc = 1;
	} else if (report_print(stdout, res, fmt) != 0) {
		fprintf(stderr, "planq %s: cannot write the report\n", REPORT_WHO);
		rc = 1;
	}
	PQclear(res);
	return rc;
}

int
cmd_report(int argc, char **argv)
{
	const struct report_query *q;
	struct report_opts o;
	PGconn *conn;
	int rc;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		report_usage(stdout);
		return 0;
	}
	if (report_options(argc, argv, &o) != 0) {
		report_usage(stderr);
		return 2;
	}
	q = report_find(o.nwords > 0 ? o.words[0] : "plans");
	if (q == NULL || o.nwords - 1 > q->nargs || (o.nwords > 0 && o.nwords - 1 < q->nargs)) {
		if (q == NULL)
			fprintf(stderr, "planq report: unknown report '%s'\n", o.words[0]);
		else
			fprintf(stderr, "planq report: %s takes%s\n", q->name,
			    q->nargs ? q->args : " no argument");
		report_usage(stderr);
		return 2;
	}
	if ((conn = dbconn_open(dbconn_dsn(o.dsn), REPORT_WHO)) == NULL)
		return 1;
	rc = report_read_only(conn) == 0 ?
	    report_run(conn, q, q->nargs ? o.words[1] : NULL, o.fmt) : 1;
	PQfinish(conn);
	return rc;
}
