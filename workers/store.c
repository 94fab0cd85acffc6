/*
 * store.c: writes documents and their plans through planq_ingest_rows()
 * (sql/functions/; a batch, or one document as a batch of one, as binary
 * array parameters: pgarray.c), each call one statement, one round trip
 * and one transaction.  It sends every row of the plans, built by
 * plan_rows.c, and each plan's facts (plan_facts.c: its digest,
 * org.printed_name, the warnings' codes), not the plan JSON; a plan it
 * cannot turn into rows is not sent (STORE_PLAN_REFUSED).  A batch the
 * database refuses is stored again one document at a time, so one bad
 * plan cannot take the others down.
 * Classifies failures by SQLSTATE: classes 08 (connection), 40
 * (rollback/serialization), 53 (resources) and 57 (operator intervention,
 * e.g. shutdown) pass and are retried with backoff on a fresh connection;
 * anything else is the data's fault and reported as such.
 * Failover: the session always asks libpq for a read-write server
 * (target_session_attrs=read-write), so a DSN with several hosts reaches
 * whichever is the primary; a server that turns out read-only (SQLSTATE
 * 25006: fenced, or a standby) and a commit that is not confirmed within
 * db_timeout (pgexec.c) are outages like a lost connection, never the
 * document's fault: the session is dropped and libpq looks again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "pgarray.h"
#include "pgexec.h"
#include "plan_facts.h"
#include "plan_rows_types.h"
#include "store.h"

/* $7: the plans' facts; $9 to $18: their rows, one planq_plan_rowset */
#define STORE_BATCH_STMT "planq_ingest_rows"
#define STORE_BATCH_SQL "SELECT idx, status, document_id, plan_id, reason " \
		   "FROM planq_ingest_rows($1, $2, $3, $4, $5, $6, $7, $8, " \
		   "ROW($9, $10, $11, $12, $13, $14, $15, $16, $17, $18)" \
		   "::planq_plan_rowset)"
/* a batch sent ahead runs in an explicit transaction, committed by this */
#define STORE_COMMIT_STMT "planq_commit"
#define STORE_DOC_PARAMS 8
#define STORE_PARAMS	(STORE_DOC_PARAMS + PLAN_ROWS_KINDS)
#define STORE_BACKOFF_MIN_MS 100
#define STORE_BACKOFF_MAX_MS 2000
/* SQLSTATE read_only_sql_transaction: a standby, or a fenced primary */
#define STORE_READ_ONLY_STATE "25006"
/* a rehearsal (store_rehearse) waits for no lock and no slow server */
#define STORE_REHEARSE_LIMITS "SET LOCAL lock_timeout = '500ms'; " \
		"SET LOCAL statement_timeout = '5s'"
/* and the client's own bound, well inside planqd's 30 s for READY */
#define STORE_REHEARSE_MS 6000

/*
 * The retry schedule of one store call, single document or batch: more
 * tries after a transient failure, with backoff between them, until
 * db_retry_seconds after the first.
 */
struct store_retry {
	int64_t		deadline_ms;
	struct backoff	wait;
};

static void
store_retry_start(const struct store *st, struct store_retry *r,
    int64_t first_try_ms)
{
	r->deadline_ms = first_try_ms + (int64_t)st->retry_seconds * 1000;
	r->wait = (struct backoff){ STORE_BACKOFF_MIN_MS, STORE_BACKOFF_MAX_MS,
	    0 };
}

/* Waits for the next try of n documents (1), or says there is none
 * before the deadline (0). */
static int
store_retry_wait(struct store_retry *r, const char *msg, int n)
{
	long ms = backoff_next(&r->wait);

	if (clock_ms() + ms > r->deadline_ms)
		return 0;
	log_warnx("database unavailable (%s); retrying %d document%s in %ld ms",
	    msg, n, n == 1 ? "" : "s", ms);
	clock_sleep_ms(ms);
	return 1;
}

/*
 * A libpq message on one line: its lines joined with "; " (a DSN of
 * several hosts fails with one line per host), without the hints libpq
 * indents with a tab.
 */
