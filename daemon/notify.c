/*
 * notify.c: tells systemd the truth about planqd's health through
 * sd_notify(): READY=1, STATUS=, WATCHDOG=1, RELOADING=1, STOPPING=1.
 * Reads the daemon through its view; a no-op without NOTIFY_SOCKET (not
 * started by systemd with Type=notify).
 *
 * Watchdog rule: WATCHDOG=1 goes out every half WATCHDOG_USEC from the loop
 * tick (so only while the loop turns), and once READY=1 has been sent only
 * if some worker made progress within the last half interval: a worker is
 * idle and ready, busy parsing a job for less than job_timeout, or waiting
 * for the database for less than supervisor_store_limit_ms.  If
 * every worker is stuck, systemd's watchdog kills and restarts planqd.
 * Before READY (bounded by TimeoutStartSec=) and while draining (bounded by
 * drain_timeout) the turning loop alone is enough.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-daemon.h>

#include "clock.h"
#include "log.h"
#include "health.h"
#include "notify.h"

#define NOTIFY_STATUS_MS 1000

static struct {
	int	 checked;		/* environment looked at */
	int	 enabled;		/* NOTIFY_SOCKET is set */
	int64_t	 watchdog_ms;		/* half of WATCHDOG_USEC; 0: off */
	int64_t	 last_watchdog_ms;
	int64_t	 last_status_ms;
	int	 reloading;		/* RELOADING=1 sent, READY=1 not yet */
	int	 failed_logged;
	int	 notified_ready;	/* READY=1 sent once */
	int64_t	 last_progress_ms;	/* a worker was healthy */
	char	 status[384];		/* last STATUS= sent */
} ns;

static void
notify_send(const char *msg)
{
	int rc = sd_notify(0, msg);

	if (rc < 0 && !ns.failed_logged) {
		ns.failed_logged = 1;
		log_warnx("sd_notify failed: %s; systemd may not see "
		    "planqd's state", strerror(-rc));
	}
}

static int
notify_enabled(void)
{
	uint64_t usec = 0;
	const char *sock;

	if (ns.checked)
		return ns.enabled;
	ns.checked = 1;
	sock = getenv("NOTIFY_SOCKET");
	ns.enabled = sock != NULL && *sock != '\0';
	if (ns.enabled && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		ns.watchdog_ms = (int64_t)(usec / 2000);
		if (ns.watchdog_ms < 1)
			ns.watchdog_ms = 1;
		log_info("systemd watchdog: %llu ms, keepalive every %lld ms",
		    (unsigned long long)(usec / 1000), (long long)ns.watchdog_ms);
	}
	return ns.enabled;
}

/* A worker that can take or is making headway on a document. */
static int
worker_healthy(const struct config *cfg, const struct worker *w, int64_t now)
{
	if (w->state == WORKER_IDLE)
		return 1;
	if (w->state != WORKER_BUSY || w->timed_out || w->db_stalled)
		return 0;
	if (w->storing)
		return now - w->store_started_ms < supervisor_store_limit_ms(cfg);
	return now - w->job_started_ms < (int64_t)cfg->job_timeout * 1000;
}

static void
notify_format_status(const struct view *v, char *buf, size_t len)
{
	const struct stats *st = v->stats;

	snprintf(buf, len, "%s: workers %d/%d ready, %d busy; queue %d; "
	    "received %llu, stored %llu, duplicate %llu, rejected %llu, "
	    "retry %llu, crashes %llu",
	    health_phase_name(*v->phase), supervisor_ready_count(v->sup),
	    v->cfg->workers, supervisor_busy_count(v->sup),
	    broker_queue(v->broker)->count,
	    (unsigned long long)st->received,
	    (unsigned long long)st->by_outcome[OUTCOME_STORED],
	    (unsigned long long)st->by_outcome[OUTCOME_DUPLICATE],
	    (unsigned long long)st->by_outcome[OUTCOME_REJECTED],
	    (unsigned long long)st->by_outcome[OUTCOME_RETRY],
	    (unsigned long long)supervisor_counts(v->sup)->crashes);
}

