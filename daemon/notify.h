/*
 * notify.h: planqd's state for systemd through sd_notify (READY, STATUS,
 * WATCHDOG, RELOADING, STOPPING), read from the daemon's view.
 */
#ifndef PLANQD_NOTIFY_H
#define PLANQD_NOTIFY_H

#include "view.h"

void	notify_tick(const struct view *v);	/* every loop tick */
void	notify_reloading(void);
void	notify_reloaded(const struct view *v);
void	notify_stopping(const struct view *v);

#endif
