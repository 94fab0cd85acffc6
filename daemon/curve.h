/*
 * curve.h: CurveZMQ authentication of crawlers on the front socket: the
 * server certificate, the zauth actor that admits only the client keys
 * found in curve_clients_dir (re-read on reload), and the rule that
 * plaintext is served only on loopback or when allowed.
 */
#ifndef PLANQD_CURVE_H
#define PLANQD_CURVE_H

#include <czmq.h>

#include "config.h"

struct curve;

/*
 * Before the front socket binds: makes it a CurveZMQ server (*cp is then
 * the curve object) or checks that plaintext is allowed (*cp NULL).
 * -1 with a log line saying what to fix.
 */
int	curve_setup(struct curve **cp, const struct config *cfg, zsock_t *front);
/* Re-reads the clients directory (NULL-safe). */
void	curve_reload(struct curve *c, const struct config *cfg);
void	curve_destroy(struct curve **cp);

#endif