static void
store_copy_message(char *dst, size_t len, const char *msg)
{
	size_t n = 0;

	dst[0] = '\0';
	for (const char *line = msg ? msg : ""; *line != '\0' && n + 1 < len;) {
		int l = (int)strcspn(line, "\n");

		if (l > 0 && line[0] != '\t')
			n += (size_t)snprintf(dst + n, len - n, "%s%.*s",
			    n > 0 ? "; " : "", l, line);
		line += l + (line[l] == '\n');
	}
	if (dst[0] == '\0')
		snprintf(dst, len, "unknown error");
}

/* A result's error for people: the primary message, else libpq's text. */
static void
store_result_message(char *dst, size_t len, const PGresult *r)
{
	const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

	store_copy_message(dst, len, primary ? primary :
	    PQresultErrorMessage(r));
}

/* the row types' OIDs differ from database to database */
static int
store_row_types(struct store *st, char *why, size_t whylen)
{
	char e[256];

	if (plan_rows_types(st->conn, &st->row_types, e, sizeof(e)) == 0)
		return 0;
	snprintf(why, whylen, "the database has no usable planq schema (%s); "
	    "run: planq db migrate --db DSN", e);
	return -1;
}

/* The server's warnings (a cancelled wait for a synchronous standby says
 * what became of the commit) go to the log, not to stderr unprefixed. */
static void
store_notice(void *arg, const PGresult *r)
{
	const char *sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
	char msg[256];

	(void)arg;
	if (sev == NULL || (strcmp(sev, "WARNING") != 0 &&
	    strcmp(sev, "NOTICE") != 0))
		return;
	store_result_message(msg, sizeof(msg), r);
	if (strcmp(sev, "WARNING") == 0)
		log_warnx("database warning: %s%s%s", msg, detail ? " " : "",
		    detail ? detail : "");
	else
		log_debug("database notice: %s", msg);
}

