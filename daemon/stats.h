/*
 * stats.h: what planqd counts about the documents it answers: replies by
 * outcome, rejections by reason code, the acknowledgement latency
 * histogram, replays of spooled documents, client connections that
 * ended, the batches handed to workers, and the stored plans' parse
 * warnings by code.  The broker counts; metrics and `planq status` read.
 */
#ifndef PLANQD_STATS_H
#define PLANQD_STATS_H

#include <stdint.h>

#include "outcome.h"
#include "warncode.h"

#define STATS_NBUCKET 12

struct stats {
	uint64_t	 received;		/* messages read from clients */
	uint64_t	 by_outcome[OUTCOME_COUNT];
	uint64_t	 rejected_by[REASON_COUNT];
	uint64_t	 quarantined;		/* quarantine records answered */
	uint64_t	 replayed;		/* spooled, then final */
	uint64_t	 front_disconnects;	/* client connections ended */
	uint64_t	 batches;		/* handed to workers */
	uint64_t	 batch_documents;	/* the documents in them */
	uint64_t	 ack_bucket[STATS_NBUCKET + 1];	/* last: +Inf */
	uint64_t	 ack_count;
	uint64_t	 ack_sum_ms;
	uint64_t	 warnings[WARNCODE_COUNT];	/* stored plans, by code */
};

/* Upper bounds (ms) of the latency buckets, STATS_NBUCKET of them. */
extern const int stats_buckets_ms[STATS_NBUCKET];

/* A reply sent to a client, ms after the document arrived. */
void	stats_reply(struct stats *st, enum outcome outcome, enum reason why,
	    int64_t ms);

/* A batch of count documents handed to a worker (again, after a death). */
void	stats_batch(struct stats *st, int count);

/* A plan stored with the warnings of mask (bit i: warncode i). */
void	stats_warnings(struct stats *st, uint32_t mask);

#endif
