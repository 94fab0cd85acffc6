/*
 * plan_facts.h: a plan's facts, the planq_plan_fact_row the worker sends
 * with its rows (sql/015_plan_facts.sql) so that the database never
 * receives the plan JSON: the plan's digest (plan_digest.c: what
 * planq_plan_digest() gives for the JSON), org.printed_name and the
 * warnings' codes, which planq_store_plans stores in plans.parsed_sha256,
 * org_printed_name and warning_codes.  The same values planq_plan_facts()
 * reads out of the JSON in SQL for the callers that still send it.
 */
#ifndef PLANQ_PLAN_FACTS_H
#define PLANQ_PLAN_FACTS_H

#include <stddef.h>
#include <jansson.h>

#include "pgarray.h"
#include "plandoc.h"

#define PLAN_FACT_FIELDS	4

/*
 * Appends the fact row of the plan at batch position doc to a (an array
 * of planq_plan_fact_row): the digest of its JSON text json[0..len), the
 * rest from its records rec, or (rec NULL) from its object plan.  -1 when
 * json is not JSON the database would take, or out of memory.
 */
int	plan_facts_add(struct pgarray *a, int doc, const char *json, size_t len,
	    const struct plandoc *rec, const json_t *plan);

#endif
