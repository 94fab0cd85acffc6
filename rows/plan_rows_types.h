/*
 * plan_rows_types.h: the OIDs of the row types plan_rows.c fills, as one
 * database has them (types made by migrations get their OIDs there), so
 * that the rows can be sent as binary parameters.
 */
#ifndef PLANQ_PLAN_ROWS_TYPES_H
#define PLANQ_PLAN_ROWS_TYPES_H

#include <stddef.h>
#include <libpq-fe.h>

#include "plan_rows.h"

/* Reads them; -1 with why[] (no such types: the schema is older). */
int	plan_rows_types(PGconn *conn, struct plan_row_types *types, char *why,
	    size_t whylen);

#endif
