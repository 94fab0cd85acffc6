/*
 * outcome.c: the name tables of outcome.h.  These strings are part of the
 * wire protocol (replies) and of the metrics (label values): never rename
 * one.
 */
#include <string.h>

#include "outcome.h"

static const char *const outcome_names[OUTCOME_COUNT] = {
	[OUTCOME_STORED] = "stored",
	[OUTCOME_DUPLICATE] = "duplicate",
	[OUTCOME_REJECTED] = "rejected",
	[OUTCOME_RETRY] = "retry",
	[OUTCOME_SPOOLED] = "spooled",
};

static const char *const reason_labels[REASON_COUNT] = {
	[REASON_NONE] = "none",
	[REASON_FRAMES] = "frames",
	[REASON_BAD_ENVELOPE] = "bad_envelope",
	[REASON_EMPTY] = "empty",
	[REASON_OVERSIZE] = "oversize",
	[REASON_UNDECODABLE] = "undecodable",
	[REASON_NOT_A_PLAN] = "not_a_plan",
	[REASON_QUARANTINED] = "quarantined",
	[REASON_DB_REFUSED] = "db_refused",
	[REASON_DB_UNAVAILABLE] = "db_unavailable",
	[REASON_SPOOL] = "spool",
	[REASON_SHUTDOWN] = "shutdown",
	[REASON_OTHER] = "other",
};

const char *
outcome_name(enum outcome o)
{
	return (unsigned)o < OUTCOME_COUNT ? outcome_names[o] : "unknown";
}

int
outcome_from_name(const char *name, enum outcome *out)
{
	for (int o = 0; o < OUTCOME_COUNT; o++) {
		if (strcmp(name, outcome_names[o]) == 0) {
			*out = (enum outcome)o;
			return 0;
		}
	}
	return -1;
}

int
outcome_is_final(enum outcome o)
{
	return o == OUTCOME_STORED || o == OUTCOME_DUPLICATE ||
	    o == OUTCOME_REJECTED;
}

const char *
reason_label(enum reason r)
{
	return (unsigned)r < REASON_COUNT ? reason_labels[r] : "other";
}
