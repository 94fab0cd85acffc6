/*
 * job.h: a batch of documents' trip through a worker: hash, decode and
 * parse (or quarantine), store, and the reply JSON for each client.
 */
#ifndef PLANQ_JOB_H
#define PLANQ_JOB_H

#include <stddef.h>

#include "store.h"

struct job_input {
	const char	*kind;		/* "parse" or "quarantine" */
	const void	*envelope;
	size_t		 envelope_len;
	const void	*body;
	size_t		 body_len;
	const char	*quarantine_reason;	/* kind "quarantine" */
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
/* Stores and answers: replies[i] (malloc'd, NULL if out of memory) for in[i]. */
void	job_batch_store(struct store *st, struct job_batch *b, char **replies);
void	job_batch_free(struct job_batch **b);

/* sha256 of the bytes into out[32]; 0 on success. */
int	job_sha256(const void *data, size_t len, unsigned char out[32]);

#endif
