/*
 * job.h: a batch of documents' trip through a worker: hash, decode and
 * parse (or quarantine), store, and each document's answer.
 */
#ifndef PLANQ_JOB_H
#define PLANQ_JOB_H

#include <stddef.h>

#include "jobwire.h"
#include "outcome.h"
#include "store.h"

struct job_input {
	enum jobwire_kind kind;
	const void	*envelope;
	size_t		 envelope_len;
	const void	*body;
	size_t		 body_len;
	const char	*quarantine_reason;	/* kind JOBWIRE_QUARANTINE */
};

/* A document's answer, as DONE carries it (jobwire.h). */
struct job_result {
	int		 answered;	/* 0: out of memory, no answer */
	enum outcome	 outcome;
	enum reason	 reason;
	long long	 document_id;	/* 0: none */
	long long	 plan_id;
	char		 text[JOBWIRE_REASON_MAX];	/* for people; may be "" */
	uint32_t	 warnings;	/* a stored plan's warning codes, as bits
					 * (warncode.h); 0 otherwise */
};

/*
 * A batch of documents committed together, in two phases: prepare (hash,
 * decode, parse, decide: CPU only, may meet a poison document) and store
 * (the database only), so the caller can tell planqd when the parsing is
 * over.  in[] must outlive the batch.
 */
struct job_batch;
/* NULL when out of memory. */
struct job_batch *job_batch_prepare(const struct job_input *in, int n);
/* Stores and answers: results[i] for in[i]. */
void	job_batch_store(struct store *st, struct job_batch *b,
	    struct job_result *results);
void	job_batch_free(struct job_batch **b);

/* sha256 of the bytes into out[32]; 0 on success. */
int	job_sha256(const void *data, size_t len, unsigned char out[32]);

#endif
