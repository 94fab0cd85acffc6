/*
 * control.c: the local control socket behind `planq status`.  A unix stream
 * socket (control_socket, default RUNTIME_DIR/control.sock, mode 0600) served
 * by the zloop: a client sends one line, "status", gets one JSON document and
 * the connection is closed.  Non-blocking, at most CONTROL_MAX_CLIENTS at a
 * time, each with a deadline, so a stuck client can never hold the loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <jansson.h>

#include "clock.h"
#include "control.h"
#include "health.h"
#include "log.h"
#include "unixaddr.h"

#define CONTROL_MAX_CLIENTS	8
#define CONTROL_REQUEST_MAX	128
#define CONTROL_TIMEOUT_MS	2000
#define CONTROL_SWEEP_MS	250

struct control;

struct control_client {
	struct control	*ctl;
	int		 fd;		/* -1: slot free */
	int64_t		 deadline_ms;
	char		 req[CONTROL_REQUEST_MAX];
	size_t		 reqlen;
	char		*out;		/* the answer, malloc'ed */
	size_t		 outlen, outoff;
};

struct control {
	const struct view *v;
	zloop_t		*loop;
	int		 listen_fd;
	int		 timer_id;
	int64_t		 started_ms;
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct control_client clients[CONTROL_MAX_CLIENTS];
};

static int control_on_client(zloop_t *loop, zmq_pollitem_t *item, void *arg);

/* ---- the status document ----------------------------------------------- */

static json_t *
control_worker_json(const struct worker *w, int64_t now)
{
	json_t *o = json_pack("{s:i, s:s, s:i, s:s, s:I}",
	    "slot", w->slot, "identity", w->identity, "pid", (int)w->pid,
	    "state", supervisor_state_name(w->state),
	    "done", (json_int_t)w->done);

	if (o == NULL)
		return NULL;
	if (w->retire)
		json_object_set_new(o, "retiring", json_true());
	if (w->job != NULL) {
		json_object_set_new(o, "job", json_pack("{s:I, s:s?, s:s?, s:I, "
		    "s:I, s:i, s:s}", "id", (json_int_t)w->job->id,
		    "client_id", w->job->client_id,
		    "source_url", w->job->source_url,
		    "busy_ms", (json_int_t)(now - w->job_started_ms),
		    "since_received_ms", (json_int_t)(now - w->job->received_ms),
		    "crashes", w->job->crashes,
		    "phase", w->storing ? "storing" : "parsing"));
	}
	return o;
}

static json_t *
control_workers_json(const struct view *v)
{
	json_t *a = json_array();
	int64_t now = clock_ms();
	int n;
	const struct worker *w = supervisor_workers(v->sup, &n);

	for (int i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a, control_worker_json(&w[i], now)) !=
		    0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *
control_counters_json(const struct view *v)
{
	const struct stats *st = v->stats;
	const struct supervisor_counts *c = supervisor_counts(v->sup);

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:I}",
	    "received", (json_int_t)st->received,
	    "stored", (json_int_t)st->by_outcome[OUTCOME_STORED],
	    "duplicate", (json_int_t)st->by_outcome[OUTCOME_DUPLICATE],
	    "rejected", (json_int_t)st->by_outcome[OUTCOME_REJECTED],
	    "retry", (json_int_t)st->by_outcome[OUTCOME_RETRY],
	    "worker_crashes", (json_int_t)c->crashes,
	    "worker_restarts", (json_int_t)c->respawns,
	    "worker_db_stalls", (json_int_t)c->db_stalls,
	    "quarantined", (json_int_t)st->quarantined,
	    "batches", (json_int_t)st->batches,
	    "batch_documents", (json_int_t)st->batch_documents);
}

