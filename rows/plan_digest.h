/*
 * plan_digest.h: planq_plan_digest() (sql/014_plans_parsed_digest.sql)
 * computed without the database: the SHA-256 of the text PostgreSQL's
 * jsonb prints for a JSON text.  The worker sends it as the plan's
 * parsed_sha256 (plan_facts.c) instead of sending the JSON for the
 * database to render and hash; `planq reparse` compares a new parse with
 * it through planq_plan_digest, so the two must agree to the byte
 * (tests/integration/test_plan_digest.sh checks every fixture, sample and
 * fuzz-corpus document).
 */
#ifndef PLANQ_PLAN_DIGEST_H
#define PLANQ_PLAN_DIGEST_H

#include <stddef.h>

#include "sbuf.h"

#define PLAN_DIGEST_LEN	32

/*
 * Appends to out what jsonb_out prints for the JSON text json[0..len):
 * every object's keys sorted by length, then bytes (the last of equal
 * keys kept), ", " between elements and ": " after keys, strings in
 * jsonb's escaping, numbers as numeric_out prints them.  -1 when the text
 * is not JSON jsonb would take (or out ran out of memory).
 */
int	plan_digest_text(const char *json, size_t len, struct sbuf *out);
/* SHA-256 of that text into out[]; -1 as plan_digest_text. */
int	plan_digest(const char *json, size_t len,
	    unsigned char out[PLAN_DIGEST_LEN]);

#endif
