/*
 * clock.c: the monotonic millisecond clock, seconds on any clock, sleeping,
 * and exponential backoff (clock.h).
 */
#include <time.h>

#include "clock.h"

int64_t
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double
clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void
clock_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

long
backoff_next(struct backoff *b)
{
	long now = b->next_ms > 0 ? b->next_ms : b->min_ms;

	b->next_ms = now * 2 > b->max_ms ? b->max_ms : now * 2;
	return now;
}

void
backoff_reset(struct backoff *b)
{
	b->next_ms = 0;
}
