/*
 * clock.h: the one clock of every planq process: milliseconds on the
 * monotonic clock (never jumps with the wall clock), and a sleep; and, for
 * the benchmarks, seconds on any clock.
 */
#ifndef PLANQ_CLOCK_H
#define PLANQ_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
int64_t	clock_ms(void);
/* Sleeps ms milliseconds (a signal may end it early). */
void	clock_sleep_ms(long ms);
/* Seconds on the clock id (CLOCK_MONOTONIC, CLOCK_REALTIME, a CPU-time
 * clock) as a double: the benchmarks' timings. */
double	clock_seconds(clockid_t id);

/*
 * Exponential backoff: the first wait is min_ms, each next one doubles, up
 * to max_ms.  backoff_next returns the wait to use now and advances.
 */
struct backoff {
	long	min_ms;
	long	max_ms;
	long	next_ms;	/* 0: not started */
};

long	backoff_next(struct backoff *b);
void	backoff_reset(struct backoff *b);

#endif
