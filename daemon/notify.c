/*
 * notify.c: tells systemd the truth about planqd's health through
 * sd_notify(): READY=1, STATUS=, WATCHDOG=1, RELOADING=1, STOPPING=1.
 * (Placeholder: filled in by the systemd work.)
 */
#include "planqd.h"

void notify_tick(struct daemon *d) { (void)d; }
void notify_reloading(struct daemon *d) { (void)d; }
void notify_reloaded(struct daemon *d) { (void)d; }
void notify_stopping(struct daemon *d) { (void)d; }
