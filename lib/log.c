/*
 * log.c: the one place that writes log lines.  Owns the process name and the
 * current level; everything else calls log_msg() and friends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

static const char *log_progname = "planq";
static int log_level = LOG_INFO;
static int log_prefix = 1;

void
log_init(const char *progname, int level)
{
	log_progname = progname;
	log_level = level;
}

void
log_set_level(int level)
{
	log_level = level;
}

int
log_get_level(void)
{
	return log_level;
}

void
log_set_prefix_priority(int on)
{
	log_prefix = on;
}

int
log_level_from_name(const char *name)
{
	static const struct { const char *name; int level; } names[] = {
		{ "debug", LOG_DEBUG }, { "info", LOG_INFO },
		{ "notice", LOG_NOTICE }, { "warning", LOG_WARNING },
		{ "warn", LOG_WARNING }, { "err", LOG_ERR }, { "error", LOG_ERR },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i].name) == 0)
			return names[i].level;
	return -1;
}

void
log_vmsg(int pri, const char *fmt, va_list ap)
{
	char line[2048];

	if (pri > log_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_prefix)
		fprintf(stderr, "<%d>%s: %s\n", pri, log_progname, line);
	else
		fprintf(stderr, "%s: %s\n", log_progname, line);
	fflush(stderr);
}

void
log_msg(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(pri, fmt, ap);
	va_end(ap);
}

/* A message with ": strerror(err)" appended, at priority pri. */
static void
log_verr(int pri, int err, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_msg(pri, "%s: %s", msg, strerror(err));
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_verr(LOG_WARNING, saved, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_verr(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
