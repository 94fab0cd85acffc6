/*
 * config.c: reads planqd.conf and merges it with defaults, the environment
 * and the command line (see config.h for the order).  Knows every key; an
 * unknown key or a bad value is an error that names the file and line.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "jobwire.h"
#include "log.h"

#define CONFIG_DEFAULT_LISTEN "tcp://127.0.0.1:5570"
#define CONFIG_SIZE_MAX (1ULL << 40)

int
config_parse_size(const char *text, size_t *out)
{
	unsigned long long n;
	char *end;
	int shift = 0;

	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno != 0 || end == text)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case 'k': shift = 10; end++; break;
	case 'm': shift = 20; end++; break;
	case 'g': shift = 30; end++; break;
	default: break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	/* checked before the shift: "17179869185G" must not wrap to 1G */
	if (*end != '\0' || n == 0 || n > (CONFIG_SIZE_MAX >> shift))
		return -1;
	*out = (size_t)(n << shift);
	return 0;
}

int
config_parse_int(const char *text, int min, int max, int *out)
{
	long n;
	char *end;

	errno = 0;
	n = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || n < min || n > max)
		return -1;
	*out = (int)n;
	return 0;
}

static int
config_set_string(char **slot, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

static int
config_add_listen(struct config *cfg, const char *value)
{
	if (cfg->nlisten == CONFIG_MAX_LISTEN)
		return -1;
	cfg->listen[cfg->nlisten] = strdup(value);
	if (cfg->listen[cfg->nlisten] == NULL)
		return -1;
	cfg->nlisten++;
	return 0;
}

/* What a key's value is, and so how config_set_key stores it. */
enum config_kind {
	CONFIG_LISTEN,	/* one more endpoint */
	CONFIG_STRING,
	CONFIG_LEVEL,	/* a log level's name */
	CONFIG_SIZE,	/* "8M" */
	CONFIG_INT,
};

/* A key is named as its field in struct config; def is the default of a
 * number (a string's is NULL; listen's, CONFIG_DEFAULT_LISTEN, is added by
 * config_load when no endpoint is given), min and max bound a CONFIG_INT
 * (0, 0 for the other kinds). */
#define CONFIG_KEY(field, kind, def, min, max) \
	{ #field, kind, offsetof(struct config, field), def, min, max }

/* Every key, in the order of struct config and docs/OPERATIONS.md's table;
 * workers' default (0 here) is the number of CPUs, set by config_defaults. */
static const struct config_key {
	const char	*key;
	enum config_kind kind;
	size_t		 off;
	unsigned long long def;
	int		 min, max;
} config_keys[] = {
	CONFIG_KEY(listen, CONFIG_LISTEN, 0, 0, 0),
	CONFIG_KEY(db, CONFIG_STRING, 0, 0, 0),
	CONFIG_KEY(workers, CONFIG_INT, 0, 1, 256),
	CONFIG_KEY(log_level, CONFIG_LEVEL, LOG_INFO, 0, 0),
	CONFIG_KEY(max_body, CONFIG_SIZE, 8u << 20, 0, 0),
	CONFIG_KEY(queue_max, CONFIG_INT, 64, 1, 100000),
	CONFIG_KEY(queue_max_bytes, CONFIG_SIZE, 64u << 20, 0, 0),
	CONFIG_KEY(job_timeout, CONFIG_INT, 120, 1, 86400),
	CONFIG_KEY(drain_timeout, CONFIG_INT, 30, 0, 86400),
	CONFIG_KEY(max_crashes, CONFIG_INT, 3, 1, 100),
	CONFIG_KEY(batch_max, CONFIG_INT, 16, 1, JOBWIRE_BATCH_MAX),
	CONFIG_KEY(batch_max_bytes, CONFIG_SIZE, 4u << 20, 0, 0),
	CONFIG_KEY(batch_wait_ms, CONFIG_INT, 5, 0, 10000),
	CONFIG_KEY(batch_wait_busy_pct, CONFIG_INT, 90, 0, 100),
	CONFIG_KEY(runtime_dir, CONFIG_STRING, 0, 0, 0),
	CONFIG_KEY(worker_path, CONFIG_STRING, 0, 0, 0),
	/* durability (spool.c) */
	CONFIG_KEY(spool_dir, CONFIG_STRING, 0, 0, 0),
	CONFIG_KEY(spool_max_bytes, CONFIG_SIZE, 1u << 30, 0, 0),
	CONFIG_KEY(spool_max_records, CONFIG_INT, 1000000, 1, 100000000),
	CONFIG_KEY(db_retry_seconds, CONFIG_INT, 5, 0, 3600),
	CONFIG_KEY(db_timeout, CONFIG_INT, 60, 1, 86400),
	/* observability (metrics.c, control.c) */
	CONFIG_KEY(metrics_listen, CONFIG_STRING, 0, 0, 0),
	CONFIG_KEY(control_socket, CONFIG_STRING, 0, 0, 0),
	/* security (curve.c, workers/sandbox.c) */
	CONFIG_KEY(curve_secret_file, CONFIG_STRING, 0, 0, 0),
	CONFIG_KEY(curve_clients_dir, CONFIG_STRING, 0, 0, 0),
	CONFIG_KEY(allow_plaintext, CONFIG_INT, 0, 0, 1),
	CONFIG_KEY(worker_sandbox, CONFIG_INT, 1, 0, 1),
	CONFIG_KEY(worker_max_memory, CONFIG_SIZE, 1u << 30, 0, 0),
};
#define CONFIG_NKEYS	(sizeof(config_keys) / sizeof(config_keys[0]))

void
config_defaults(struct config *cfg)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		const struct config_key *k = &config_keys[i];
		void *slot = (char *)cfg + k->off;

		if (k->kind == CONFIG_SIZE)
			*(size_t *)slot = (size_t)k->def;
		else if (k->kind == CONFIG_INT || k->kind == CONFIG_LEVEL)
			*(int *)slot = (int)k->def;
	}
	cfg->workers = ncpu > 0 ? (int)ncpu : 2;
}

