/*
 * plan_json.h: a parsed plan as the JSON text the worker stores (and sends
 * to planq_ingest_batch).  A storage concern, so it lives beside the store,
 * not in the parser.
 */
#ifndef PLANQ_PLAN_JSON_H
#define PLANQ_PLAN_JSON_H

#include <stddef.h>
#include <jansson.h>

/* The same flags json_dumps needs to write the same bytes. */
#define PLAN_JSON_DUMP_FLAGS \
	(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/*
 * The plan (or any JSON value) as compact JSON text, keys in insertion
 * order, reals to 15 significant digits: what json_dumps(v,
 * PLAN_JSON_DUMP_FLAGS) writes, faster.  Caller frees; NULL when out of
 * memory.  *len (if len is not NULL): its length.
 */
char	*plan_json_text(const json_t *plan, size_t *len);

#endif
