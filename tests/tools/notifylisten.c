/*
 * notifylisten.c: test tool.  Plays systemd's side of sd_notify(): binds a
 * unix datagram socket at PATH and prints every datagram it receives on one
 * line, its "KEY=VALUE" lines joined by tabs, until SIGTERM/SIGINT.
 *   notifylisten PATH      (then run the daemon with NOTIFY_SOCKET=PATH)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "unixaddr.h"

static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int
listen_at(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (unixaddr_set(&sun, path) != 0) {
		fprintf(stderr, "notifylisten: path too long\n");
		return -1;
	}
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		perror("notifylisten");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void
print_datagram(char *buf, size_t len)
{
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	for (char *p = buf; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = *p == '\n' ? '\t' : ' ';
	printf("%s\n", buf);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	char buf[4096];
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: notifylisten PATH\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: recv returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if ((fd = listen_at(argv[1])) < 0)
		return 1;
	while (!stop) {
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("notifylisten: recv");
			break;
		}
		print_datagram(buf, (size_t)n);
	}
	close(fd);
	unlink(argv[1]);
	return 0;
}
