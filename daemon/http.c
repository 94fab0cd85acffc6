/*
 * http.c: planqd's HTTP endpoint on metrics_listen: GET /metrics (the
 * Prometheus page, metrics.c) and GET /healthz (200 "ok" or 503 and the
 * reason, health.c).  libmicrohttpd runs in external epoll mode: its epoll
 * fd is a zloop poller, so every request is answered on the loop's thread
 * (no locks), from a read-only view of the daemon.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "health.h"
#include "http.h"
#include "log.h"
#include "metrics.h"

#define HTTP_MAX_CONNECTIONS	16
#define HTTP_CONN_TIMEOUT_S	5
#define HTTP_METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct http {
	struct MHD_Daemon *mhd;
	zloop_t		*loop;
	int		 epoll_fd;	/* MHD's, polled by the zloop */
};

/* ---- HTTP -------------------------------------------------------------- */

static enum MHD_Result
http_send(struct MHD_Connection *conn, unsigned code, const char *type,
    char *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    type) != MHD_YES ||
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store") != MHD_YES) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	rc = MHD_queue_response(conn, code, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result
http_send_text(struct MHD_Connection *conn, unsigned code, const char *text)
{
	size_t len = strlen(text);
	char *body = malloc(len + 2);

	if (body == NULL)
		return MHD_NO;
	snprintf(body, len + 2, "%s\n", text);
	return http_send(conn, code, "text/plain; charset=utf-8", body,
	    len + 1);
}

static enum MHD_Result
http_healthz(struct MHD_Connection *conn, const struct view *v)
{
	const char *why = health_problem(v);

	if (why == NULL)
		return http_send_text(conn, MHD_HTTP_OK, "ok");
	return http_send_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, why);
}

static enum MHD_Result
http_metrics(struct MHD_Connection *conn, const struct view *v)
{
	size_t len = 0;
	char *body = metrics_render(v, &len);

	if (body == NULL)
		return http_send_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "out of memory");
	return http_send(conn, MHD_HTTP_OK, HTTP_METRICS_TYPE, body, len);
}

static enum MHD_Result
http_on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	const struct view *v = cls;
	(void)version;
	(void)upload_data;
	(void)con_cls;

	if (*upload_data_size != 0)
		return MHD_NO;	/* no request bodies here */
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return http_send_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "only GET and HEAD");
	if (strcmp(url, "/metrics") == 0)
		return http_metrics(conn, v);
	if (strcmp(url, "/healthz") == 0)
		return http_healthz(conn, v);
	return http_send_text(conn, MHD_HTTP_NOT_FOUND,
	    "not found: try /metrics or /healthz");
}

static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;
	(void)cls;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_warnx("metrics http: %s", line);
}

/* ---- the listener in the loop ------------------------------------------ */

static int
http_on_epoll(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
	struct http *h = arg;
	(void)loop;
	(void)item;

	if (MHD_run(h->mhd) != MHD_YES)
		log_warnx("metrics http: MHD_run failed");
	return 0;	/* never stop the loop */
}

/* "HOST:PORT" or "[V6]:PORT" to an address; -1 with a message if bad. */
static int
http_resolve(const char *spec, struct sockaddr_storage *ss, int *is_v6)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints, *res = NULL;
	size_t hl;
	int rc;

	if (colon == NULL || colon == spec || colon[1] == '\0' ||
	    (hl = (size_t)(colon - spec)) >= sizeof(host)) {
		log_errx("metrics_listen \"%s\" must be HOST:PORT, such as "
		    "127.0.0.1:9570", spec);
		return -1;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, colon + 1, &hints, &res)) != 0) {
		log_errx("metrics_listen \"%s\": %s", spec, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*is_v6 = res->ai_family == AF_INET6;
	freeaddrinfo(res);
	return 0;
}

struct http *
http_open(const char *listen, zloop_t *loop, const struct view *v)
{
	struct http *h = calloc(1, sizeof(*h));
	struct sockaddr_storage ss;
	zmq_pollitem_t item = { NULL, 0, ZMQ_POLLIN, 0 };
	const union MHD_DaemonInfo *info;
	int v6 = 0;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

	if (h == NULL)
		return NULL;
	h->loop = loop;
	h->epoll_fd = -1;
	if (http_resolve(listen, &ss, &v6) != 0) {
		free(h);
		return NULL;
	}
	if (v6)
		flags |= MHD_USE_IPv6;
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, http_on_request,
	    (void *)v, MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONN_TIMEOUT_S,
	    MHD_OPTION_END);
	if (h->mhd == NULL) {
		log_errx("cannot serve metrics on %s (address in use or not "
		    "local?)", listen);
		free(h);
		return NULL;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	item.fd = info ? info->epoll_fd : -1;
	if (item.fd < 0 || zloop_poller(loop, &item, http_on_epoll, h) != 0) {
		http_close(&h);
		return NULL;
	}
	h->epoll_fd = item.fd;
	log_info("metrics on http://%s/metrics", listen);
	return h;
}

/* MHD's own timeouts (idle keep-alive connections) need a regular run. */
void
http_tick(struct http *h)
{
	if (h != NULL)
		(void)MHD_run(h->mhd);
}

void
http_close(struct http **hp)
{
	struct http *h = *hp;

	if (h == NULL)
		return;
	if (h->epoll_fd >= 0) {
		zmq_pollitem_t item = { NULL, h->epoll_fd, 0, 0 };
		zloop_poller_end(h->loop, &item);
	}
	MHD_stop_daemon(h->mhd);
	free(h);
	*hp = NULL;
}
