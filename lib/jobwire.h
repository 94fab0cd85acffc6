/*
 * jobwire.h: the private protocol between planqd and its workers over a
 * ZeroMQ ROUTER (planqd) / DEALER (worker) pair on an ipc:// socket in the
 * daemon's runtime directory.  docs/ARCHITECTURE.md describes it.
 *
 *   worker → daemon   "READY"                         connected, schema ok
 *                     "STORING"                       the batch is parsed;
 *                                                     now waiting for the
 *                                                     database
 *                     "DONE"  job-id  reply-json      outcome committed
 *                     "FATAL" message                 cannot work; exits 78
 *   daemon → worker   "JOB" then, for each document of the batch:
 *                           job-id  kind  envelope  body  reason
 *
 * A batch is what was waiting when the worker became idle (batch_max); the
 * worker parses it, says STORING, commits it in one transaction and sends
 * one DONE per document.  planqd's job_timeout bounds the time before
 * STORING only: time spent waiting for the database is an outage, which
 * the worker bounds itself (statement_timeout = db_timeout, then retries
 * for db_retry_seconds, then "retry"), never a fault of the document.
 * kind is "parse" (decode, parse, store) or "quarantine" (store the bytes
 * as rejected with the given reason, without parsing them); reason is ""
 * for "parse".  job-id is the decimal text of the daemon's job number.
 */
#ifndef PLANQ_JOBWIRE_H
#define PLANQ_JOBWIRE_H

#define JOBWIRE_READY		"READY"
#define JOBWIRE_STORING		"STORING"
#define JOBWIRE_DONE		"DONE"
#define JOBWIRE_FATAL		"FATAL"
#define JOBWIRE_JOB		"JOB"
#define JOBWIRE_KIND_PARSE	"parse"
#define JOBWIRE_KIND_QUARANTINE	"quarantine"

/* exit status of a worker that cannot start (sysexits' EX_CONFIG) */
#define JOBWIRE_EXIT_CONFIG	78

/* environment variable that carries the DSN to the worker (not argv: ps) */
#define JOBWIRE_ENV_DB		"PLANQ_DB"

#endif
