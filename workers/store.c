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
	if (store_connect(st, msg, sizeof(msg)) != 0) {
		snprintf(why, whylen, "cannot use the database: %s", msg);
		return -1;
	}
	return 0;
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

static PGresult *
store_exec(struct store *st, const struct store_doc *doc)
{
	const char *values[8] = {
		(const char *)doc->sha256, doc->raw, doc->envelope_json,
		doc->charset, doc->outcome, doc->reason, doc->plan_json,
		doc->parser_version,
	};
	int lengths[8] = { 32, (int)doc->raw_len, 0, 0, 0, 0, 0, 0 };
	int formats[8] = { 1, 1, 0, 0, 0, 0, 0, 0 };

	return PQexecPrepared(st->conn, STORE_STMT, 8, values, lengths,
	    formats, 0);
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
			store_copy_message(msg, sizeof(msg),
			    PQresultErrorMessage(res));
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
