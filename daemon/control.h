/*
 * control.h: the local control socket behind `planq status`.
 */
#ifndef PLANQD_CONTROL_H
#define PLANQD_CONTROL_H

#include <czmq.h>

#include "view.h"

struct control;

/* Listens on path (NULL: RUNTIME_DIR/control.sock); the view must outlive
 * it.  NULL with a log line. */
struct control *control_open(const char *path, const char *runtime_dir,
	    zloop_t *loop, const struct view *v);
void	control_close(struct control **ctlp);

#endif