static int
store_connect(struct store *st, char *why, size_t whylen)
{
	/*
	 * If this worker dies mid-statement, its backend must not go on to
	 * commit the document on its own: have the server notice the lost
	 * client within a second, even while waiting for a lock.  A statement
	 * that outlasts db_timeout is cancelled by the server (SQLSTATE 57014,
	 * retried like any class 57 error): the worker gives up on a stalled
	 * database by itself instead of waiting to be killed.
	 */
	const char *keys[] = { "dbname", "target_session_attrs",
	    "application_name", "options", NULL };
	const char *vals[] = { st->dsn, "read-write", st->appname, st->options,
	    NULL };
	PGresult *res;

	PQfinish(st->conn);
	st->conn = PQconnectdbParams(keys, vals, 1);
	if (st->conn == NULL || PQstatus(st->conn) != CONNECTION_OK) {
		store_copy_message(why, whylen,
		    st->conn ? PQerrorMessage(st->conn) : "out of memory");
		return -1;
	}
	PQsetNoticeReceiver(st->conn, store_notice, NULL);
	/* a schema older than 017 has no planq_ingest_rows taking a
	 * planq_plan_rowset (015: none at all): say so */
	res = PQprepare(st->conn, STORE_BATCH_STMT, STORE_BATCH_SQL,
	    STORE_PARAMS, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *e = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		snprintf(why, whylen, "the database has no usable planq schema "
		    "(%s); run: planq db migrate --db DSN", e ? e : "?");
		PQclear(res);
		return -1;
	}
	PQclear(res);
	res = PQprepare(st->conn, STORE_COMMIT_STMT, "COMMIT", 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		store_copy_message(why, whylen, PQerrorMessage(st->conn));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return store_row_types(st, why, whylen);
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
    int db_timeout, char *why, size_t whylen)
{
	char msg[512];

	memset(st, 0, sizeof(*st));
	st->retry_seconds = 30;
	/* the server's statement_timeout ends a statement's waits first */
	st->timeout_ms = (db_timeout + 1) * 1000;
	snprintf(st->appname, sizeof(st->appname), "%s", appname);
	snprintf(st->options, sizeof(st->options),
	    "-c client_connection_check_interval=1000 "
	    "-c statement_timeout=%lld", (long long)db_timeout * 1000);
	if ((st->dsn = strdup(dsn ? dsn : "")) == NULL ||
	    (st->events = calloc(1, sizeof(*st->events))) == NULL) {
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
	free(st->events);
	st->events = NULL;
}

void
store_note_retry(struct store *st, const char *source_url, const char *reason)
{
	if (st->events != NULL)
		events_note_retry(st->events, source_url, reason);
}

/* After a commit: the retry answers of an outage that is over, recorded. */
static void
store_events_write(struct store *st)
{
	if (st->events != NULL && st->events->n > 0 &&
	    PQstatus(st->conn) == CONNECTION_OK &&
	    PQtransactionStatus(st->conn) == PQTRANS_IDLE)
		events_write(st->events, st->conn);
}

/*
 * One call of a prepared statement within the worker's own deadline
 * (pgexec.c).  A call that answered only after being cancelled (a commit
 * left waiting for a synchronous standby) or not at all is not a
 * confirmed commit: it comes back as an error result, with st->unconfirmed
 * saying why, and a silent session is closed.  store_confirmed judges
 * an answer so; store_call makes the call and judges it.
 */
static PGresult *
store_confirmed(struct store *st, PGresult *r, enum pgexec_end end)
{
	ExecStatusType status = PQresultStatus(r);

	if (end == PGEXEC_ANSWERED || (end == PGEXEC_CANCELLED &&
	    status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK))
		return r;
	PQclear(r);
	snprintf(st->unconfirmed, sizeof(st->unconfirmed), "%s within %d s "
	    "(db_timeout + 1); is the server waiting for a synchronous standby?",
	    end == PGEXEC_SILENT ? "no answer, not even to a cancel," :
	    "the commit was cancelled, not confirmed,", st->timeout_ms / 1000);
	if (end == PGEXEC_SILENT) {
		PQfinish(st->conn);
		st->conn = NULL;
	}
	return PQmakeEmptyPGresult(st->conn, PGRES_FATAL_ERROR);
}

static PGresult *
store_call(struct store *st, const char *stmt, int n,
    const char *const *values, const int *lengths, const int *formats)
{
	enum pgexec_end end;
	PGresult *r = pgexec_prepared(st->conn, stmt, n, values, lengths,
	    formats, st->timeout_ms, &end);

	return store_confirmed(st, r, end);
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

/*
 * Why a call failed, in msg[], and whether to try again (1) rather than
 * blame the data (0).  A server that is read-only (a standby, or a primary
 * fenced with default_transaction_read_only) and a commit not confirmed in
 * time are outages: the session is dropped, so the next attempt asks
 * libpq for the primary of the DSN's hosts again.
 */
static int
store_failure(struct store *st, const PGresult *res, char *msg, size_t len)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (st->unconfirmed[0] != '\0') {
		store_copy_message(msg, len, st->unconfirmed);
		st->unconfirmed[0] = '\0';
		return 1;
	}
	store_result_message(msg, len, res);
	if (state != NULL && strcmp(state, STORE_READ_ONLY_STATE) == 0) {
		PQfinish(st->conn);
		st->conn = NULL;
		return 1;
	}
	return store_is_transient(st->conn, res);
}

/* status, document_id, plan_id, reason from columns c, c+1, … of a row */
static void
store_fill_result(const PGresult *res, int row, int c,
    struct store_result *out)
{
	snprintf(out->status, sizeof(out->status), "%s",
	    PQgetvalue(res, row, c));
	out->document_id = PQgetisnull(res, row, c + 1) ? 0 :
	    strtoll(PQgetvalue(res, row, c + 1), NULL, 10);
	out->plan_id = PQgetisnull(res, row, c + 2) ? 0 :
	    strtoll(PQgetvalue(res, row, c + 2), NULL, 10);
	snprintf(out->reason, sizeof(out->reason), "%s",
	    PQgetisnull(res, row, c + 3) ? "" : PQgetvalue(res, row, c + 3));
}

/*
 * Every call is its own transaction: should the session ever be left
 * inside one, roll it back first.  -1 if the session is unusable.
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

/* ---- parameters: the documents' eight, then every row of their plans ------- */

/* The parameters of planq_ingest_rows: arrays of the documents' columns
 * and of their plans' facts, the parser version, the rows of the plans. */
struct store_params {
	struct pgarray	 arrays[STORE_DOC_PARAMS - 1];
	struct plan_rows rows;
	const char	*values[STORE_PARAMS];
	int		 lengths[STORE_PARAMS];
	int		 formats[STORE_PARAMS];
};

static void
store_params_clear(struct store_params *p)
{
	for (int k = 0; k < STORE_DOC_PARAMS - 1; k++)
		pgarray_free(&p->arrays[k]);
	plan_rows_free(&p->rows);
}

/*
 * Parameter 7, the plans' facts, and 9-18, every row of the plans of
 * docs[0..n-1], the plan of docs[i] at position i + 1.  -1 when out of
 * memory (why empty) or when a plan cannot be turned into rows (why says
 * where; *which its document).
 */
static int
store_rows_params(const struct store *st, const struct store_doc *docs,
    int n, struct store_params *p, int *which, char *why, size_t len)
{
	why[0] = '\0';
	plan_rows_init(&p->rows, &st->row_types);
	for (int i = 0; i < n; i++) {
		if (docs[i].plan_json == NULL)
			continue;
		*which = i;
		if (docs[i].rec == NULL && docs[i].plan == NULL) {
			snprintf(why, len, "no parsed plan to build its rows from");
			return -1;
		}
		if ((docs[i].rec != NULL ? plan_rows_add_doc(&p->rows, i + 1,
		    docs[i].rec) : plan_rows_add(&p->rows, i + 1,
		    docs[i].plan)) != 0) {
			snprintf(why, len, "%s", p->rows.why);
			return -1;
		}
		if (plan_facts_add(&p->arrays[6], i + 1, docs[i].plan_json,
		    strlen(docs[i].plan_json), docs[i].rec, docs[i].plan) != 0) {
			if (!p->arrays[6].failed)
				snprintf(why, len, "its JSON is not JSON the "
				    "database takes (no digest)");
			return -1;
		}
	}
	if (pgarray_finish(&p->arrays[6], &p->values[6], &p->lengths[6]) != 0)
		return -1;
	p->formats[6] = 1;
	for (int k = STORE_DOC_PARAMS; k < STORE_PARAMS; k++)
		p->formats[k] = 1;
	return plan_rows_finish(&p->rows, &p->values[STORE_DOC_PARAMS],
	    &p->lengths[STORE_DOC_PARAMS]);
}

/* What one attempt at a call came to. */
enum store_try {
	STORE_TRY_DONE = 0,	/* committed */
	STORE_TRY_REFUSED,	/* the database refused something: rolled back */
	STORE_TRY_NO_ROWS,	/* a plan cannot be turned into rows: not sent */
	STORE_TRY_TRANSIENT,	/* connection or transient error */
};

static int	store_batch_params_of(const struct store *st,
	    const struct store_doc *docs, int n, struct store_params *p,
	    char *why, size_t len);

/* One planq_ingest_rows call for doc alone (a batch of one) on a
 * connected session. */
static enum store_try
store_try_one(struct store *st, const struct store_doc *doc,
    struct store_result *out, char *msg, size_t len)
{
	enum store_try outcome = STORE_TRY_DONE;
	struct store_params p;
	PGresult *res;

	memset(&p, 0, sizeof(p));
	if (store_batch_params_of(st, doc, 1, &p, msg, len) != 0) {
		store_params_clear(&p);
		if (msg[0] == '\0') {
			snprintf(msg, len, "out of memory");
			return STORE_TRY_TRANSIENT;
		}
		return STORE_TRY_NO_ROWS;
	}
	/* each document is its own transaction: never inherit an open one */
	if (store_end_transaction(st) != 0)
		res = PQmakeEmptyPGresult(st->conn, PGRES_FATAL_ERROR);
	else
		res = store_call(st, STORE_BATCH_STMT, STORE_PARAMS, p.values,
		    p.lengths, p.formats);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		store_fill_result(res, 0, 1, out);
	else {
		outcome = store_failure(st, res, msg, len) ?
		    STORE_TRY_TRANSIENT : STORE_TRY_REFUSED;
	}
	PQclear(res);
	store_params_clear(&p);
	return outcome;
}

enum store_status
store_ingest(struct store *st, const struct store_doc *doc,
    struct store_result *out)
{
	struct store_retry retry;
	char msg[512] = "";

	store_retry_start(st, &retry, clock_ms());
	memset(out, 0, sizeof(*out));
	for (;;) {
		enum store_try outcome = STORE_TRY_TRANSIENT;

		if (PQstatus(st->conn) == CONNECTION_OK ||
		    store_connect(st, msg, sizeof(msg)) == 0)
			outcome = store_try_one(st, doc, out, msg, sizeof(msg));
		if (outcome == STORE_TRY_DONE) {
			store_events_write(st);
			return STORE_OK;
		}
		if (outcome != STORE_TRY_TRANSIENT) {
			snprintf(out->reason, sizeof(out->reason), "%s", msg);
			return outcome == STORE_TRY_NO_ROWS ? STORE_PLAN_REFUSED :
			    STORE_DATA_ERROR;
		}
		if (!store_retry_wait(&retry, msg, 1)) {
			snprintf(out->reason, sizeof(out->reason), "%s", msg);
			return STORE_UNAVAILABLE;
		}
	}
}

/* ---- batches: one statement, one transaction ------------------------------ */

/* -1 when out of memory, when the documents disagree on the version, or
 * when a plan cannot be turned into rows (then why says which). */
static int
store_batch_params_of(const struct store *st, const struct store_doc *docs,
    int n, struct store_params *p, char *why, size_t len)
{
	const uint32_t types[STORE_DOC_PARAMS - 1] = { PGARRAY_BYTEA,
	    PGARRAY_BYTEA, PGARRAY_JSONB, PGARRAY_TEXT, PGARRAY_TEXT,
	    PGARRAY_TEXT, st->row_types.facts };
	size_t raw_bytes = 0;
	int which = 0;

	why[0] = '\0';
	for (int i = 0; i < n; i++)
		raw_bytes += docs[i].raw_len + 4;
	for (int k = 0; k < STORE_DOC_PARAMS - 1; k++)
		pgarray_init(&p->arrays[k], types[k], k == 1 ? raw_bytes : 0);
	for (int i = 0; i < n; i++) {
		const struct store_doc *d = &docs[i];

		if (strcmp(d->parser_version, docs[0].parser_version) != 0)
			return -1;
		pgarray_add(&p->arrays[0], d->sha256, 32);
		pgarray_add(&p->arrays[1], d->raw, d->raw_len);
		pgarray_add_str(&p->arrays[2], d->envelope_json);
		pgarray_add_str(&p->arrays[3], d->charset);
		pgarray_add_str(&p->arrays[4], d->outcome);
		pgarray_add_str(&p->arrays[5], d->reason);
	}
	for (int k = 0; k < STORE_DOC_PARAMS - 2; k++) {	/* 7: the rows' */
		if (pgarray_finish(&p->arrays[k], &p->values[k],
		    &p->lengths[k]) != 0)
			return -1;
		p->formats[k] = 1;
	}
	p->values[7] = docs[0].parser_version;
	p->lengths[7] = 0;
	p->formats[7] = 0;
	if (store_rows_params(st, docs, n, p, &which, why, len) != 0) {
		if (why[0] != '\0' && n > 1)
			log_debug("plan rows: document %d of the batch: %s; storing "
			    "the batch one by one", which + 1, why);
		return -1;
	}
	return 0;
}

/*
 * Copies the batch's rows into res[idx - 1]; -1 unless every document got
 * exactly one row (anything else would be a bug in the SQL).
 */
static int
store_fill_batch(const PGresult *r, int n, struct store_result *res)
{
	if (PQntuples(r) != n)
		return -1;
	for (int row = 0; row < n; row++) {
		long idx = strtol(PQgetvalue(r, row, 0), NULL, 10);

		/* n rows with n distinct positions: one for each document */
		if (idx < 1 || idx > n || res[idx - 1].status[0] != '\0')
			return -1;
		store_fill_result(r, row, 1, &res[idx - 1]);
	}
	return 0;
}

/* What planq_ingest_batch answered, into res[]. */
static enum store_try
store_batch_result(struct store *st, PGresult *r, int n,
    struct store_result *res, char *msg, size_t len)
{
	enum store_try outcome = STORE_TRY_DONE;

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		outcome = store_failure(st, r, msg, len) ? STORE_TRY_TRANSIENT :
		    STORE_TRY_REFUSED;
	} else if (store_fill_batch(r, n, res) != 0) {
		snprintf(msg, len, "planq_ingest_batch answered %d rows for %d "
		    "documents", PQntuples(r), n);
		log_warnx("%s; storing them one by one", msg);
		outcome = STORE_TRY_REFUSED;
	}
	return outcome;
}

/* One planq_ingest_batch call on a connected session. */
static enum store_try
store_try_batch(struct store *st, const struct store_doc *docs, int n,
    struct store_result *res, char *msg, size_t len)
{
	enum store_try outcome;
	struct store_params p;
	PGresult *r;

	memset(&p, 0, sizeof(p));
	if (store_batch_params_of(st, docs, n, &p, msg, len) != 0) {
		store_params_clear(&p);
		return STORE_TRY_NO_ROWS;
	}
	if (store_end_transaction(st) != 0) {
		store_copy_message(msg, len, PQerrorMessage(st->conn));
		store_params_clear(&p);
		return STORE_TRY_TRANSIENT;
	}
	r = store_call(st, STORE_BATCH_STMT, STORE_PARAMS, p.values,
	    p.lengths, p.formats);
	outcome = store_batch_result(st, r, n, res, msg, len);
	PQclear(r);
	store_params_clear(&p);
	return outcome;
}

/* After the first try: every document in its own transaction. */
static void
store_one_by_one(struct store *st, const struct store_doc *docs, int n,
    struct store_result *res, enum store_status *status)
{
	for (int i = 0; i < n; i++)
		status[i] = store_ingest(st, &docs[i], &res[i]);
}

/* One try of a batch: on the session, or on a new one. */
static enum store_try
store_batch_attempt(struct store *st, const struct store_doc *docs, int n,
    struct store_result *res, char *msg, size_t len)
{
	memset(res, 0, (size_t)n * sizeof(*res));
	if (PQstatus(st->conn) == CONNECTION_OK ||
	    store_connect(st, msg, len) == 0)
		return store_try_batch(st, docs, n, res, msg, len);
	return STORE_TRY_TRANSIENT;
}

/*
 * What follows a try that came to `outcome`: the answers, the documents
 * one by one, or more tries until retry's deadline (then STORE_UNAVAILABLE).
 */
static void
store_batch_go_on(struct store *st, const struct store_doc *docs, int n,
    struct store_result *res, enum store_status *status,
    struct store_retry *retry, enum store_try outcome, char *msg, size_t len)
{
	for (;;) {
		if (outcome == STORE_TRY_DONE) {
			for (int i = 0; i < n; i++)
				status[i] = STORE_OK;
			store_events_write(st);
			return;
		}
		if (outcome != STORE_TRY_TRANSIENT) {
			/* find the culprit: one transaction each */
			store_one_by_one(st, docs, n, res, status);
			return;
		}
		if (!store_retry_wait(retry, msg, n)) {
			for (int i = 0; i < n; i++) {
				status[i] = STORE_UNAVAILABLE;
				snprintf(res[i].reason, sizeof(res[i].reason),
				    "%s", msg);
			}
			return;
		}
		outcome = store_batch_attempt(st, docs, n, res, msg, len);
	}
}

void
store_ingest_batch(struct store *st, const struct store_doc *docs, int n,
    struct store_result *res, enum store_status *status)
{
	struct store_retry retry;
	char msg[512] = "";
	enum store_try outcome;

	store_retry_start(st, &retry, clock_ms());
	outcome = store_batch_attempt(st, docs, n, res, msg, sizeof(msg));
	store_batch_go_on(st, docs, n, res, status, &retry, outcome, msg,
	    sizeof(msg));
}

/* ---- a batch in flight: sent now, answered later --------------------------- */

/*
 * The worker sends a batch's statement and parses its next batch while the
 * database works on it.  The call owns its parameters (built before the
 * worker says STORING: CPU work); the documents are the caller's.  Only
 * the first try goes out this way (pgexec_start, with the same deadline,
 * cancel and confirmation as store_call); a refused batch, a lost
 * connection or a plan without rows go on as store_ingest_batch does,
 * synchronously, with the same deadline (db_retry_seconds from the first
 * try).
 * The statement runs inside BEGIN … COMMIT, and the COMMIT is sent only
 * by store_batch_finish, which waits for it: the worker calls it between
 * two documents, never while parsing one.  So a worker that dies parsing
 * its next batch leaves no commit it did not answer: its session ends,
 * the server rolls the open transaction back, and planqd's retry of
 * those documents stores them (rather than finding them as duplicates).
 */
struct store_batch {
	const struct store_doc	*docs;
	int			 n;
	int			 built;	/* params ready; 0: rows refused or
					 * out of memory (the slow path) */
	int			 sent;	/* x is on its way */
	int64_t			 sent_ms;
	struct pgexec		 x;
	int			 answered; /* its answer is in: outcome */
	enum store_try		 outcome;
	char			 msg[512];
	struct store_params	 p;
};

struct store_batch *
store_batch_build(const struct store *st, const struct store_doc *docs, int n)
{
	struct store_batch *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->docs = docs;
	c->n = n;
	c->built = store_batch_params_of(st, docs, n, &c->p, c->msg,
	    sizeof(c->msg)) == 0;
	if (!c->built)
		store_params_clear(&c->p);
	return c;
}

void
store_batch_send(struct store *st, struct store_batch *c)
{
	PGresult *r;

	c->sent_ms = clock_ms();

	if (!c->built || st->conn == NULL ||
	    PQstatus(st->conn) != CONNECTION_OK ||
	    store_end_transaction(st) != 0)
		return;
	r = PQexec(st->conn, "BEGIN");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		PQclear(r);
		return;		/* finish makes every try itself */
	}
	PQclear(r);
	c->sent = 1;
	(void)pgexec_start(&c->x, st->conn, STORE_BATCH_STMT, STORE_PARAMS,
	    c->p.values, c->p.lengths, c->p.formats, st->timeout_ms);
}

