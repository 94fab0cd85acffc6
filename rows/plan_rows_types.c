/*
 * plan_rows_types.c: looks up the row types of plan_rows.h in a database
 * (plan_rows_types.h), in the order of enum plan_rows_kind, then
 * planq_plan_fact_row (plan_facts.h, sql/015_plan_facts.sql).
 */
#include <stdio.h>
#include <stdlib.h>

#include "plan_rows_types.h"

#define PLAN_ROWS_TYPES_SQL "SELECT 'planq_issue_row'::regtype::oid, " \
	"'planq_strategy_row'::regtype::oid, " \
	"'planq_initiative_row'::regtype::oid, " \
	"'planq_budget_row'::regtype::oid, " \
	"'planq_plan_row'::regtype::oid, " \
	"'planq_text_row'::regtype::oid, " \
	"'planq_reform_row'::regtype::oid, " \
	"'planq_evaluation_row'::regtype::oid, " \
	"'planq_council_row'::regtype::oid, " \
	"'planq_contact_row'::regtype::oid, " \
	"'planq_plan_fact_row'::regtype::oid"

int
plan_rows_types(PGconn *conn, struct plan_row_types *types, char *why,
    size_t whylen)
{
	PGresult *res = PQexec(conn, PLAN_ROWS_TYPES_SQL);

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 ||
	    PQnfields(res) != PLAN_ROWS_KINDS + 1) {
		const char *e = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		snprintf(why, whylen, "%s", e != NULL ? e : PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	for (int k = 0; k < PLAN_ROWS_KINDS; k++)
		types->oid[k] = (uint32_t)strtoul(PQgetvalue(res, 0, k), NULL, 10);
	types->facts = (uint32_t)strtoul(PQgetvalue(res, 0, PLAN_ROWS_KINDS),
	    NULL, 10);
	PQclear(res);
	return 0;
}
