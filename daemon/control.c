/*
 * control.c: the local control socket behind `planq status`.
 * (Placeholder: filled in by the observability work.)
 */
#include "planqd.h"

int control_open(struct daemon *d) { (void)d; return 0; }
void control_close(struct daemon *d) { (void)d; }
