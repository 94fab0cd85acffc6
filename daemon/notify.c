/*
 * notify.c: tells systemd the truth about planqd's health through
 * sd_notify(): READY=1, STATUS=, WATCHDOG=1, RELOADING=1, STOPPING=1.
 * Owns d->notified_ready and d->last_progress_ms; a no-op without
 * NOTIFY_SOCKET (not started by systemd with Type=notify).
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

#include "log.h"
#include "planqd.h"

#define NOTIFY_STATUS_MS 1000

static struct {
	int	 checked;		/* environment looked at */
	int	 enabled;		/* NOTIFY_SOCKET is set */
	int64_t	 watchdog_ms;		/* half of WATCHDOG_USEC; 0: off */
	int64_t	 last_watchdog_ms;
	int64_t	 last_status_ms;
	int	 reloading;		/* RELOADING=1 sent, READY=1 not yet */
	int	 failed_logged;
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
worker_healthy(const struct daemon *d, const struct worker *w, int64_t now)
{
	if (w->state == WORKER_IDLE)
		return 1;
	if (w->state != WORKER_BUSY || w->timed_out || w->db_stalled)
		return 0;
	if (w->storing)
		return now - w->store_started_ms < supervisor_store_limit_ms(d);
	return now - w->job_started_ms < (int64_t)d->cfg.job_timeout * 1000;
}

static void
notify_count_workers(const struct daemon *d, int *ready, int *busy)
{
	*ready = *busy = 0;
	for (int i = 0; i < d->nslots; i++) {
		const struct worker *w = &d->workers[i];
		if (w->state == WORKER_IDLE || w->state == WORKER_BUSY)
			(*ready)++;
		if (w->state == WORKER_BUSY)
			(*busy)++;
	}
}

static void
notify_format_status(const struct daemon *d, char *buf, size_t len)
{
	static const char *const phase[] = {
		[PHASE_RUNNING] = "running", [PHASE_DRAINING] = "draining",
		[PHASE_STOPPING] = "stopping",
	};
	int ready, busy;

	notify_count_workers(d, &ready, &busy);
	snprintf(buf, len, "%s: workers %d/%d ready, %d busy; queue %d; "
	    "received %llu, stored %llu, duplicate %llu, rejected %llu, "
	    "retry %llu, crashes %llu",
	    phase[d->phase], ready,
	    d->cfg.workers, busy, d->queue.count,
	    (unsigned long long)d->count.received,
	    (unsigned long long)d->count.stored,
	    (unsigned long long)d->count.duplicate,
	    (unsigned long long)d->count.rejected,
	    (unsigned long long)d->count.retry,
	    (unsigned long long)d->count.crashes);
}

/* READY=1 once the sockets are bound and a worker is up. */
static void
notify_maybe_ready(struct daemon *d)
{
	char msg[sizeof(ns.status) + 16];
	int ready, busy;

	if (d->notified_ready || d->phase != PHASE_RUNNING)
		return;
	notify_count_workers(d, &ready, &busy);
	if (ready == 0)
		return;
	notify_format_status(d, ns.status, sizeof(ns.status));
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", ns.status);
	notify_send(msg);
	d->notified_ready = 1;
	ns.last_status_ms = now_ms();
}

/* STATUS= when it changed, at most once a second. */
static void
notify_status(struct daemon *d, int64_t now)
{
	char status[sizeof(ns.status)], msg[sizeof(ns.status) + 16];

	if (now - ns.last_status_ms < NOTIFY_STATUS_MS)
		return;
	notify_format_status(d, status, sizeof(status));
	if (strcmp(status, ns.status) == 0)
		return;
	memcpy(ns.status, status, sizeof(ns.status));
	ns.last_status_ms = now;
	snprintf(msg, sizeof(msg), "STATUS=%s", status);
	notify_send(msg);
}

static void
notify_watchdog(struct daemon *d, int64_t now)
{
	if (ns.watchdog_ms == 0 || now - ns.last_watchdog_ms < ns.watchdog_ms)
		return;
	/* after READY, running: only if a worker got on recently */
	if (d->notified_ready && d->phase == PHASE_RUNNING &&
	    now - d->last_progress_ms > ns.watchdog_ms) {
		log_debug("watchdog: no worker has made progress for %lld ms; "
		    "not telling systemd we are alive",
		    (long long)(now - d->last_progress_ms));
		return;
	}
	ns.last_watchdog_ms = now;
	notify_send("WATCHDOG=1");
}

static void
notify_note_progress(struct daemon *d, int64_t now)
{
	for (int i = 0; i < d->nslots; i++) {
		if (worker_healthy(d, &d->workers[i], now)) {
			d->last_progress_ms = now;
			return;
		}
	}
}

void
notify_tick(struct daemon *d)
{
	int64_t now;

	if (!notify_enabled())
		return;
	now = now_ms();
	notify_note_progress(d, now);
	if (ns.reloading)	/* a reload path that did not say it ended */
		notify_reloaded(d);
	notify_maybe_ready(d);
	if (d->notified_ready)
		notify_status(d, now);
	notify_watchdog(d, now);
}

void
notify_reloading(struct daemon *d)
{
	struct timespec ts;
	char msg[128];

	if (!notify_enabled() || !d->notified_ready)
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
notify_reloaded(struct daemon *d)
{
	char msg[sizeof(ns.status) + 32];

	if (!notify_enabled() || !ns.reloading)
		return;
	ns.reloading = 0;
	notify_format_status(d, ns.status, sizeof(ns.status));
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", ns.status);
	notify_send(msg);
	ns.last_status_ms = now_ms();
}

void
notify_stopping(struct daemon *d)
{
	char msg[sizeof(ns.status) + 32];

	if (!notify_enabled())
		return;
	snprintf(msg, sizeof(msg), "STOPPING=1\nSTATUS=draining: %d queued, "
	    "%d in flight, up to %d s", d->queue.count,
	    supervisor_busy_count(d), d->cfg.drain_timeout);
	notify_send(msg);
	ns.status[0] = '\0';
}
