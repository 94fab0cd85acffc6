/*
 * log.h: logging for every planq process.  Lines go to stderr with a syslog
 * priority prefix ("<6>planqd: …") so journald keeps the level; fatal()
 * logs and exits.  Structured fields are written as key=value by callers.
 */
#ifndef PLANQ_LOG_H
#define PLANQ_LOG_H

#include <stdarg.h>
#include <syslog.h>

void	log_init(const char *progname, int level);
void	log_set_level(int level);	/* LOG_ERR … LOG_DEBUG */
int	log_get_level(void);
int	log_level_from_name(const char *name);	/* -1 if unknown */
void	log_set_prefix_priority(int on);	/* "<6>" prefixes, default on */

void	log_msg(int pri, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_vmsg(int pri, const char *fmt, va_list ap);

#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warnx(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_errx(...)	log_msg(LOG_ERR, __VA_ARGS__)

/* log_warn: like log_warnx with ": strerror(errno)" appended. */
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
