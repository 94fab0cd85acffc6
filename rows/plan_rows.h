/*
 * plan_rows.h: the one mapping from a parsed plan (the parser's json_t) to
 * the rows the database stores for it: its plans row, goals/missions/
 * policies, issues, strategies, initiatives, budgets, reforms, evaluation,
 * council reflection and contact, as the arrays of row types that
 * planq_ingest_batch() and planq_ingest() take as ten arguments
 * (sql/010_rows_from_the_caller.sql), and planq_ingest_rows() and
 * planq_reparse() as the fields of one planq_plan_rowset, in that order
 * (sql/017_plan_rowset.sql), in PostgreSQL's binary format (pgarray.c).  The worker (store.c) and `planq reparse`
 * (tools/cmd_reparse.c) send them; the database does not take the plan
 * JSON apart.  The worker sends the plan's facts beside them instead of
 * the JSON (plan_facts.h: its digest, org.printed_name, the warnings'
 * codes); `planq reparse` sends the JSON, which the database reads them
 * from.
 *
 * Rows name their parents by position: the document's position in the
 * batch (1 for a single plan), the issue's, strategy's and initiative's
 * positions in their own arrays.  Values travel as the text the JSON holds
 * (what ->> gives in SQL: a string's characters, a number as written,
 * true/false; NULL for null or absent) and the database casts them, so a
 * value the schema refuses is refused by the INSERT of its part, which the
 * error names (sql/functions/planq_store_plans.sql).
 */
#ifndef PLANQ_PLAN_ROWS_H
#define PLANQ_PLAN_ROWS_H

#include <jansson.h>
#include <stdint.h>

#include "pgarray.h"
#include "plandoc.h"

/* The arrays, in the order of the functions' row parameters. */
enum plan_rows_kind {
	PLAN_ROWS_ISSUES,	/* planq_issue_row */
	PLAN_ROWS_STRATEGIES,	/* planq_strategy_row */
	PLAN_ROWS_INITIATIVES,	/* planq_initiative_row */
	PLAN_ROWS_BUDGETS,	/* planq_budget_row */
	PLAN_ROWS_PLANS,	/* planq_plan_row */
	PLAN_ROWS_TEXTS,	/* planq_text_row */
	PLAN_ROWS_REFORMS,	/* planq_reform_row */
	PLAN_ROWS_EVALUATIONS,	/* planq_evaluation_row */
	PLAN_ROWS_COUNCILS,	/* planq_council_row */
	PLAN_ROWS_CONTACTS,	/* planq_contact_row */
	PLAN_ROWS_KINDS
};

/* The OIDs of the row types in a database (they are not fixed):
 * plan_rows_types.c reads them. */
struct plan_row_types {
	uint32_t	oid[PLAN_ROWS_KINDS];
	uint32_t	facts;	/* planq_plan_fact_row (plan_facts.h) */
};

struct plan_rows {
	struct pgarray	 a[PLAN_ROWS_KINDS];
	char		 why[160];	/* after plan_rows_add failed */
};

void	plan_rows_init(struct plan_rows *r, const struct plan_row_types *types);
/*
 * Appends the rows of the plan at batch position doc (1-based; positions
 * must come in increasing order).  -1 when the plan has a shape no rows
 * can hold (a list that is not a list, an object or array where a value
 * belongs), with r->why saying where ("issues[]: not a list"); the arrays
 * are then incomplete: start again without that plan.
 */
int	plan_rows_add(struct plan_rows *r, int doc, const json_t *plan);
/*
 * The same rows from the parser's records of the plan (parse_result.doc),
 * without its Jansson object: what the worker does (plan_rows_doc.c).
 * -1 only for a value with no text, with r->why saying which.
 */
int	plan_rows_add_doc(struct plan_rows *r, int doc,
	    const struct plandoc *d);
/* The finished arrays as parameters (values[k], lengths[k] for each
 * enum plan_rows_kind k); -1 when memory ran out. */
int	plan_rows_finish(struct plan_rows *r, const char *values[PLAN_ROWS_KINDS],
	    int lengths[PLAN_ROWS_KINDS]);
void	plan_rows_free(struct plan_rows *r);

#endif
