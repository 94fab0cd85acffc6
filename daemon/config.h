/*
 * config.h: planqd's settings.  Defaults, then the config file
 * (planqd.conf(5): "key = value" lines), then the PLANQ_DB environment (only
 * when the file has no db), then command-line flags, which always win, also
 * after a SIGHUP reload.
 */
#ifndef PLANQD_CONFIG_H
#define PLANQD_CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_LISTEN 8

struct config {
	char	*listen[CONFIG_MAX_LISTEN];	/* owned strings */
	int	 nlisten;
	char	*db;			/* DSN; NULL: libpq's own environment */
	int	 workers;
	int	 log_level;
	size_t	 max_body;
	int	 queue_max;		/* documents waiting for a worker */
	size_t	 queue_max_bytes;
	int	 job_timeout;		/* seconds a worker may parse a batch */
	int	 drain_timeout;		/* seconds SIGTERM waits for in-flight */
	int	 max_crashes;		/* crashes before a document is quarantined */
	int	 batch_max;		/* documents per worker transaction */
	size_t	 batch_max_bytes;
	int	 batch_wait_ms;		/* a short batch waits for more */
	int	 batch_wait_busy_pct;	/* only while the workers are this busy */
	char	*runtime_dir;
	char	*worker_path;
	char	*config_file;		/* where the file settings came from */
	/* durability (spool.c) */
	char	*spool_dir;		/* NULL: no spool, "retry" when db down */
	size_t	 spool_max_bytes;
	int	 spool_max_records;
	int	 db_retry_seconds;	/* a worker's patience before "retry" (5) */
	int	 db_timeout;		/* one statement's longest wait (60) */
	/* observability (metrics.c, control.c) */
	char	*metrics_listen;	/* "127.0.0.1:9570"; NULL: off */
	char	*control_socket;	/* unix socket for `planq status` */
	/* security (curve.c, workers/sandbox.c) */
	char	*curve_secret_file;	/* server certificate (zcert secret) */
	char	*curve_clients_dir;	/* allowed client public certificates */
	int	 allow_plaintext;	/* no Curve: only on loopback */
	int	 worker_sandbox;	/* seccomp + rlimits in workers */
	size_t	 worker_max_memory;	/* RLIMIT_AS of a worker */
};

/* The command line, kept so a reload can re-apply it over the new file. */
struct config_flags {
	char	*listen[CONFIG_MAX_LISTEN];
	int	 nlisten;
	char	*db;
	int	 workers;		/* 0: not given */
	int	 verbosity;		/* count of -v */
	int	 quiet;
	char	*config_file;
	char	*runtime_dir;
	char	*worker_path;
	long long max_body;		/* 0: not given */
	char	*spool_dir;
	char	*metrics_listen;
	int	 batch_max;		/* 0: not given */
};

void	config_defaults(struct config *cfg);
/* Loads cfg from defaults + file + env + flags.  -1 with why[] on error. */
int	config_load(struct config *cfg, const struct config_flags *flags,
	    char *why, size_t whylen);
void	config_clear(struct config *cfg);
/*
 * Applies a configuration text (planqd.conf's syntax) over cfg, as the
 * file would be: the fuzzer's and the tests' way in without a file.  name
 * is used in messages.  -1 with why[] ("name:line: …") on the first bad
 * line; the lines before it have been applied.
 */
int	config_read_text(struct config *cfg, const char *text, size_t len,
	    const char *name, char *why, size_t whylen);
/* Parses "8M", "64k", "1048576".  -1 if malformed. */
int	config_parse_size(const char *text, size_t *out);
/* Parses a decimal integer from min to max.  -1 if malformed or outside. */
int	config_parse_int(const char *text, int min, int max, int *out);

#endif
