/*
 * store.h: the worker's database session.  One connection, one prepared
 * statement (planq_ingest_rows, sql/functions/, for a batch and for one
 * document alike), given every row of the plans (plan_rows.c) and their
 * facts (plan_facts.c), reconnect and retry with backoff on the errors
 * that pass (connection lost, serialization,
 * resources, shutdown, a read-only server, a commit not confirmed within
 * db_timeout).  The DSN may name several hosts: the session is always
 * read-write, on whichever of them is the primary.
 */
#ifndef PLANQ_STORE_H
#define PLANQ_STORE_H

#include <stddef.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "events.h"
#include "plan_rows.h"

struct store {
	PGconn	*conn;
	char	*dsn;		/* owned; "" means libpq's environment */
	char	 appname[64];
	char	 options[96];	/* server settings of the session */
	int	 retry_seconds;	/* give up on transient errors after this */
	int	 timeout_ms;	/* the client's bound on one call (pgexec.h) */
	char	 unconfirmed[192];	/* why the last call is not a commit */
	struct plan_row_types row_types;	/* looked up at connect */
	struct events *events;	/* owned: retry answers to record */
};

enum store_status {
	STORE_OK = 0,		/* committed; result fields filled */
	STORE_DATA_ERROR,	/* the database refused the data itself */
	STORE_UNAVAILABLE,	/* transient failure outlasted retry_seconds */
	STORE_PLAN_REFUSED,	/* the plan cannot be turned into rows
				 * (plan_rows.c; reason says where): nothing
				 * was sent */
};

struct store_doc {
	const unsigned char *sha256;	/* 32 bytes */
	const void	*raw;
	size_t		 raw_len;
	const char	*envelope_json;
	const char	*charset;	/* may be NULL */
	const char	*outcome;	/* "stored" or "rejected" */
	const char	*reason;	/* may be NULL */
	const char	*plan_json;	/* may be NULL */
	const struct plandoc *rec;	/* the same plan's records, for its
					 * rows (rec or plan is needed with
					 * plan_json) */
	const json_t	*plan;		/* or the same plan parsed (when rec
					 * is NULL) */
	const char	*parser_version;
};

struct store_result {
	char		 status[16];	/* stored|duplicate|rejected */
	long long	 document_id;
	long long	 plan_id;
	char		 reason[512];	/* from the database, or the error */
};

/*
 * Connects and checks the schema.  -1 with why[]: the worker cannot work.
 * db_timeout (seconds) becomes the session's statement_timeout: a
 * statement that waits longer (a lock, a commit waiting for a standby) is
 * cancelled and retried like a lost connection, then answered "retry".
 */
int	store_open(struct store *st, const char *dsn, const char *appname,
	    int db_timeout, char *why, size_t whylen);
void	store_close(struct store *st);
enum store_status store_ingest(struct store *st, const struct store_doc *doc,
	    struct store_result *res);
/*
 * Stores n documents in one statement and one transaction (one round trip,
 * one commit).  If the database refuses any of them, each is stored again
 * in its own transaction so one bad document cannot take the others down.
 */
void	store_ingest_batch(struct store *st, const struct store_doc *docs,
	    int n, struct store_result *res, enum store_status *status);

/*
 * The same, in steps, so the worker can parse its next batch while the
 * database works on this one (docs[] and res[] must outlive the call):
 *   store_batch_build     the parameters and the plans' rows (CPU only);
 *                         NULL when out of memory
 *   store_batch_send      the first try, without waiting (if it cannot go
 *                         out, store_batch_finish makes every try itself)
 *   store_batch_socket    the socket to poll for its answer (-1: none)
 *   store_batch_poll      takes its answer into res[] if it came: 1 once
 *                         store_batch_finish will not wait for it
 *   store_batch_succeeded 1 when that answer is the statement's success
 *                         (finishing then only commits: no statement runs)
 *   store_batch_finish    the answer and the COMMIT (waited for); refused
 *                         or cut off, it goes on as store_ingest_batch
 *                         does, with the same deadline
 */
/*
 * Runs docs through the batch statement in a transaction it rolls back:
 * nothing is stored, but the session has compiled planq_ingest_rows and
 * planned its statements (a session's first call costs ~10 times a
 * warm one).  Bounded by short lock and statement timeouts; -1 with why[]
 * if it did not run.
 */
int	store_rehearse(struct store *st, const struct store_doc *docs, int n,
	    char *why, size_t whylen);

struct store_batch;
struct store_batch *store_batch_build(const struct store *st,
	    const struct store_doc *docs, int n);
void	store_batch_send(struct store *st, struct store_batch *c);
int	store_batch_socket(const struct store *st, const struct store_batch *c);
int	store_batch_poll(struct store *st, struct store_batch *c,
	    struct store_result *res);
int	store_batch_succeeded(const struct store_batch *c);
void	store_batch_finish(struct store *st, struct store_batch *c,
	    struct store_result *res, enum store_status *status);
void	store_batch_free(struct store_batch **c);

/*
 * Keeps a document's `retry` answer (the database was away) to record in
 * ingest_events after the next commit (events.h).
 */
void	store_note_retry(struct store *st, const char *source_url,
	    const char *reason);

#endif
