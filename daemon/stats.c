/*
 * stats.c: counting replies and stored plans' warnings (stats.h).
 */
#include "stats.h"

const int stats_buckets_ms[STATS_NBUCKET] = {
	1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
};

void
stats_reply(struct stats *st, enum outcome outcome, enum reason why,
    int64_t ms)
{
	int b = 0;

	if ((unsigned)outcome < OUTCOME_COUNT)
		st->by_outcome[outcome]++;
	if (outcome == OUTCOME_REJECTED)
		st->rejected_by[(unsigned)why < REASON_COUNT ? why :
		    REASON_OTHER]++;
	if (ms < 0)
		ms = 0;
	while (b < STATS_NBUCKET && ms > stats_buckets_ms[b])
		b++;
	st->ack_bucket[b]++;
	st->ack_count++;
	st->ack_sum_ms += (uint64_t)ms;
}

void
stats_batch(struct stats *st, int count)
{
	st->batches++;
	st->batch_documents += count > 0 ? (uint64_t)count : 0;
}

void
stats_warnings(struct stats *st, uint32_t mask)
{
	for (unsigned i = 0; i < WARNCODE_COUNT; i++)
		if (mask & ((uint32_t)1 << i))
			st->warnings[i]++;
}
