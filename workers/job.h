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
 * A batch of documents committed together, in phases: prepare (hash,
 * decode, parse, decide: CPU only, may meet a poison document), build
 * (the statement's parameters: CPU only), send and answer (the database
 * only), so the caller can tell planqd when the parsing is over and parse
 * its next batch while this one commits.  in[] must outlive the batch.
 */
struct job_batch;
/* NULL when out of memory; between(arg), if given, runs before each
 * document (the worker answers a commit that came meanwhile). */
struct job_batch *job_batch_prepare(const struct job_input *in, int n,
	    void (*between)(void *), void *arg);
/* -1 when out of memory (its documents are then answered as such). */
int	job_batch_build(const struct store *st, struct job_batch *b);
/* Sends its statement without waiting for the answer. */
void	job_batch_send(struct store *st, struct job_batch *b);
/* The socket its answer comes on (-1: none to wait for).  poll: takes
 * the answer if it came; 1 when job_batch_answer would not wait for the
 * database's first answer.  quick: 1 when answering needs at most its
 * COMMIT (the statement succeeded, or nothing to store). */
int	job_batch_socket(const struct store *st, const struct job_batch *b);
int	job_batch_poll(struct store *st, const struct job_batch *b);
int	job_batch_quick(struct store *st, const struct job_batch *b);
/* Waits for its commit (or stores it the slow way) and answers:
 * results[i] for in[i]. */
void	job_batch_answer(struct store *st, struct job_batch *b,
	    struct job_result *results);
void	job_batch_free(struct job_batch **b);

/* Parses one document and runs it through store_rehearse (stored, then
 * rolled back); -1 with why[] if it is not a plan or did not run. */
int	job_rehearse(struct store *st, const struct job_input *in,
	    char *why, size_t whylen);
/* sha256 of the bytes into out[32]; 0 on success. */
int	job_sha256(const void *data, size_t len, unsigned char out[32]);

#endif