void
config_clear(struct config *cfg)
{
	for (int i = 0; i < cfg->nlisten; i++)
		free(cfg->listen[i]);
	for (size_t i = 0; i < CONFIG_NKEYS; i++)
		if (config_keys[i].kind == CONFIG_STRING)
			free(*(char **)((char *)cfg + config_keys[i].off));
	free(cfg->config_file);
	memset(cfg, 0, sizeof(*cfg));
}

/* Stores value as k says.  Returns 0, or -1 with why[] set. */
static int
config_set_key(struct config *cfg, const struct config_key *k,
    const char *value, char *why, size_t whylen)
{
	void *slot = (char *)cfg + k->off;
	int level;

	switch (k->kind) {
	case CONFIG_LISTEN:
		if (config_add_listen(cfg, value) == 0)
			return 0;
		snprintf(why, whylen, "too many listen endpoints (max %d)",
		    CONFIG_MAX_LISTEN);
		return -1;
	case CONFIG_STRING:
		return config_set_string(slot, value);
	case CONFIG_LEVEL:
		if ((level = log_level_from_name(value)) >= 0) {
			*(int *)slot = level;
			return 0;
		}
		snprintf(why, whylen, "log_level must be one of debug, info, "
		    "notice, warning, err");
		return -1;
	case CONFIG_SIZE:
		if (config_parse_size(value, slot) == 0)
			return 0;
		snprintf(why, whylen, "%s must be a size such as 8M", k->key);
		return -1;
	case CONFIG_INT:
		if (config_parse_int(value, k->min, k->max, slot) == 0)
			return 0;
		snprintf(why, whylen, "%s must be a whole number from %d to %d",
		    k->key, k->min, k->max);
		return -1;
	}
	return -1;
}

/* Applies one key = value.  Returns 0, or -1 with why[] set. */
static int
config_apply(struct config *cfg, const char *key, const char *value,
    char *why, size_t whylen)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++)
		if (strcmp(key, config_keys[i].key) == 0)
			return config_set_key(cfg, &config_keys[i], value, why,
			    whylen);
	snprintf(why, whylen, "unknown setting \"%s\"", key);
	return -1;
}

static char *
config_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int
config_read_line(struct config *cfg, char *line, char *why, size_t whylen)
{
	char *eq, *key, *value;

	line[strcspn(line, "\r\n")] = '\0';
	key = config_trim(line);
	if (*key == '\0' || *key == '#')
		return 0;
	if ((eq = strchr(key, '=')) == NULL) {
		snprintf(why, whylen, "expected \"key = value\"");
		return -1;
	}
	*eq = '\0';
	key = config_trim(key);
	value = config_trim(eq + 1);
	return config_apply(cfg, key, value, why, whylen);
}

/* A DSN with a password: "password=…" or a URI "postgres://user:pw@…". */
static int
config_dsn_has_password(const char *dsn)
{
	const char *user, *at, *p;

	if (dsn == NULL)
		return 0;
	for (p = dsn; (p = strcasestr(p, "password")) != NULL; p += 8) {
		const char *q = p + 8;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '=')
			return 1;	/* "password = x", "?password=x" */
	}
	if (strncmp(dsn, "postgres", 8) != 0 ||
	    (user = strstr(dsn, "://")) == NULL)
		return 0;
	user += 3;
	at = strchr(user, '@');
	return at != NULL && memchr(user, ':', (size_t)(at - user)) != NULL &&
	    memchr(user, '/', (size_t)(at - user)) == NULL;
}

/*
 * A file holding a password must be readable by planqd's user (and group)
 * only: no access for others, and group access only for planqd's own group
 * (mode 0640 root:planq is fine when planqd runs as group planq).
 */
