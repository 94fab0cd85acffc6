/*
 * plan_text.h: the plan's JSON text (shared/spec/plan-json.md) written from
 * its records (plan_text.c).
 */
#ifndef PLANQ_PARSE_PLAN_TEXT_H
#define PLANQ_PARSE_PLAN_TEXT_H

#include "internal.h"

#include "plandoc.h"
#include "sbuf.h"

/* Appends the plan as compact JSON, keys in the spec's order; the bytes
 * json_dumps wrote of the Jansson tree the parser built before it wrote
 * records.  b->oom set when memory ran out. */
void	plan_text_write(const struct plandoc *d, struct sbuf *b);

#endif
