/*
 * plan_rows.h: the issues, strategies, initiatives and budgets of a batch's
 * plans as the row arrays planq_ingest_batch() takes (sql/009_ingest_batch.sql:
 * planq_issue_row …), built from the parsed json_t so that the database does
 * not take the plan JSON apart again.  Rows name their parents by position:
 * the document's position in the batch, the issue's, strategy's and
 * initiative's positions in their own arrays.
 */
#ifndef PLANQ_PLAN_ROWS_H
#define PLANQ_PLAN_ROWS_H

#include <jansson.h>
#include <stdint.h>

#include "pgarray.h"

/* The OIDs of the four row types in this database (they are not fixed). */
struct plan_row_types {
	uint32_t	issue;
	uint32_t	strategy;
	uint32_t	initiative;
	uint32_t	budget;
};

struct plan_rows {
	struct pgarray	 issues;
	struct pgarray	 strategies;
	struct pgarray	 initiatives;
	struct pgarray	 budgets;
};

void	plan_rows_init(struct plan_rows *r, const struct plan_row_types *types);
/*
 * Appends the rows of the plan at batch position doc (1-based; positions
 * must come in increasing order).  -1 when the plan has a value the row
 * types cannot carry exactly as the database would read it from the JSON
 * (a real where an integer belongs, an array that is not one, …): then
 * send no rows at all and let the database read the JSON.
 */
int	plan_rows_add(struct plan_rows *r, int doc, const json_t *plan);
/* The four finished arrays as parameters (values[0..3], lengths[0..3]);
 * -1 when memory ran out. */
int	plan_rows_finish(struct plan_rows *r, const char *values[4],
	    int lengths[4]);
void	plan_rows_free(struct plan_rows *r);

#endif