static int
config_check_secret(const char *path, const struct stat *st, char *why,
    size_t whylen)
{
	if ((st->st_mode & S_IRWXO) == 0 &&
	    ((st->st_mode & S_IRWXG) == 0 || st->st_gid == getegid()))
		return 0;
	snprintf(why, whylen, "%s holds a database password but its mode %04o "
	    "lets other users read it: run `chmod 600 %s` (owner: planqd's "
	    "user, e.g. `chown planq %s`) or `chmod 640` with group planq; or "
	    "keep the password in a libpq passfile", path,
	    (unsigned)(st->st_mode & 07777), path, path);
	return -1;
}

/*
 * Applies every line of f.  getline() takes a line whole, however long:
 * a line cut at a buffer's end would turn the rest of it (the end of a
 * comment, say) into a setting of its own.  A NUL byte is damage (a file
 * padded with zeros after a crash), never text: refused with its line.
 */
static int
config_read_stream(struct config *cfg, FILE *f, const char *name, char *why,
    size_t whylen)
{
	char *line = NULL, msg[512];
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, rc = 0;

	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (memchr(line, '\0', (size_t)len) != NULL) {
			snprintf(msg, sizeof(msg), "the line holds a NUL byte: the "
			    "file is damaged or not a text file");
			rc = -1;
		} else {
			rc = config_read_line(cfg, line, msg, sizeof(msg));
		}
		if (rc != 0)
			snprintf(why, whylen, "%s:%d: %s", name, lineno, msg);
	}
	if (rc == 0 && ferror(f)) {
		snprintf(why, whylen, "cannot read %s: %s", name,
		    strerror(errno));
		rc = -1;
	}
	free(line);
	return rc;
}

int
config_read_text(struct config *cfg, const char *text, size_t len,
    const char *name, char *why, size_t whylen)
{
	FILE *f;
	int rc;

	if (len == 0)
		return 0;
	/* read only: fmemopen's buffer argument is not const */
	if ((f = fmemopen((void *)(uintptr_t)text, len, "r")) == NULL) {
		snprintf(why, whylen, "cannot read %s: %s", name,
		    strerror(errno));
		return -1;
	}
	rc = config_read_stream(cfg, f, name, why, whylen);
	fclose(f);
	return rc;
}

static int
config_read_file(struct config *cfg, const char *path, char *why, size_t whylen)
{
	struct stat st;
	FILE *f;
	int rc;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, whylen, "cannot open config file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) != 0) {
		snprintf(why, whylen, "cannot stat config file %s: %s", path,
		    strerror(errno));
		fclose(f);
		return -1;
	}
	rc = config_read_stream(cfg, f, path, why, whylen);
	fclose(f);
	if (rc == 0 && config_dsn_has_password(cfg->db))
		rc = config_check_secret(path, &st, why, whylen);
	return rc;
}

static int
config_apply_flags(struct config *cfg, const struct config_flags *fl)
{
	int rc = 0;

	if (fl->nlisten > 0) {
		for (int i = 0; i < cfg->nlisten; i++)
			free(cfg->listen[i]);
		cfg->nlisten = 0;
		for (int i = 0; i < fl->nlisten && rc == 0; i++)
			rc = config_add_listen(cfg, fl->listen[i]);
	}
	if (fl->db != NULL && rc == 0)
		rc = config_set_string(&cfg->db, fl->db);
	if (fl->runtime_dir != NULL && rc == 0)
		rc = config_set_string(&cfg->runtime_dir, fl->runtime_dir);
	if (fl->worker_path != NULL && rc == 0)
		rc = config_set_string(&cfg->worker_path, fl->worker_path);
	if (fl->workers > 0)
		cfg->workers = fl->workers;
	if (fl->batch_max > 0)
		cfg->batch_max = fl->batch_max;
	if (fl->max_body > 0)
		cfg->max_body = (size_t)fl->max_body;
	if (fl->spool_dir != NULL && rc == 0)
		rc = config_set_string(&cfg->spool_dir, fl->spool_dir);
	if (fl->metrics_listen != NULL && rc == 0)
		rc = config_set_string(&cfg->metrics_listen, fl->metrics_listen);
	if (fl->verbosity > 0)
		cfg->log_level = LOG_DEBUG;
	if (fl->quiet)
		cfg->log_level = LOG_WARNING;
	return rc;
}

int
config_load(struct config *cfg, const struct config_flags *flags,
    char *why, size_t whylen)
{
	const char *env_db = getenv("PLANQ_DB");

	config_defaults(cfg);
	if (flags->config_file != NULL) {
		if (config_set_string(&cfg->config_file, flags->config_file) != 0 ||
		    config_read_file(cfg, flags->config_file, why, whylen) != 0)
			goto fail;
	}
	if (cfg->db == NULL && env_db != NULL && *env_db != '\0' &&
	    config_set_string(&cfg->db, env_db) != 0)
		goto oom;
	if (config_apply_flags(cfg, flags) != 0)
		goto oom;
	if (cfg->nlisten == 0 && config_add_listen(cfg, CONFIG_DEFAULT_LISTEN) != 0)
		goto oom;
	return 0;
oom:
	snprintf(why, whylen, "out of memory reading the configuration");
fail:
	config_clear(cfg);
	return -1;
}
