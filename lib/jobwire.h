/*
 * jobwire.h: the typed protocol between planqd and its workers over a
 * ZeroMQ ROUTER (planqd) / DEALER (worker) pair on an ipc:// socket in the
 * daemon's runtime directory.  Each message is a few frames; the first
 * names the type, fixed-size little-endian headers carry the numbers, and
 * nothing is JSON: planqd never parses what a worker writes.
 *
 *   worker → daemon
 *     READY                                  connected, schema ok
 *     PARSING                                took its second batch in hand
 *                                            (while the first one commits)
 *     STORING                                the batch is parsed; now
 *                                            waiting for the database
 *     DONE   [done head]  reason-text        one document's committed outcome
 *     FATAL  message                         cannot work; exits 78
 *   daemon → worker
 *     JOB    then per document:  [job head]  envelope  body  quarantine-reason
 *
 * A batch is what was waiting when the worker became idle (at most
 * batch_max ≤ JOBWIRE_BATCH_MAX documents); the worker parses it, says
 * STORING, commits it in one transaction and sends one DONE per document.
 * A worker holds at most two batches: once it said STORING for its first,
 * planqd may send it a second, which it parses while the first commits
 * (saying PARSING when it takes it in hand, STORING when it is parsed)
 * and stores only after it answered every document of the first.  The
 * worker says STORING for its batches in the order it got them.
 * planqd's job_timeout bounds the time before STORING only (for a second
 * batch, from PARSING, or from the first batch's last DONE): time spent
 * waiting for the database is an outage, which the worker bounds itself
 * (statement_timeout = db_timeout, then retries for db_retry_seconds, then
 * OUTCOME_RETRY), never a fault of the document.
 *
 * The pack/unpack functions work on plain bytes, so both sides (and the
 * fuzzers) share one reading of every header; unpack checks sizes and enum
 * ranges and returns -1 on anything malformed.
 */
#ifndef PLANQ_JOBWIRE_H
#define PLANQ_JOBWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "outcome.h"
#include "warncode.h"

#define JOBWIRE_READY		"READY"
#define JOBWIRE_PARSING		"PARSING"
#define JOBWIRE_STORING		"STORING"
#define JOBWIRE_DONE		"DONE"
#define JOBWIRE_FATAL		"FATAL"
#define JOBWIRE_JOB		"JOB"

/* the most documents in one JOB message (the upper bound of batch_max) */
#define JOBWIRE_BATCH_MAX	64
/* frames per document in a JOB message, and of a whole JOB message */
#define JOBWIRE_JOB_FRAMES	4
#define JOBWIRE_MAX_FRAMES	(1 + JOBWIRE_JOB_FRAMES * JOBWIRE_BATCH_MAX)
/* the longest reason text a DONE carries (longer ones are cut) */
#define JOBWIRE_REASON_MAX	1024

/* exit status of a worker that cannot start (sysexits' EX_CONFIG) */
#define JOBWIRE_EXIT_CONFIG	78

/* environment variable that carries the DSN to the worker (not argv: ps) */
#define JOBWIRE_ENV_DB		"PLANQ_DB"

enum jobwire_type {
	JOBWIRE_T_UNKNOWN = 0,
	JOBWIRE_T_READY,
	JOBWIRE_T_STORING,
	JOBWIRE_T_DONE,
	JOBWIRE_T_FATAL,
	JOBWIRE_T_JOB,
	JOBWIRE_T_PARSING,
};

/* The type named by a message's first frame. */
enum jobwire_type jobwire_type_of(const void *frame, size_t len);

enum jobwire_kind {
	JOBWIRE_PARSE = 0,	/* decode, parse, store */
	JOBWIRE_QUARANTINE,	/* store the bytes as rejected, unparsed */
};

/* One document of a JOB message. */
struct jobwire_job {
	uint64_t		id;
	enum jobwire_kind	kind;
};
#define JOBWIRE_JOB_HEAD	9	/* id u64, kind u8 */

void	jobwire_job_pack(const struct jobwire_job *job,
	    unsigned char out[JOBWIRE_JOB_HEAD]);
int	jobwire_job_unpack(const void *data, size_t len, struct jobwire_job *job);

/* One document's outcome. */
struct jobwire_done {
	uint64_t	id;
	int64_t		document_id;	/* 0: none */
	int64_t		plan_id;	/* 0: none */
	enum outcome	outcome;
	enum reason	reason;
	uint32_t	warnings;	/* a stored plan's parse warnings: bit i
					 * is warncode i (warncode.h); 0: none */
};
#define JOBWIRE_DONE_HEAD	30	/* id u64, document i64, plan i64,
					 * outcome u8, reason u8, warnings u32 */

void	jobwire_done_pack(const struct jobwire_done *done,
	    unsigned char out[JOBWIRE_DONE_HEAD]);
int	jobwire_done_unpack(const void *data, size_t len,
	    struct jobwire_done *done);

#endif