/* READY=1 once the sockets are bound and a worker is up. */
static void
notify_maybe_ready(const struct view *v)
{
	char msg[sizeof(ns.status) + 16];

	if (ns.notified_ready || *v->phase != PHASE_RUNNING ||
	    supervisor_ready_count(v->sup) == 0)
		return;
	notify_format_status(v, ns.status, sizeof(ns.status));
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", ns.status);
	notify_send(msg);
	ns.notified_ready = 1;
	ns.last_status_ms = clock_ms();
}

/* STATUS= when it changed, at most once a second. */
static void
notify_status(const struct view *v, int64_t now)
{
	char status[sizeof(ns.status)], msg[sizeof(ns.status) + 16];

	if (now - ns.last_status_ms < NOTIFY_STATUS_MS)
		return;
	notify_format_status(v, status, sizeof(status));
	if (strcmp(status, ns.status) == 0)
		return;
	memcpy(ns.status, status, sizeof(ns.status));
	ns.last_status_ms = now;
	snprintf(msg, sizeof(msg), "STATUS=%s", status);
	notify_send(msg);
}

static void
notify_watchdog(const struct view *v, int64_t now)
{
	if (ns.watchdog_ms == 0 || now - ns.last_watchdog_ms < ns.watchdog_ms)
		return;
	/* after READY, running: only if a worker got on recently */
	if (ns.notified_ready && *v->phase == PHASE_RUNNING &&
	    now - ns.last_progress_ms > ns.watchdog_ms) {
		log_debug("watchdog: no worker has made progress for %lld ms; "
		    "not telling systemd we are alive",
		    (long long)(now - ns.last_progress_ms));
		return;
	}
	ns.last_watchdog_ms = now;
	notify_send("WATCHDOG=1");
}

static void
notify_note_progress(const struct view *v, int64_t now)
{
	int n;
	const struct worker *w = supervisor_workers(v->sup, &n);

	for (int i = 0; i < n; i++) {
		if (worker_healthy(v->cfg, &w[i], now)) {
			ns.last_progress_ms = now;
			return;
		}
	}
}

void
notify_tick(const struct view *v)
{
	int64_t now;

	if (!notify_enabled())
		return;
	now = clock_ms();
	notify_note_progress(v, now);
	if (ns.reloading)	/* a reload path that did not say it ended */
		notify_reloaded(v);
	notify_maybe_ready(v);
	if (ns.notified_ready)
		notify_status(v, now);
	notify_watchdog(v, now);
}

void
notify_reloading(void)
{
	struct timespec ts;
	char msg[128];

	if (!notify_enabled() || !ns.notified_ready)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* MONOTONIC_USEC: systemd >= 253 matches it to the reload request */
	snprintf(msg, sizeof(msg), "RELOADING=1\nSTATUS=reloading the "
	    "configuration\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	notify_send(msg);
	ns.reloading = 1;
}

void
notify_reloaded(const struct view *v)
{
	char msg[sizeof(ns.status) + 32];

	if (!notify_enabled() || !ns.reloading)
		return;
	ns.reloading = 0;
	notify_format_status(v, ns.status, sizeof(ns.status));
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", ns.status);
	notify_send(msg);
	ns.last_status_ms = clock_ms();
}

void
notify_stopping(const struct view *v)
{
	char msg[sizeof(ns.status) + 32];

	if (!notify_enabled())
		return;
	snprintf(msg, sizeof(msg), "STOPPING=1\nSTATUS=draining: %d queued, "
	    "%d in flight, up to %d s", broker_queue(v->broker)->count,
	    supervisor_busy_count(v->sup), v->cfg->drain_timeout);
	notify_send(msg);
	ns.status[0] = '\0';
}
