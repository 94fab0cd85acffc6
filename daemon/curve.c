/*
 * curve.c: CurveZMQ authentication of crawlers on the front socket.  Owns the
 * server certificate, the zauth actor that admits only the client keys found
 * in curve_clients_dir (re-read on SIGHUP: a removed file is a revoked key),
 * and the rule that plaintext is served only on loopback or when allowed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "curve.h"
#include "log.h"

#define CURVE_ZAP_DOMAIN "planq"
#define CURVE_NO_SECRET  "0000000000000000000000000000000000000000"

struct curve {
	zactor_t	*auth;		/* zauth: answers ZAP for the front */
	char		*secret_file;	/* as configured at start */
	char		*clients_dir;	/* as last given to zauth */
};

/* ---- plaintext rule ---------------------------------------------------- */

/* 1 if the endpoint can only be reached from this machine. */
static int
curve_is_local_endpoint(const char *ep)
{
	static const char *const local[] = {
		"tcp://127.", "tcp://[::1]", "ipc://", "inproc://",
	};

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (strncmp(ep, local[i], strlen(local[i])) == 0)
			return 1;
	return 0;
}

/* Without Curve: 0 if every endpoint is local or plaintext is allowed. */
static int
curve_check_plaintext(const struct config *cfg)
{
	for (int i = 0; i < cfg->nlisten; i++) {
		if (curve_is_local_endpoint(cfg->listen[i]))
			continue;
		if (cfg->allow_plaintext) {
			log_warnx("listening on %s without CurveZMQ "
			    "(allow_plaintext = 1): any host that reaches it "
			    "can send documents", cfg->listen[i]);
			continue;
		}
		log_errx("refusing to listen on %s without authentication: "
		    "set curve_secret_file and curve_clients_dir in "
		    "planqd.conf (make keys with 'planq keygen'), or listen "
		    "on a loopback address, or set allow_plaintext = 1 to "
		    "accept unauthenticated crawlers", cfg->listen[i]);
		return -1;
	}
	return 0;
}

/* ---- certificates ------------------------------------------------------ */

static zcert_t *
curve_load_server_cert(const char *path)
{
	struct stat sb;
	zcert_t *cert;

	if (stat(path, &sb) != 0) {
		log_errx("curve_secret_file %s: %s; create it with "
		    "'planq keygen NAME' and point curve_secret_file at "
		    "NAME_secret", path, strerror(errno));
		return NULL;
	}
	if ((sb.st_mode & 077) != 0)
		log_warnx("curve_secret_file %s is readable by other users; "
		    "run: chmod 600 %s", path, path);
	if ((cert = zcert_load(path)) == NULL) {
		log_errx("curve_secret_file %s is not a certificate written "
		    "by 'planq keygen'", path);
		return NULL;
	}
	if (strcmp(zcert_secret_txt(cert), CURVE_NO_SECRET) == 0) {
		log_errx("curve_secret_file %s holds no secret key: give the "
		    "NAME_secret file written by 'planq keygen'", path);
		zcert_destroy(&cert);
		return NULL;
	}
	return cert;
}

/* 1 if the directory entry may be a client certificate zauth will load. */
static int
curve_is_client_file(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && !(n >= 7 && strcmp(name + n - 7, "_secret") == 0);
}

