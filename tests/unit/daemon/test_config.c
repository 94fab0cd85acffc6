/*
 * test_config.c: planqd.conf(5) read alone: the defaults; a file's values;
 * the order defaults < file (PLANQ_DB when it has no db) < flags; and each
 * kind of mistake
 * refused with the file, the line and what to write instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "jobwire.h"

#include "check.h"

static char dir[256];

static const char *
write_conf(const char *name, const char *text, mode_t mode)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

/* Loads text as the config file; returns config_load's result. */
static int
load(struct config *cfg, struct config_flags *fl, const char *text,
    mode_t mode, char *why, size_t len)
{
	fl->config_file = text ? (char *)write_conf("planqd.conf", text, mode) :
	    NULL;
	why[0] = '\0';
	return config_load(cfg, fl, why, len);
}

static void
test_defaults_and_values(void)
{
	struct config cfg;
	struct config_flags fl;
	char why[512];

	memset(&fl, 0, sizeof(fl));
	CHECK(load(&cfg, &fl, NULL, 0600, why, sizeof(why)) == 0, "defaults: %s",
	    why);
	CHECK(cfg.job_timeout == 120 && cfg.db_timeout == 60 &&
	    cfg.db_retry_seconds == 5 && cfg.batch_max == 16 &&
	    cfg.max_crashes == 3 && cfg.max_body == 8u << 20,
	    "default values");
	config_clear(&cfg);
	CHECK(load(&cfg, &fl, "# a comment\n\nworkers = 3\n  job_timeout=7 \n"
	    "max_body = 1M\nlisten = tcp://127.0.0.1:1\nlisten = ipc:///x\n"
	    "spool_dir = /var/spool/p q\nlog_level = debug\n", 0600, why,
	    sizeof(why)) == 0, "a file: %s", why);
	CHECK(cfg.workers == 3 && cfg.job_timeout == 7 &&
	    cfg.max_body == 1u << 20 && cfg.nlisten == 2 &&
	    strcmp(cfg.listen[1], "ipc:///x") == 0 &&
	    strcmp(cfg.spool_dir, "/var/spool/p q") == 0,
	    "the file's values, trimmed");
	config_clear(&cfg);
	fl.workers = 5;
	CHECK(load(&cfg, &fl, "workers = 3\n", 0600, why, sizeof(why)) == 0 &&
	    cfg.workers == 5, "a flag wins over the file (%d)", cfg.workers);
	config_clear(&cfg);
}

static void
test_db_order(void)
{
	struct config cfg;
	struct config_flags fl;
	char why[512];

	memset(&fl, 0, sizeof(fl));
	setenv("PLANQ_DB", "dbname=env", 1);
	CHECK(load(&cfg, &fl, "db = dbname=file\n", 0600, why, sizeof(why)) ==
	    0 && strcmp(cfg.db, "dbname=file") == 0, "the file's db over PLANQ_DB");
	config_clear(&cfg);
	CHECK(load(&cfg, &fl, "workers = 2\n", 0600, why, sizeof(why)) == 0 &&
	    strcmp(cfg.db, "dbname=env") == 0, "PLANQ_DB when the file has none");
	config_clear(&cfg);
	fl.db = "dbname=flag";
	CHECK(load(&cfg, &fl, "db = dbname=file\n", 0600, why, sizeof(why)) ==
	    0 && strcmp(cfg.db, "dbname=flag") == 0, "--db over PLANQ_DB");
	config_clear(&cfg);
	unsetenv("PLANQ_DB");
}

static void
refused(const char *text, mode_t mode, const char *want)
{
	struct config cfg;
	struct config_flags fl;
	char why[512];

	memset(&fl, 0, sizeof(fl));
	CHECK(load(&cfg, &fl, text, mode, why, sizeof(why)) != 0 &&
	    strstr(why, want) != NULL, "refused [%s]: got \"%s\", want \"%s\"",
	    text, why, want);
	config_clear(&cfg);
}

