/*
 * observe.h: what metrics.c and control.c share: the spool's two numbers
 * (defined for real in spool.c; metrics.c has weak fallbacks returning 0)
 * and the daemon's readiness verdict behind /healthz and `planq status`.
 */
#ifndef PLANQD_OBSERVE_H
#define PLANQD_OBSERVE_H

#include <stdint.h>

struct daemon;

uint64_t spool_records(const struct daemon *d);	/* spool.c */
uint64_t spool_bytes(const struct daemon *d);	/* spool.c */

/* NULL when the daemon can take work, else a one-line reason. */
const char *observe_unhealthy(const struct daemon *d);
/* Workers that have said READY and are not stopping (idle or busy). */
int	observe_ready_workers(const struct daemon *d);
const char *observe_worker_state(int state);	/* "idle", "busy", … */
const char *observe_phase(int phase);		/* "running", … */

#endif
