/*
 * job.h: one document's trip through a worker: hash, decode and parse (or
 * quarantine), store, and the reply JSON for the client.
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

/* Returns the reply JSON (malloc'd) or NULL when out of memory. */
char	*job_run(struct store *st, const struct job_input *in);

/* The same for n documents committed together; replies[i] for in[i]. */
void	job_run_batch(struct store *st, const struct job_input *in, int n,
	    char **replies);

/* sha256 of the bytes into out[32]; 0 on success. */
int	job_sha256(const void *data, size_t len, unsigned char out[32]);

#endif