int
store_batch_socket(const struct store *st, const struct store_batch *c)
{
	return c->sent && st->conn != NULL ? PQsocket(st->conn) : -1;
}

/* The COMMIT of a batch whose statement succeeded: a try's outcome. */
static enum store_try
store_batch_commit(struct store *st, struct store_batch *c)
{
	enum store_try outcome = STORE_TRY_DONE;
	PGresult *r = store_call(st, STORE_COMMIT_STMT, 0, NULL, NULL, NULL);

	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		outcome = store_failure(st, r, c->msg, sizeof(c->msg)) ?
		    STORE_TRY_TRANSIENT : STORE_TRY_REFUSED;
	else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		/* a transaction the server had aborted: nothing stored */
		snprintf(c->msg, sizeof(c->msg), "the batch's transaction "
		    "ended in %s", PQcmdStatus(r));
		outcome = STORE_TRY_TRANSIENT;
	}
	PQclear(r);
	return outcome;
}

/* Its answer, judged as store_try_batch judges one (blocks if not in). */
static void
store_batch_collect(struct store *st, struct store_batch *c,
    struct store_result *res)
{
	enum pgexec_end end;
	PGresult *r = pgexec_finish(&c->x, &end);

	r = store_confirmed(st, r, end);
	memset(res, 0, (size_t)c->n * sizeof(*res));
	c->sent = 0;
	c->answered = 1;
	c->outcome = store_batch_result(st, r, c->n, res, c->msg,
	    sizeof(c->msg));
	PQclear(r);
}

