/*
 * store.c: writes one document and its plan through planq_ingest() in one
 * round trip and one transaction (the function is in sql/).  Classifies
 * failures by SQLSTATE: classes 08 (connection), 40 (rollback/serialization),
 * 53 (resources) and 57 (operator intervention, e.g. shutdown) pass and are
 * retried with backoff on a fresh connection; anything else is the data's
 * fault and reported as such.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store.h"

#define STORE_STMT "planq_ingest"
#define STORE_SQL  "SELECT status, document_id, plan_id, reason FROM " \
		   "planq_ingest($1, $2, $3::jsonb, $4, $5, $6, $7::jsonb, $8)"
#define STORE_BACKOFF_MIN_MS 100
#define STORE_BACKOFF_MAX_MS 2000

static int64_t
store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
store_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* First line of a libpq message, without the trailing newline. */
static void
store_copy_message(char *dst, size_t len, const char *msg)
{
	snprintf(dst, len, "%s", msg && *msg ? msg : "unknown error");
	dst[strcspn(dst, "\n")] = '\0';
}

/* A result's error for people: the primary message, else libpq's text. */
static void
store_result_message(char *dst, size_t len, const PGresult *r)
{
	const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

	store_copy_message(dst, len, primary ? primary :
	    PQresultErrorMessage(r));
}