/* The answer to "status": one line of JSON, malloc'ed, or NULL. */
static char *
control_status(const struct control *ctl)
{
	const struct view *v = ctl->v;
	const struct queue *q = broker_queue(v->broker);
	const char *why = health_problem(v);
	json_t *root;
	char *text;

	root = json_pack("{s:i, s:s, s:I, s:b, s:s, s:o, s:i, s:i, "
	    "s:{s:i, s:I, s:i, s:I, s:b}, s:{s:I, s:I}, s:o}",
	    "pid", (int)getpid(),
	    "phase", health_phase_name(*v->phase),
	    "uptime_ms", (json_int_t)(clock_ms() - ctl->started_ms),
	    "healthy", why == NULL,
	    "health", why ? why : "ok",
	    "workers", control_workers_json(v),
	    "workers_configured", v->cfg->workers,
	    "workers_ready", supervisor_ready_count(v->sup),
	    "queue", "count", q->count,
	    "bytes", (json_int_t)q->bytes, "max", v->cfg->queue_max,
	    "max_bytes", (json_int_t)v->cfg->queue_max_bytes,
	    "reading", broker_reading(v->broker) != 0,
	    "spool", "records", (json_int_t)spool_totals(v->spool).records,
	    "bytes", (json_int_t)spool_totals(v->spool).bytes,
	    "counters", control_counters_json(v));
	if (root == NULL)
		return NULL;
	json_object_set_new(root, "database", json_pack("{s:b,s:I}", "down",
	    broker_db_down(v->broker) != 0, "spool_replayed",
	    (json_int_t)v->stats->replayed));
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return text;
}

static char *
control_answer(const struct control *ctl, const char *request)
{
	char *text, *line;
	size_t len;

	if (strcmp(request, "status") == 0)
		text = control_status(ctl);
	else
		text = strdup("{\"error\":\"unknown request; send \\\"status\\\"\"}");
	if (text == NULL)
		return NULL;
	len = strlen(text);
	if ((line = realloc(text, len + 2)) == NULL) {
		free(text);
		return NULL;
	}
	line[len] = '\n';
	line[len + 1] = '\0';
	return line;
}

/* ---- clients ----------------------------------------------------------- */

static void
control_client_close(struct control_client *c)
{
	zmq_pollitem_t item = { NULL, c->fd, 0, 0 };

	if (c->fd < 0)
		return;
	zloop_poller_end(c->ctl->loop, &item);
	close(c->fd);
	free(c->out);
	c->out = NULL;
	c->fd = -1;
	c->reqlen = c->outlen = c->outoff = 0;
}

static int
control_client_watch(struct control_client *c, short events)
{
	zmq_pollitem_t item = { NULL, c->fd, 0, 0 };

	zloop_poller_end(c->ctl->loop, &item);
	item.events = events;
	return zloop_poller(c->ctl->loop, &item, control_on_client, c);
}

/* Writes what the socket takes; closes the client when all is sent. */
static void
control_client_flush(struct control_client *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff,
		    c->outlen - c->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			c->outoff += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    control_client_watch(c, ZMQ_POLLOUT) == 0)
			return;		/* wait until writable */
		break;			/* peer gone or error: give up */
	}
	control_client_close(c);
}

static void
control_client_respond(struct control_client *c)
{
	char *nl = memchr(c->req, '\n', c->reqlen);
	size_t end = nl ? (size_t)(nl - c->req) : c->reqlen;

	while (end > 0 && c->req[end - 1] == '\r')
		end--;
	c->req[end] = '\0';
	if ((c->out = control_answer(c->ctl, c->req)) == NULL) {
		log_warnx("control: out of memory answering a request");
		control_client_close(c);
		return;
	}
	c->outlen = strlen(c->out);
	control_client_flush(c);
}

static void
control_client_read(struct control_client *c)
{
	ssize_t n = recv(c->fd, c->req + c->reqlen,
	    sizeof(c->req) - 1 - c->reqlen, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0) {
		control_client_close(c);
		return;
	}
	c->reqlen += (size_t)n;
	if (n == 0 || memchr(c->req, '\n', c->reqlen) != NULL ||
	    c->reqlen == sizeof(c->req) - 1)
		control_client_respond(c);	/* line, EOF or too long */
}

static int
control_on_client(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
	struct control_client *c = arg;
	(void)loop;

	if (c->fd < 0)
		return 0;
	if (c->out != NULL)
		control_client_flush(c);
	else if (item->revents & (ZMQ_POLLIN | ZMQ_POLLERR))
		control_client_read(c);
	return 0;	/* never stop the loop */
}

static struct control_client *
control_free_slot(struct control *ctl)
{
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->clients[i].fd < 0)
			return &ctl->clients[i];
	return NULL;
}

