/*
 * unixaddr.h: the address of a unix-domain socket from its path, for the
 * processes that bind or connect one (planqd's control socket, `planq
 * status`, the tests' sd_notify listener).  Fills the address only: the
 * socket itself is the caller's.
 */
#ifndef PLANQ_UNIXADDR_H
#define PLANQ_UNIXADDR_H

#include <sys/un.h>

/* Sets *sa to AF_UNIX at path.  -1 (errno ENAMETOOLONG, *sa untouched)
 * when path does not fit sun_path with its terminating NUL. */
int	unixaddr_set(struct sockaddr_un *sa, const char *path);

#endif
