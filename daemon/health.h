/*
 * health.h: the daemon's readiness verdict behind /healthz, `planq status`
 * and the metrics, and the names of its phases.
 */
#ifndef PLANQD_HEALTH_H
#define PLANQD_HEALTH_H

#include "view.h"

/* NULL when planqd can take work, else a one-line reason. */
const char *health_problem(const struct view *v);
/* "running", "draining", "stopping". */
const char *health_phase_name(enum daemon_phase phase);

#endif
