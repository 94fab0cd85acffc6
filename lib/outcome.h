/*
 * outcome.h: what happened to a document, as one enum with one name table
 * used by replies, log lines, metrics and `planq status`, and why, as a
 * reason code with a stable label (the metrics' label values; the reason
 * text for people travels beside it).
 */
#ifndef PLANQ_OUTCOME_H
#define PLANQ_OUTCOME_H

enum outcome {
	OUTCOME_STORED = 0,	/* committed: a new document */
	OUTCOME_DUPLICATE,	/* the same bytes were stored before */
	OUTCOME_REJECTED,	/* final: never stored as a plan; see reason */
	OUTCOME_RETRY,		/* not now: send the same bytes again later */
	OUTCOME_SPOOLED,	/* on planqd's disk, will be stored later */
	OUTCOME_COUNT
};

enum reason {
	REASON_NONE = 0,
	REASON_FRAMES,		/* wrong number of frames */
	REASON_BAD_ENVELOPE,	/* not JSON, wrong "v", a key of a wrong type */
	REASON_EMPTY,		/* empty body */
	REASON_OVERSIZE,	/* body over max_body */
	REASON_UNDECODABLE,	/* no supported charset fits the bytes */
	REASON_NOT_A_PLAN,	/* text that is not a management plan */
	REASON_QUARANTINED,	/* killed or outlived workers max_crashes times */
	REASON_DB_REFUSED,	/* the database refused the data */
	REASON_DB_UNAVAILABLE,	/* retry: the database did not answer */
	REASON_SPOOL,		/* retry: the spool is full or failed */
	REASON_SHUTDOWN,	/* retry: planqd stopped first */
	REASON_OTHER,
	REASON_COUNT
};

/* "stored", "duplicate", …; "unknown" out of range. */
const char *outcome_name(enum outcome o);
/* 0 and *out for a known name, else -1. */
int	outcome_from_name(const char *name, enum outcome *out);
/* stored, duplicate or rejected: the client will not hear more. */
int	outcome_is_final(enum outcome o);

/* "frames", "bad_envelope", …, "other"; "none" for REASON_NONE. */
const char *reason_label(enum reason r);

#endif
