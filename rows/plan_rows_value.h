/*
 * plan_rows_value.h: how plan_rows.c reads the plan JSON: one value as one
 * text field of a row, and a list as its elements, giving what
 * PostgreSQL's ->> and jsonb_array_elements() gave for the same JSON when
 * the database read plans itself (before sql/010_rows_from_the_caller.sql),
 * so that the casts in the database see the same text.
 */
#ifndef PLANQ_PLAN_ROWS_VALUE_H
#define PLANQ_PLAN_ROWS_VALUE_H

#include <jansson.h>

#include "plan_rows.h"

/* The fields of each row type (sql/010_rows_from_the_caller.sql). */
#define PLAN_FIELDS		11
#define TEXT_FIELDS		4
#define ISSUE_FIELDS		5
#define STRATEGY_FIELDS		5
#define INITIATIVE_FIELDS	8
#define BUDGET_FIELDS		4
#define REFORM_FIELDS		5
#define EVALUATION_FIELDS	3
#define COUNCIL_FIELDS		6
#define CONTACT_FIELDS		5

/* A real as its row text: "%.15g", and ".0" after it when that reads as
 * an integer; -1 if it does not fit. */
int	rows_real_text(double d, char *buf, size_t len);

/*
 * obj->>key as a text field of the row being built in a: the string's
 * characters, a number as the plan's JSON text writes it, true/false;
 * NULL for null, absent, or obj not an object.  -1 for an object or array
 * (no text field can hold it), with r->why naming where.key.
 */
int	rows_field(struct plan_rows *r, struct pgarray *a, const json_t *obj,
	    const char *key, const char *where);
/* The same for a value itself (#>> '{}': an element of goals). */
int	rows_field_value(struct plan_rows *r, struct pgarray *a, const json_t *v,
	    const char *where);
/*
 * obj->key as a list, into *list: NULL (no elements) when absent, null or
 * obj not an object, else the array.  -1 when it is something else
 * (jsonb_array_elements() raised an error), with r->why naming where.
 */
int	rows_list(struct plan_rows *r, const json_t *obj, const char *key,
	    const char *where, const json_t **list);

#endif