static int
store_connect(struct store *st, char *why, size_t whylen)
{
	/*
	 * If this worker dies mid-statement, its backend must not go on to
	 * commit the document on its own: have the server notice the lost
	 * client within a second, even while waiting for a lock.
	 */
	const char *keys[] = { "dbname", "application_name", "options", NULL };
	const char *vals[] = { st->dsn, st->appname,
	    "-c client_connection_check_interval=1000", NULL };
	PGresult *res;

	PQfinish(st->conn);
	st->conn = PQconnectdbParams(keys, vals, 1);
	if (st->conn == NULL || PQstatus(st->conn) != CONNECTION_OK) {
		store_copy_message(why, whylen,
		    st->conn ? PQerrorMessage(st->conn) : "out of memory");
		return -1;
	}
	res = PQprepare(st->conn, STORE_STMT, STORE_SQL, 8, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		snprintf(why, whylen, "the database has no usable planq "
		    "schema (%s); run: planq db migrate --db DSN",
		    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) ?
		    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : "?");
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

/*
 * Whether a failed connection attempt means "not now" (server unreachable,
 * starting, shutting down, out of connection slots) rather than "never"
 * (authentication, unknown database, no schema: a configuration error).
 * libpq gives no code for connection failures: a server that answered says
 * FATAL, and only these FATALs pass with time.
 */
static int
store_unreachable(PGconn *conn, const char *msg)
{
	if (conn == NULL)
		return 0;
	if (PQstatus(conn) == CONNECTION_OK)
		return 0;	/* connected: the schema check failed */
	if (strstr(msg, "FATAL:") == NULL)
		return 1;	/* refused, no socket, timeout, DNS */
	return strstr(msg, "the database system is") != NULL ||
	    strstr(msg, "too many clients") != NULL ||
	    strstr(msg, "remaining connection slots") != NULL;
}

int
store_open(struct store *st, const char *dsn, const char *appname,
    char *why, size_t whylen)
{
	char msg[512];

	memset(st, 0, sizeof(*st));
	st->retry_seconds = 30;
	snprintf(st->appname, sizeof(st->appname), "%s", appname);
	if ((st->dsn = strdup(dsn ? dsn : "")) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (store_connect(st, msg, sizeof(msg)) == 0)
		return 0;
	if (store_unreachable(st->conn, msg)) {
		/* start anyway: documents are answered retry (or spooled by
		 * planqd) until the database answers */
		log_warnx("database unreachable at start (%s); will keep "
		    "trying", msg);
		PQfinish(st->conn);
		st->conn = NULL;
		return 0;
	}
	snprintf(why, whylen, "cannot use the database: %s", msg);
	return -1;
}

void
store_close(struct store *st)
{
	PQfinish(st->conn);
	st->conn = NULL;
	free(st->dsn);
	st->dsn = NULL;
}

/* SQLSTATE classes that say "try again", not "your data is wrong". */
static int
store_is_transient(PGconn *conn, const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (PQstatus(conn) != CONNECTION_OK || state == NULL)
		return 1;
	return strncmp(state, "08", 2) == 0 || strncmp(state, "40", 2) == 0 ||
	    strncmp(state, "53", 2) == 0 || strncmp(state, "57", 2) == 0;
}

static void
store_fill_result(const PGresult *res, struct store_result *out)
{
	snprintf(out->status, sizeof(out->status), "%s", PQgetvalue(res, 0, 0));
	out->document_id = PQgetisnull(res, 0, 1) ? 0 :
	    strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	out->plan_id = PQgetisnull(res, 0, 2) ? 0 :
	    strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	snprintf(out->reason, sizeof(out->reason), "%s",
	    PQgetisnull(res, 0, 3) ? "" : PQgetvalue(res, 0, 3));
}

static int store_end_transaction(struct store *st);

/* planq_ingest's eight parameters for one document (bytea ones binary). */
struct store_params {
	const char	*values[8];
	int		 lengths[8];
	int		 formats[8];
};

static void
store_params_of(const struct store_doc *doc, struct store_params *p)
{
	const char *values[8] = {
		(const char *)doc->sha256, doc->raw, doc->envelope_json,
		doc->charset, doc->outcome, doc->reason, doc->plan_json,
		doc->parser_version,
	};

	memcpy(p->values, values, sizeof(values));
	memset(p->lengths, 0, sizeof(p->lengths));
	memset(p->formats, 0, sizeof(p->formats));
	p->lengths[0] = 32;
	p->lengths[1] = (int)doc->raw_len;
	p->formats[0] = p->formats[1] = 1;
}

static PGresult *
store_exec(struct store *st, const struct store_doc *doc)
{
	struct store_params p;

	/* each document is its own transaction: never inherit an open one */
	if (store_end_transaction(st) != 0)
		return PQmakeEmptyPGresult(st->conn, PGRES_FATAL_ERROR);
	store_params_of(doc, &p);
	return PQexecPrepared(st->conn, STORE_STMT, 8, p.values, p.lengths,
	    p.formats, 0);
}

enum store_status
store_ingest(struct store *st, const struct store_doc *doc,
    struct store_result *out)
{
	int64_t deadline = store_now_ms() + (int64_t)st->retry_seconds * 1000;
	long backoff = STORE_BACKOFF_MIN_MS;
	char msg[512] = "";

	memset(out, 0, sizeof(*out));
	for (;;) {
		PGresult *res;

		if (PQstatus(st->conn) == CONNECTION_OK ||
		    store_connect(st, msg, sizeof(msg)) == 0) {
			res = store_exec(st, doc);
			if (PQresultStatus(res) == PGRES_TUPLES_OK &&
			    PQntuples(res) == 1) {
				store_fill_result(res, out);
				PQclear(res);
				return STORE_OK;
			}
			store_result_message(msg, sizeof(msg), res);
			if (!store_is_transient(st->conn, res)) {
				snprintf(out->reason, sizeof(out->reason), "%s",
				    msg);
				PQclear(res);
				return STORE_DATA_ERROR;
			}
			PQclear(res);
		}
		if (store_now_ms() + backoff > deadline) {
			snprintf(out->reason, sizeof(out->reason), "%s", msg);
			return STORE_UNAVAILABLE;
		}
		log_warnx("database unavailable (%s); retrying in %ld ms", msg,
		    backoff);
		store_sleep_ms(backoff);
		backoff = backoff * 2 > STORE_BACKOFF_MAX_MS ?
		    STORE_BACKOFF_MAX_MS : backoff * 2;
	}
}

/* ---- batches: one transaction, pipelined ------------------------------- */

enum store_pipe {
	PIPE_COMMITTED = 0,
	PIPE_REFUSED,		/* a document broke a rule: rolled back */
	PIPE_TRANSIENT,		/* connection or transient error */
};

static int
store_send_batch(struct store *st, const struct store_doc *docs, int n,
    const int *order)
{
	if (PQsendQueryParams(st->conn, "BEGIN", 0, NULL, NULL, NULL, NULL,
	    0) != 1)
		return -1;
	for (int i = 0; i < n; i++) {
		const struct store_doc *doc = &docs[order[i]];
		struct store_params p;

		store_params_of(doc, &p);
		if (PQsendQueryPrepared(st->conn, STORE_STMT, 8, p.values,
		    p.lengths, p.formats, 0) != 1)
			return -1;
	}
	if (PQsendQueryParams(st->conn, "COMMIT", 0, NULL, NULL, NULL, NULL,
	    0) != 1 || PQpipelineSync(st->conn) != 1)
		return -1;
	return 0;
}

/* Classifies a failed result of the pipeline. */
static enum store_pipe
store_pipe_error(struct store *st, PGresult *r, char *msg, size_t len)
{
	store_result_message(msg, len, r);
	return store_is_transient(st->conn, r) ? PIPE_TRANSIENT : PIPE_REFUSED;
}

/*
 * Reads the n + 2 results (BEGIN, the documents, COMMIT) and the sync.
 * Fills res[order[i]] for each document when everything committed.
 */
static enum store_pipe
store_read_batch(struct store *st, int n, const int *order,
    struct store_result *res, char *msg, size_t len)
{
	enum store_pipe outcome = PIPE_COMMITTED;
	PGresult *r;

	for (int k = 0; k < n + 2; k++) {
		if ((r = PQgetResult(st->conn)) == NULL)
			return PIPE_TRANSIENT;
		switch (PQresultStatus(r)) {
		case PGRES_COMMAND_OK:
			break;
		case PGRES_TUPLES_OK:
			if (k >= 1 && k <= n && PQntuples(r) == 1)
				store_fill_result(r, &res[order[k - 1]]);
			break;
		case PGRES_PIPELINE_ABORTED:
			break;
		default:
			if (outcome == PIPE_COMMITTED)
				outcome = store_pipe_error(st, r, msg, len);
			break;
		}
		PQclear(r);
		/* each query's results end with a NULL */
		if ((r = PQgetResult(st->conn)) != NULL) {
			PQclear(r);
			return PIPE_TRANSIENT;
		}
	}
	r = PQgetResult(st->conn);
	if (r == NULL || PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
		PQclear(r);
		return PIPE_TRANSIENT;
	}
	PQclear(r);
	return outcome;
}

/*
 * After a refused batch the explicit transaction is left aborted: roll it
 * back so the session can be used again.  -1 if the session is unusable.
 */
static int
store_end_transaction(struct store *st)
{
	PGresult *r;
	int ok;

	if (PQtransactionStatus(st->conn) == PQTRANS_IDLE)
		return 0;
	r = PQexec(st->conn, "ROLLBACK");
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	return ok && PQtransactionStatus(st->conn) == PQTRANS_IDLE ? 0 : -1;
}

static enum store_pipe
store_pipeline(struct store *st, const struct store_doc *docs, int n,
    const int *order, struct store_result *res, char *msg, size_t len)
{
	enum store_pipe outcome;

	if (PQenterPipelineMode(st->conn) != 1) {
		store_copy_message(msg, len, PQerrorMessage(st->conn));
		return PIPE_TRANSIENT;
	}
	if (store_send_batch(st, docs, n, order) != 0) {
		store_copy_message(msg, len, PQerrorMessage(st->conn));
		PQfinish(st->conn);	/* the session is in an unknown state */
		st->conn = NULL;
		return PIPE_TRANSIENT;
	}
	outcome = store_read_batch(st, n, order, res, msg, len);
	if (outcome == PIPE_TRANSIENT || PQexitPipelineMode(st->conn) != 1 ||
	    store_end_transaction(st) != 0) {
		if (outcome != PIPE_TRANSIENT || msg[0] == '\0')
			store_copy_message(msg, len, PQerrorMessage(st->conn));
		PQfinish(st->conn);
		st->conn = NULL;
		return PIPE_TRANSIENT;
	}
	return outcome;
}

/*
 * Concurrent batches must take their locks in one global order or they
 * deadlock: planq_ingest locks a plan's (org, year) key to keep one
 * version current, and the unique sha256 index locks identical bytes.
 * Documents are stored in (key, sha256) order.
 */
static int
store_cmp_lock_order(const void *a, const void *b, void *arg)
{
	const struct store_doc *x = &((const struct store_doc *)arg)[*(const int *)a];
	const struct store_doc *y = &((const struct store_doc *)arg)[*(const int *)b];
	int c = strcmp(x->lock_key ? x->lock_key : "",
	    y->lock_key ? y->lock_key : "");

	return c != 0 ? c : memcmp(x->sha256, y->sha256, 32);
}

void
store_ingest_batch(struct store *st, const struct store_doc *docs, int n,
    struct store_result *res, enum store_status *status)
{
	int64_t deadline = store_now_ms() + (int64_t)st->retry_seconds * 1000;
	long backoff = STORE_BACKOFF_MIN_MS;
	char msg[512] = "";
	int *order;

	if (n == 1 || (order = calloc((size_t)n, sizeof(int))) == NULL) {
		for (int i = 0; i < n; i++)
			status[i] = store_ingest(st, &docs[i], &res[i]);
		return;
	}
	for (int i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, (size_t)n, sizeof(int), store_cmp_lock_order,
	    (void *)docs);
	for (;;) {
		enum store_pipe outcome = PIPE_TRANSIENT;

		memset(res, 0, (size_t)n * sizeof(*res));
		if (PQstatus(st->conn) == CONNECTION_OK ||
		    store_connect(st, msg, sizeof(msg)) == 0)
			outcome = store_pipeline(st, docs, n, order, res, msg,
			    sizeof(msg));
		if (outcome == PIPE_COMMITTED) {
			for (int i = 0; i < n; i++)
				status[i] = STORE_OK;
			break;
		}
		if (outcome == PIPE_REFUSED) {
			/* find the culprit: one transaction each */
			for (int i = 0; i < n; i++)
				status[i] = store_ingest(st, &docs[i], &res[i]);
			break;
		}
		if (store_now_ms() + backoff > deadline) {
			for (int i = 0; i < n; i++) {
				status[i] = STORE_UNAVAILABLE;
				snprintf(res[i].reason, sizeof(res[i].reason),
				    "%s", msg);
			}
			break;
		}
		log_warnx("database unavailable (%s); retrying %d documents "
		    "in %ld ms", msg, n, backoff);
		store_sleep_ms(backoff);
		backoff = backoff * 2 > STORE_BACKOFF_MAX_MS ?
		    STORE_BACKOFF_MAX_MS : backoff * 2;
	}
	free(order);
}