static int
control_on_accept(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
	struct control *ctl = arg;
	struct control_client *c;
	int fd;
	(void)loop;
	(void)item;

	while ((fd = accept4(ctl->listen_fd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if ((c = control_free_slot(ctl)) == NULL) {
			log_warnx("control: %d clients already; refusing one",
			    CONTROL_MAX_CLIENTS);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->deadline_ms = clock_ms() + CONTROL_TIMEOUT_MS;
		if (control_client_watch(c, ZMQ_POLLIN) != 0)
			control_client_close(c);
	}
	return 0;
}

/* Drops clients that did not finish within CONTROL_TIMEOUT_MS. */
static int
control_on_sweep(zloop_t *loop, int timer_id, void *arg)
{
	struct control *ctl = arg;
	int64_t now = clock_ms();
	(void)loop;
	(void)timer_id;

	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = &ctl->clients[i];
		if (c->fd >= 0 && now >= c->deadline_ms) {
			log_debug("control: client timed out");
			control_client_close(c);
		}
	}
	return 0;
}

/* ---- the listening socket ---------------------------------------------- */

/* Refuses a path where a live daemon answers; removes a stale socket. */
static int
control_claim_path(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd;

	if (lstat(sa->sun_path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		log_errx("control socket %s exists and is not a socket",
		    sa->sun_path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (const struct sockaddr *)sa,
	    sizeof(*sa)) == 0) {
		close(fd);
		log_errx("control socket %s is in use by another planqd",
		    sa->sun_path);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	return unlink(sa->sun_path);
}

static int
control_listen(struct control *ctl)
{
	struct sockaddr_un sa;
	mode_t old;
	int rc;

	if (unixaddr_set(&sa, ctl->path) != 0 || control_claim_path(&sa) != 0)
		return -1;
	ctl->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (ctl->listen_fd < 0)
		return -1;
	old = umask(0177);	/* the socket file is born 0600 */
	rc = bind(ctl->listen_fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0 || chmod(ctl->path, 0600) != 0 ||
	    listen(ctl->listen_fd, CONTROL_MAX_CLIENTS) != 0)
		return -1;
	return 0;
}

static int
control_set_path(struct control *ctl, const char *path,
    const char *runtime_dir)
{
	int n;

	if (path != NULL)
		n = snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	else
		n = snprintf(ctl->path, sizeof(ctl->path), "%s/control.sock",
		    runtime_dir);
	if (n < 0 || (size_t)n >= sizeof(ctl->path)) {
		log_errx("control socket path is longer than %zu bytes; set "
		    "control_socket to a shorter one", sizeof(ctl->path) - 1);
		return -1;
	}
	return 0;
}

struct control *
control_open(const char *path, const char *runtime_dir, zloop_t *loop,
    const struct view *v)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	zmq_pollitem_t item = { NULL, 0, ZMQ_POLLIN, 0 };

	if (ctl == NULL)
		return NULL;
	ctl->v = v;
	ctl->loop = loop;
	ctl->listen_fd = -1;
	ctl->timer_id = -1;
	ctl->started_ms = clock_ms();
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		ctl->clients[i].ctl = ctl;
		ctl->clients[i].fd = -1;
	}
	if (control_set_path(ctl, path, runtime_dir) != 0)
		goto fail;
	if (control_listen(ctl) != 0) {
		log_warn("cannot listen on the control socket %s", ctl->path);
		goto fail;
	}
	item.fd = ctl->listen_fd;
	if (zloop_poller(loop, &item, control_on_accept, ctl) != 0 ||
	    (ctl->timer_id = zloop_timer(loop, CONTROL_SWEEP_MS, 0,
	    control_on_sweep, ctl)) < 0)
		goto fail;
	log_info("control socket %s", ctl->path);
	return ctl;
fail:
	control_close(&ctl);
	return NULL;
}

void
control_close(struct control **ctlp)
{
	struct control *ctl = *ctlp;

	if (ctl == NULL)
		return;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		control_client_close(&ctl->clients[i]);
	if (ctl->listen_fd >= 0) {
		zmq_pollitem_t item = { NULL, ctl->listen_fd, 0, 0 };
		zloop_poller_end(ctl->loop, &item);
		close(ctl->listen_fd);
		unlink(ctl->path);
	}
	if (ctl->timer_id >= 0)
		zloop_timer_end(ctl->loop, ctl->timer_id);
	free(ctl);
	*ctlp = NULL;
}
