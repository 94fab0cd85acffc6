/*
 * warmup.h: the rehearsal a worker makes before it says READY (warmup.c).
 */
#ifndef PLANQ_WARMUP_H
#define PLANQ_WARMUP_H

#include "job.h"

/* One plan stored and rolled back on st's session; a failure is logged,
 * never fatal. */
void	warmup_run(struct store *st);

#endif