int
store_batch_poll(struct store *st, struct store_batch *c,
    struct store_result *res)
{
	if (!c->sent)
		return 1;
	if (!pgexec_poll(&c->x))
		return 0;
	if (c->x.finished)	/* else finishing may cancel: not here */
		store_batch_collect(st, c, res);
	return 1;
}

int
store_batch_succeeded(const struct store_batch *c)
{
	return c->answered && c->outcome == STORE_TRY_DONE;
}

void
store_batch_finish(struct store *st, struct store_batch *c,
    struct store_result *res, enum store_status *status)
{
	struct store_retry retry;

	if (c->sent)		/* wait for it */
		store_batch_collect(st, c, res);
	if (!c->answered) {	/* it could not go out: every try from here */
		store_ingest_batch(st, c->docs, c->n, res, status);
		return;
	}
	if (c->outcome == STORE_TRY_DONE)
		c->outcome = store_batch_commit(st, c);
	store_retry_start(st, &retry, c->sent_ms);
	store_batch_go_on(st, c->docs, c->n, res, status, &retry, c->outcome,
	    c->msg, sizeof(c->msg));
}

/* One statement of the rehearsal, outside the retry machinery. */
static int
store_rehearse_step(struct store *st, const char *sql, char *why,
    size_t whylen)
{
	PGresult *r = PQexec(st->conn, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok)
		store_copy_message(why, whylen, PQerrorMessage(st->conn));
	PQclear(r);
	return ok ? 0 : -1;
}

