/*
 * unixaddr.c: a unix-domain socket's address from its path (unixaddr.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "unixaddr.h"

int
unixaddr_set(struct sockaddr_un *sa, const char *path)
{
	size_t len = strlen(path);

	if (len >= sizeof(sa->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, len + 1);
	return 0;
}
