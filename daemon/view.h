/*
 * view.h: a read-only window on a running planqd, for the modules that
 * report on it (health verdicts, /metrics, `planq status`, systemd notify)
 * without being able to change it.
 */
#ifndef PLANQD_VIEW_H
#define PLANQD_VIEW_H

#include <stdint.h>

#include "broker.h"
#include "config.h"
#include "spool.h"
#include "stats.h"
#include "supervisor.h"

enum daemon_phase {
	PHASE_RUNNING = 0,
	PHASE_DRAINING,		/* no new documents; finishing in-flight */
	PHASE_STOPPING,		/* workers told to exit */
};

struct view {
	const struct config	*cfg;
	const struct supervisor	*sup;
	const struct broker	*broker;
	const struct spool	*spool;
	const struct stats	*stats;
	const enum daemon_phase	*phase;
	int64_t			 started_ms;
};

#endif