int
store_rehearse(struct store *st, const struct store_doc *docs, int n,
    char *why, size_t whylen)
{
	struct store_params p;
	PGresult *r;
	int rc = -1;

	why[0] = '\0';
	if (st->conn == NULL || PQstatus(st->conn) != CONNECTION_OK) {
		snprintf(why, whylen, "no database session");
		return -1;
	}
	memset(&p, 0, sizeof(p));
	if (store_batch_params_of(st, docs, n, &p, why, whylen) != 0) {
		if (why[0] == '\0')
			snprintf(why, whylen, "out of memory");
		store_params_clear(&p);
		return -1;
	}
	if (store_end_transaction(st) == 0 &&
	    store_rehearse_step(st, "BEGIN", why, whylen) == 0 &&
	    store_rehearse_step(st, STORE_REHEARSE_LIMITS, why, whylen) == 0) {
		enum pgexec_end end;

		r = pgexec_prepared(st->conn, STORE_BATCH_STMT, STORE_PARAMS,
		    p.values, p.lengths, p.formats, STORE_REHEARSE_MS, &end);
		r = store_confirmed(st, r, end);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == n)
			rc = 0;
		else if (PQresultStatus(r) == PGRES_TUPLES_OK)
			snprintf(why, whylen, "%d rows answered %d documents",
			    PQntuples(r), n);
		else
			store_result_message(why, whylen, r);
		PQclear(r);
	}
	if (st->conn != NULL && store_end_transaction(st) != 0 && rc == 0) {
		snprintf(why, whylen, "the rehearsal could not be rolled back");
		rc = -1;
	}
	store_params_clear(&p);
	return rc;
}

void
store_batch_free(struct store_batch **cp)
{
	struct store_batch *c = *cp;

	if (c == NULL)
		return;
	if (c->sent)
		pgexec_clear(&c->x);
	store_params_clear(&c->p);
	free(c);
	*cp = NULL;
}
