/*
 * http.h: planqd's HTTP endpoint for Prometheus (/metrics) and health
 * checks (/healthz), served inside the event loop.
 */
#ifndef PLANQD_HTTP_H
#define PLANQD_HTTP_H

#include <czmq.h>

#include "view.h"

struct http;

/* Listens on "HOST:PORT"; the view must outlive it.  NULL with a log line. */
struct http *http_open(const char *listen, zloop_t *loop, const struct view *v);
void	http_tick(struct http *h);		/* NULL-safe */
void	http_close(struct http **hp);

#endif