/* Counts the loadable client certificates; -1 if the dir is unreadable. */
static int
curve_count_clients(const char *dir)
{
	char path[4096];
	struct dirent *de;
	DIR *dp;
	int n = 0;

	if ((dp = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL) {
		zcert_t *cert;

		if (!curve_is_client_file(de->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		if ((cert = zcert_load(path)) != NULL) {
			n++;
			zcert_destroy(&cert);
		}
	}
	closedir(dp);
	return n;
}

/* Gives zauth a fresh store of client keys from dir; logs how many. */
static int
curve_load_clients(struct curve *c, const char *dir)
{
	int n = curve_count_clients(dir);

	if (n < 0) {
		log_errx("curve_clients_dir %s: %s; create it and copy the "
		    "clients' public certificates (from 'planq keygen') "
		    "into it", dir, strerror(errno));
		return -1;
	}
	if (zstr_sendx(c->auth, "CURVE", dir, NULL) != 0 ||
	    zsock_wait(c->auth) != 0) {
		log_errx("curve: the authentication thread did not take %s",
		    dir);
		return -1;
	}
	if (n == 0)
		log_warnx("curve_clients_dir %s holds no client certificate: "
		    "every crawler is refused", dir);
	else
		log_notice("curve: %d client key%s allowed from %s", n,
		    n == 1 ? "" : "s", dir);
	return 0;
}

/* ---- setup, reload, close ---------------------------------------------- */

static int
curve_start(struct curve *c, const struct config *cfg, zsock_t *front)
{
	zcert_t *cert;

	if (cfg->curve_clients_dir == NULL) {
		log_errx("curve_secret_file is set but curve_clients_dir is "
		    "not: set it to a directory of the crawlers' public "
		    "certificates");
		return -1;
	}
	if ((cert = curve_load_server_cert(cfg->curve_secret_file)) == NULL)
		return -1;
	/* zauth must answer ZAP before the first connection: libzmq lets
	 * every key in when no handler is there */
	c->auth = zactor_new(zauth, NULL);
	if (c->auth == NULL) {
		log_errx("curve: cannot start the authentication thread");
		zcert_destroy(&cert);
		return -1;
	}
	c->secret_file = strdup(cfg->curve_secret_file);
	c->clients_dir = strdup(cfg->curve_clients_dir);
	if (c->secret_file == NULL || c->clients_dir == NULL ||
	    curve_load_clients(c, c->clients_dir) != 0) {
		zcert_destroy(&cert);
		return -1;
	}
	zcert_apply(cert, front);
	zsock_set_curve_server(front, 1);
	zsock_set_zap_domain(front, CURVE_ZAP_DOMAIN);
	log_notice("curve: front socket is a CurveZMQ server, public key %s",
	    zcert_public_txt(cert));
	zcert_destroy(&cert);
	return 0;
}

int
curve_setup(struct curve **cp, const struct config *cfg, zsock_t *front)
{
	struct curve *c;

	*cp = NULL;
	if (cfg->curve_secret_file == NULL) {
		if (cfg->curve_clients_dir != NULL)
			log_warnx("curve_clients_dir is set but "
			    "curve_secret_file is not: CurveZMQ is off");
		return curve_check_plaintext(cfg);
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_errx("curve: out of memory");
		return -1;
	}
	*cp = c;
	return curve_start(c, cfg, front);
}

void
curve_reload(struct curve *c, const struct config *cfg)
{
	const char *dir = cfg->curve_clients_dir;

	if (c == NULL) {
		if (cfg->curve_secret_file != NULL)
			log_notice("curve_secret_file takes effect only on "
			    "restart");
		return;
	}
	if (cfg->curve_secret_file == NULL ||
	    strcmp(cfg->curve_secret_file, c->secret_file) != 0)
		log_notice("curve_secret_file changes only on restart; "
		    "still using %s", c->secret_file);
	if (dir == NULL) {
		log_errx("reload: curve_clients_dir is no longer set; keeping "
		    "%s", c->clients_dir);
		dir = c->clients_dir;
	}
	if (curve_load_clients(c, dir) != 0) {
		log_errx("reload: client keys not re-read; keys are still "
		    "checked against %s", c->clients_dir);
		return;
	}
	if (dir != c->clients_dir) {
		char *copy = strdup(dir);

		if (copy != NULL) {
			free(c->clients_dir);
			c->clients_dir = copy;
		}
	}
}

void
curve_destroy(struct curve **cp)
{
	struct curve *c = *cp;

	if (c == NULL)
		return;
	zactor_destroy(&c->auth);
	free(c->secret_file);
	free(c->clients_dir);
	free(c);
	*cp = NULL;
}
