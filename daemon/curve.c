/*
 * curve.c: CurveZMQ authentication of crawlers on the front socket.
 * (Placeholder: filled in by the security work.)
 */
#include "planqd.h"

int curve_setup(struct daemon *d, zsock_t *front) { (void)d; (void)front; return 0; }
void curve_reload(struct daemon *d) { (void)d; }
void curve_close(struct daemon *d) { (void)d; }
