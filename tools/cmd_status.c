/*
 * cmd_status.c: `planq status [--socket PATH] [--json]`: asks a running
 * planqd over its control socket (daemon/control.c) how it is doing and
 * prints a table (workers, queue, spool, database) or the raw JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <jansson.h>

#include "commands.h"
#include "unixaddr.h"

/* where `planq status` looks when neither --socket nor PLANQ_CONTROL says:
 * the instance of a `make run` in the current directory, then the service */
#define STATUS_LOCAL_SOCKET	"var/run/control.sock"
#define STATUS_DEFAULT_SOCKET	"/run/planq/control.sock"
#define STATUS_TIMEOUT_MS	5000
#define STATUS_MAX_REPLY	(4u << 20)

static int
status_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (unixaddr_set(&sa, path) != 0) {
		fprintf(stderr, "planq status: socket path too long: %s\n", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "planq status: cannot connect to %s: %s (is "
		    "planqd running? name its socket with --socket PATH or "
		    "PLANQ_CONTROL)\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Reads until EOF, at most STATUS_MAX_REPLY bytes, each wait bounded. */
static char *
status_read_all(int fd)
{
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);
	struct pollfd p = { fd, POLLIN, 0 };

	while (buf != NULL) {
		ssize_t n;
		if (len + 1 == cap) {
			char *nb = cap >= STATUS_MAX_REPLY ? NULL :
			    realloc(buf, cap * 2);
			if (nb == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
		if (poll(&p, 1, STATUS_TIMEOUT_MS) <= 0)
			break;
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				break;
			buf[len] = '\0';
			return buf;
		}
		len += (size_t)n;
	}
	free(buf);
	fprintf(stderr, "planq status: no complete answer from planqd\n");
	return NULL;
}

static char *
status_fetch(const char *path)
{
	static const char req[] = "status\n";
	int fd = status_connect(path);
	char *reply;

	if (fd < 0)
		return NULL;
	if (write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1)) {
		fprintf(stderr, "planq status: cannot send to %s: %s\n", path,
		    strerror(errno));
		close(fd);
		return NULL;
	}
	shutdown(fd, SHUT_WR);
	reply = status_read_all(fd);
	close(fd);
	return reply;
}

/* ---- the table --------------------------------------------------------- */

static long long
jint(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static const char *
jstr(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : dflt;
}

static void
status_print_duration(char *buf, size_t len, long long ms)
{
	if (ms < 10000)
		snprintf(buf, len, "%lld ms", ms);
	else if (ms < 600000)
		snprintf(buf, len, "%lld s", ms / 1000);
	else
		snprintf(buf, len, "%lldm%02llds", ms / 60000, ms / 1000 % 60);
}

static void
status_print_workers(const json_t *workers)
{
	size_t i;
	json_t *w;

	printf("%-5s %-9s %8s  %-9s %8s  %-9s %s\n", "SLOT", "ID", "PID",
	    "STATE", "DONE", "FOR", "CURRENT DOCUMENT");
	json_array_foreach(workers, i, w) {
		const json_t *job = json_object_get(w, "job");
		char pid[16], busy[32] = "-";

		snprintf(pid, sizeof(pid), "%lld", jint(w, "pid"));
		if (job != NULL)
			status_print_duration(busy, sizeof(busy),
			    jint(job, "busy_ms"));
		printf("%-5lld %-9s %8s  %-9s %8lld  %-9s %s\n", jint(w, "slot"),
		    jstr(w, "identity", "-"), jint(w, "pid") > 0 ? pid : "-",
		    job ? jstr(job, "phase", jstr(w, "state", "?")) :
		    jstr(w, "state", "?"), jint(w, "done"), busy,
		    job ? jstr(job, "source_url", jstr(job, "client_id", "-")) :
		    "-");
	}
}

static void
status_print(const json_t *root)
{
	const json_t *q = json_object_get(root, "queue");
	const json_t *sp = json_object_get(root, "spool");
	const json_t *c = json_object_get(root, "counters");
	char up[32];

	status_print_duration(up, sizeof(up), jint(root, "uptime_ms"));
	printf("planqd pid %lld, %s, up %s, health: %s\n", jint(root, "pid"),
	    jstr(root, "phase", "?"), up, jstr(root, "health", "?"));
	printf("\n");
	status_print_workers(json_object_get(root, "workers"));
	printf("\n");
	printf("queue     %lld documents, %lld bytes (limits %lld, %lld); "
	    "front socket %s\n", jint(q, "count"), jint(q, "bytes"),
	    jint(q, "max"), jint(q, "max_bytes"),
	    json_is_true(json_object_get(q, "reading")) ? "read" :
	    "not read (backpressure or stopping)");
	printf("spool     %lld records, %lld bytes\n", jint(sp, "records"),
	    jint(sp, "bytes"));
	printf("database  %s; %lld of %lld workers connected; %lld retry replies, "
	    "%lld worker crashes, %lld restarts\n",
	    json_is_true(json_object_get(json_object_get(root, "database"),
	    "down")) ? "DOWN (documents go to the spool)" : "up",
	    jint(root, "workers_ready"),
	    jint(root, "workers_configured"), jint(c, "retry"),
	    jint(c, "worker_crashes"), jint(c, "worker_restarts"));
	printf("documents %lld received: %lld stored, %lld duplicate, %lld "
	    "rejected (%lld quarantined), %lld retry\n", jint(c, "received"),
	    jint(c, "stored"), jint(c, "duplicate"), jint(c, "rejected"),
	    jint(c, "quarantined"), jint(c, "retry"));
	printf("batches   %lld handed to workers, %lld documents in them\n",
	    jint(c, "batches"), jint(c, "batch_documents"));
}

/* ---- the command ------------------------------------------------------- */

static void
status_usage(FILE *out)
{
	fprintf(out, "usage: planq status [--socket PATH] [--json]\n"
	    "Shows a running planqd's workers, queue, spool and counters.\n"
	    "The socket: --socket, else $PLANQ_CONTROL, else ./%s if it "
	    "exists\n(the `make run` of this checkout), else %s.\n",
	    STATUS_LOCAL_SOCKET, STATUS_DEFAULT_SOCKET);
}

/* The control socket when none is named: see status_usage. */
static const char *
status_default_socket(void)
{
	const char *env = getenv("PLANQ_CONTROL");

	if (env != NULL && *env != '\0')
		return env;
	if (access(STATUS_LOCAL_SOCKET, F_OK) == 0)
		return STATUS_LOCAL_SOCKET;
	return STATUS_DEFAULT_SOCKET;
}

int
cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	int json = 0, c;
	char *reply;
	json_t *root;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:jh", opts, NULL)) != -1) {
		switch (c) {
		case 's': path = optarg; break;
		case 'j': json = 1; break;
		case 'h': status_usage(stdout); return 0;
		default: status_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		status_usage(stderr);
		return 2;
	}
	if (path == NULL || *path == '\0')
		path = status_default_socket();
	if ((reply = status_fetch(path)) == NULL)
		return 1;
	root = json_loads(reply, 0, NULL);
	if (root == NULL || json_object_get(root, "error") != NULL) {
		fprintf(stderr, "planq status: unexpected answer: %s", reply);
		json_decref(root);
		free(reply);
		return 1;
	}
	if (json)
		fputs(reply, stdout);
	else
		status_print(root);
	json_decref(root);
	free(reply);
	return 0;
}