static void
test_mistakes(void)
{
	char want[128];

	refused("workers = 0\n", 0600, "planqd.conf:1: workers must be a whole "
	    "number from 1 to 256");
	refused("\n\njob_timeout = soon\n", 0600, "planqd.conf:3: job_timeout "
	    "must be a whole number");
	snprintf(want, sizeof(want), "batch_max must be a whole number from 1 "
	    "to %d", JOBWIRE_BATCH_MAX);
	refused("batch_max = 65\n", 0600, want);
	refused("max_body = 8 megabytes\n", 0600, "max_body must be a size such "
	    "as 8M");
	refused("wokers = 3\n", 0600, "unknown setting \"wokers\"");
	refused("workers\n", 0600, "expected \"key = value\"");
	refused("log_level = loud\n", 0600, "log_level must be one of");
	refused("db = dbname=p password=s\n", 0644, "holds a database password "
	    "but its mode 0644");
	refused("db = postgres://u:secret@h/p\n", 0604, "chmod 600");
}

/*
 * Found while writing fuzz_config (its size oracle checks this since):
 * "17179869185G" is 2^34 + 1 gibibytes, whose shift wrapped around to
 * 1 GiB and was taken.
 */
static void
test_size_overflow(void)
{
	size_t n = 0;

	CHECK(config_parse_size("1024G", &n) == 0 && n == (size_t)1 << 40,
	    "1 TiB is the largest size (%zu)", n);
	CHECK(config_parse_size("1025G", &n) != 0, "over 1 TiB is refused");
	CHECK(config_parse_size("17179869185G", &n) != 0,
	    "a size that wraps around when shifted is refused (%zu)", n);
	CHECK(config_parse_size("18014398509481985k", &n) != 0,
	    "likewise in kibibytes");
}

/*
 * Found while writing fuzz_config: lines were read into a 4096-byte
 * buffer, so the end of a longer line was read as a line of its own, and
 * a long comment ending in "workers = 7" set workers.
 */
static void
test_long_line(void)
{
	struct config cfg;
	struct config_flags fl;
	char why[512], *text = malloc(6000);

	memset(&fl, 0, sizeof(fl));
	/* 4095 bytes of comment: the old reader's buffer ended right there */
	memset(text, 'x', 4095);
	text[0] = '#';
	snprintf(text + 4095, 1000, "workers = 7\ndb = dbname=%0300d\n", 1);
	CHECK(load(&cfg, &fl, text, 0600, why, sizeof(why)) == 0 &&
	    cfg.workers != 7 && strlen(cfg.db) == 7 + 300, "a long comment "
	    "stays a comment (%s)", why);
	config_clear(&cfg);
	free(text);
}

/* A NUL byte is damage (a file padded with zeros after a crash): refused
 * with its line, never read as the end of the line. */
static void
test_nul_byte(void)
{
	static const char text[] = "workers = 3\nqueue_max = 9\0\0\0\n";
	struct config cfg;
	char why[512];

	config_defaults(&cfg);
	CHECK(config_read_text(&cfg, text, sizeof(text) - 1, "x.conf", why,
	    sizeof(why)) != 0 && strstr(why, "x.conf:2: the line holds a NUL "
	    "byte") != NULL, "a NUL byte refused: %s", why);
	config_clear(&cfg);
	config_defaults(&cfg);
	CHECK(config_read_text(&cfg, "workers = 3", 11, "x.conf", why,
	    sizeof(why)) == 0 && cfg.workers == 3, "a last line without its "
	    "newline is read");
	config_clear(&cfg);
}

int
main(void)
{
	char path[512];

	snprintf(dir, sizeof(dir), "%s/planq-config-test.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 2;
	unsetenv("PLANQ_DB");
	test_defaults_and_values();
	test_db_order();
	test_mistakes();
	test_size_overflow();
	test_long_line();
	test_nul_byte();
	snprintf(path, sizeof(path), "%s/planqd.conf", dir);
	unlink(path);
	rmdir(dir);
	return check_report(stdout, "test_config");
}
