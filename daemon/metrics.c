/*
 * metrics.c: the Prometheus endpoint and /healthz.
 * (Placeholder: filled in by the observability work.)
 */
#include "planqd.h"

int metrics_open(struct daemon *d) { (void)d; return 0; }
void metrics_tick(struct daemon *d) { (void)d; }
void
metrics_observe_ack(struct daemon *d, const char *status, const char *reason,
    int64_t ms)
{
	(void)d; (void)status; (void)reason; (void)ms;
}
void metrics_close(struct daemon *d) { (void)d; }
