/*
 * metrics.h: the Prometheus exposition page of a running planqd, rendered
 * from its view (counters, gauges, the ack-latency histogram).
 */
#ifndef PLANQD_METRICS_H
#define PLANQD_METRICS_H

#include <stddef.h>

#include "view.h"

/* The whole /metrics page, malloc'ed; NULL when out of memory. */
char	*metrics_render(const struct view *v, size_t *len);

#endif
