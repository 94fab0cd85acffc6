/*
 * refload.c: the benchmark's reference loader.  Reads the rows planq stored,
 * exported by bench/run.sh as one COPY text file per table whose lines start
 * with the id of the document the row belongs to, and loads them back into
 * the same schema with PostgreSQL's own methods: COPY, prepared INSERTs, or
 * prepared INSERTs in libpq pipeline mode, over N connections (one thread
 * each) with K documents per transaction.  Times only the load; prints one
 * summary line, or the server's message and exits 1 on any error.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"

#define COPY_CHUNK	65536	/* bytes per CopyData message */
#define MAX_TABLES	64

enum method { M_COPY, M_INSERT, M_PIPELINE };

struct row {
	int64_t		 key;	/* documents.id of the row's document, or 0 */
	char		*text;	/* COPY text after the key (copy), or fields */
	size_t		 len;	/* bytes of COPY text, newline included */
};

struct table {
	const char	 *name;
	char		 *cols;		/* "a, b, c": the columns in file order */
	int		  ncols;
	char		 *buf;		/* the file, then (copy) the bare rows */
	struct row	 *rows;		/* in key order */
	size_t		  nrows;
	const char	**vals;		/* insert, pipeline: nrows * ncols */
	size_t		 *first;	/* per document slot its first row */
	char		 *sql;		/* COPY ... FROM STDIN, or the INSERT */
	char		  stmt[16];	/* prepared INSERT */
};

struct load {
	enum method	 method;
	struct table	 tables[MAX_TABLES];
	int		 ntables;
	int64_t		*keys;		/* document slots, in key order */
	size_t		 nslots;
	size_t		 per_txn;
	size_t		 ntxn;
	int		 nconns;
	int		 depth;		/* pipeline: transactions in flight */
	atomic_int	 failed;
};

struct conn {
	struct load	*ld;
	PGconn		*pg;
	int		 index;
	int		 rc;
	pthread_t	 thread;
};

static void
usage(void)
{
	fprintf(stderr, "usage: refload --db DSN --dir DIR --tables \"T1 T2 ...\" "
	    "--method copy|insert|pipeline [--conns N] [--docs-per-txn K] "
	    "[--depth D]\n");
	exit(2);
}

static void *
xalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL) {
		fprintf(stderr, "refload: out of memory\n");
		exit(1);
	}
	return p;
}

static void *
grow(void *p, size_t *cap, size_t size)
{
	void *q = realloc(p, *cap * 2 * size);

	if (q == NULL) {
		fprintf(stderr, "refload: out of memory\n");
		exit(1);
	}
	*cap *= 2;
	return q;
}

/* ---- loading the export (not timed) -------------------------------------- */

static char *
slurp(const char *dir, const char *name, const char *ext, size_t *len)
{
	char path[4096];
	FILE *f;
	char *buf;
	long size;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "refload: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	buf = xalloc((size_t)size + 1, 1);
	if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "refload: %s: short read\n", path);
		exit(1);
	}
	fclose(f);
	buf[size] = '\0';
	*len = (size_t)size;
	return buf;
}

static void
load_cols(struct table *t, const char *dir)
{
	size_t len;
	int quoted = 0;

	t->cols = slurp(dir, t->name, "cols", &len);
	t->cols[strcspn(t->cols, "\n")] = '\0';
	if (t->cols[0] == '\0') {
		fprintf(stderr, "refload: %s.cols is empty\n", t->name);
		exit(1);
	}
	t->ncols = 1;
	for (const char *p = t->cols; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ',' && !quoted)
			t->ncols++;
	}
}

static int
cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->text > y->text) - (x->text < y->text);
}

/* T.dat: "KEY\tCOPY text\n" per row; rows end up sorted by key, file order within */
static void
load_rows(struct table *t, const char *dir)
{
	size_t len, cap = 1024;
	char *p, *end, *nl, *tab;

	t->buf = slurp(dir, t->name, "dat", &len);
	t->rows = xalloc(cap, sizeof(*t->rows));
	for (p = t->buf, end = t->buf + len; p < end; p = nl + 1) {
		struct row *r;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (t->nrows == cap)
			t->rows = grow(t->rows, &cap, sizeof(*t->rows));
		r = &t->rows[t->nrows];
		errno = 0;
		r->key = strtoll(p, &tab, 10);
		if (errno != 0 || tab == p || *tab != '\t' || nl == end) {
			fprintf(stderr, "refload: %s.dat row %zu: not KEY<tab>row<newline>\n",
			    t->name, t->nrows + 1);
			exit(1);
		}
		r->text = tab + 1;
		r->len = (size_t)(nl + 1 - r->text);
		t->nrows++;
	}
	qsort(t->rows, t->nrows, sizeof(*t->rows), cmp_row);
}

/* copy: the rows without their keys, contiguous in key order */
static void
strip_keys(struct table *t)
{
	char *bare, *w;
	size_t total = 0;

	for (size_t i = 0; i < t->nrows; i++)
		total += t->rows[i].len;
	bare = w = xalloc(total + 1, 1);
	for (size_t i = 0; i < t->nrows; i++) {
		memcpy(w, t->rows[i].text, t->rows[i].len);
		t->rows[i].text = w;
		w += t->rows[i].len;
	}
	free(t->buf);
	t->buf = bare;
}

static int
octal_or_hex(char **pp, int base, int maxdigits)
{
	char *p = *pp;
	int v = 0, n = 0;

	for (; n < maxdigits; n++, p++) {
		int d;

		if (base == 8 && *p >= '0' && *p <= '7')
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = isdigit((unsigned char)*p) ? *p - '0' :
			    tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		v = v * base + d;
	}
	*pp = p;
	return n == 0 ? -1 : v;
}

/* one escape after a backslash: the byte it stands for, -1 if none */
static int
unescape(char **pp)
{
	char *p = *pp;
	int c = (unsigned char)*p++;

	switch (c) {
	case 'b': c = '\b'; break;
	case 'f': c = '\f'; break;
	case 'n': c = '\n'; break;
	case 'r': c = '\r'; break;
	case 't': c = '\t'; break;
	case 'v': c = '\v'; break;
	case 'x':
		if (isxdigit((unsigned char)*p))
			c = octal_or_hex(&p, 16, 2);
		break;
	case '\0':
	case '\n':
		return -1;
	default:
		if (c >= '0' && c <= '7') {
			p--;
			c = octal_or_hex(&p, 8, 3);
		}
		break;
	}
	*pp = p;
	return c;
}

/*
 * Decodes the COPY text field at *pp in place (the result never is longer)
 * and NUL-terminates it; *pp moves past its tab or newline.  Sets *out to
 * the value, NULL for \N.  Returns 1 after the row's last field, 0 before,
 * -1 on a malformed field or a NUL byte (not representable as a parameter).
 */
static int
decode_field(char **pp, const char **out)
{
	char *p = *pp, *w = p;
	int c;

	*out = p;
	if (p[0] == '\\' && p[1] == 'N' && (p[2] == '\t' || p[2] == '\n')) {
		*out = NULL;
		*pp = p + 3;
		return p[2] == '\n';
	}
	while ((c = (unsigned char)*p) != '\t' && c != '\n') {
		p++;
		if (c == '\\' && (c = unescape(&p)) < 0)
			return -1;
		if (c == '\0')
			return -1;
		*w++ = (char)c;
	}
	*pp = p + 1;
	*w = '\0';
	return c == '\n';
}

static void
decode_rows(struct table *t)
{
	t->vals = xalloc(t->nrows * (size_t)t->ncols, sizeof(*t->vals));
	for (size_t i = 0; i < t->nrows; i++) {
		char *p = t->rows[i].text;
		const char **v = &t->vals[i * (size_t)t->ncols];
		int k = 0, last = 0;

		while (!last && k < t->ncols)
			if ((last = decode_field(&p, &v[k++])) < 0)
				break;
		if (last != 1 || k != t->ncols) {
			fprintf(stderr, "refload: %s document %" PRId64 ": field %d "
			    "of %d malformed or row has another number of fields\n",
			    t->name, t->rows[i].key, k, t->ncols);
			exit(1);
		}
	}
}

static int
cmp_key(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* the distinct keys of all tables, and each table's first row per key */
static void
index_documents(struct load *ld)
{
	size_t n = 0, total = 0;

	for (int i = 0; i < ld->ntables; i++)
		total += ld->tables[i].nrows;
	ld->keys = xalloc(total, sizeof(*ld->keys));
	for (int i = 0; i < ld->ntables; i++)
		for (size_t r = 0; r < ld->tables[i].nrows; r++)
			ld->keys[n++] = ld->tables[i].rows[r].key;
	qsort(ld->keys, n, sizeof(*ld->keys), cmp_key);
	ld->nslots = 0;
	for (size_t i = 0; i < n; i++)
		if (ld->nslots == 0 || ld->keys[ld->nslots - 1] != ld->keys[i])
			ld->keys[ld->nslots++] = ld->keys[i];
	for (int i = 0; i < ld->ntables; i++) {
		struct table *t = &ld->tables[i];
		size_t r = 0;

		t->first = xalloc(ld->nslots + 1, sizeof(*t->first));
		for (size_t d = 0; d < ld->nslots; d++) {
			while (r < t->nrows && t->rows[r].key < ld->keys[d])
				r++;
			t->first[d] = r;
		}
		t->first[ld->nslots] = t->nrows;
	}
	ld->ntxn = (ld->nslots + ld->per_txn - 1) / ld->per_txn;
}

static char *
sql_text(const struct table *t, enum method m)
{
	size_t cap = strlen(t->name) + strlen(t->cols) + 64 + 8 * (size_t)t->ncols;
	char *s = xalloc(cap, 1);
	size_t n;

	if (m == M_COPY) {
		snprintf(s, cap, "COPY %s (%s) FROM STDIN", t->name, t->cols);
		return s;
	}
	n = (size_t)snprintf(s, cap, "INSERT INTO %s (%s) OVERRIDING SYSTEM "
	    "VALUE VALUES (", t->name, t->cols);
	for (int k = 1; k <= t->ncols; k++)
		n += (size_t)snprintf(s + n, cap - n, "%s$%d", k > 1 ? ", " : "", k);
	snprintf(s + n, cap - n, ")");
	return s;
}

static void
load_tables(struct load *ld, const char *dir, char *names)
{
	for (char *save = NULL, *name = strtok_r(names, " \t\n", &save);
	    name != NULL; name = strtok_r(NULL, " \t\n", &save)) {
		struct table *t;

		if (ld->ntables == MAX_TABLES)
			usage();
		t = &ld->tables[ld->ntables];
		t->name = name;
		snprintf(t->stmt, sizeof(t->stmt), "refload_%d", ld->ntables);
		load_cols(t, dir);
		load_rows(t, dir);
		if (ld->method == M_COPY)
			strip_keys(t);
		else
			decode_rows(t);
		t->sql = sql_text(t, ld->method);
		ld->ntables++;
	}
	if (ld->ntables == 0)
		usage();
	index_documents(ld);
}

/* ---- connections ------------------------------------------------------------ */

static int
fail(struct conn *c, const struct table *t, int64_t key, const char *msg)
{
	fprintf(stderr, "refload: connection %d, table %s, document %" PRId64
	    ": %s%s", c->index, t ? t->name : "(transaction)", key, msg,
	    msg[0] && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
	atomic_store(&c->ld->failed, 1);
	return -1;
}

/* clears res; 0 if its status is the one wanted */
static int
check(struct conn *c, PGresult *res, ExecStatusType want,
    const struct table *t, int64_t key)
{
	int rc = 0;

	if (PQresultStatus(res) != want)
		rc = fail(c, t, key, res ? PQresultErrorMessage(res) :
		    PQerrorMessage(c->pg));
	PQclear(res);
	return rc;
}

static void
connect_one(struct conn *c, const char *dsn)
{
	const char *keys[] = { "dbname", "application_name", NULL };
	const char *vals[] = { dsn, "planq-refload", NULL };
	const struct load *ld = c->ld;

	c->pg = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		fprintf(stderr, "refload: connect: %s", PQerrorMessage(c->pg));
		exit(1);
	}
	if (ld->method == M_COPY)
		return;
	for (int i = 0; i < ld->ntables; i++) {
		const struct table *t = &ld->tables[i];

		if (check(c, PQprepare(c->pg, t->stmt, t->sql, t->ncols, NULL),
		    PGRES_COMMAND_OK, t, 0) != 0)
			exit(1);
	}
}

static int
command(struct conn *c, const char *sql, int64_t key)
{
	return check(c, PQexec(c->pg, sql), PGRES_COMMAND_OK, NULL, key);
}

/* ---- the methods ------------------------------------------------------------- */

static void
txn_slots(const struct load *ld, size_t txn, size_t *d0, size_t *d1)
{
	*d0 = txn * ld->per_txn;
	*d1 = *d0 + ld->per_txn < ld->nslots ? *d0 + ld->per_txn : ld->nslots;
}

static int
copy_table(struct conn *c, const struct table *t, size_t d0, size_t d1)
{
	size_t r0 = t->first[d0], r1 = t->first[d1];
	const char *p, *end;

	if (r0 == r1)
		return 0;
	p = t->rows[r0].text;
	end = t->rows[r1 - 1].text + t->rows[r1 - 1].len;
	if (check(c, PQexec(c->pg, t->sql), PGRES_COPY_IN, t,
	    t->rows[r0].key) != 0)
		return -1;
	for (; p < end; p += COPY_CHUNK) {
		int n = end - p < COPY_CHUNK ? (int)(end - p) : COPY_CHUNK;

		if (PQputCopyData(c->pg, p, n) != 1)
			return fail(c, t, t->rows[r0].key, PQerrorMessage(c->pg));
	}
	if (PQputCopyEnd(c->pg, NULL) != 1)
		return fail(c, t, t->rows[r0].key, PQerrorMessage(c->pg));
	if (check(c, PQgetResult(c->pg), PGRES_COMMAND_OK, t,
	    t->rows[r0].key) != 0)
		return -1;
	PQclear(PQgetResult(c->pg));
	return 0;
}

static int
insert_rows(struct conn *c, const struct table *t, size_t d0, size_t d1)
{
	for (size_t r = t->first[d0]; r < t->first[d1]; r++) {
		PGresult *res = PQexecPrepared(c->pg, t->stmt, t->ncols,
		    &t->vals[r * (size_t)t->ncols], NULL, NULL, 0);

		if (check(c, res, PGRES_COMMAND_OK, t, t->rows[r].key) != 0)
			return -1;
	}
	return 0;
}

/* copy, insert: one transaction, tables in the order given */
static int
run_txn(struct conn *c, size_t txn)
{
	const struct load *ld = c->ld;
	size_t d0, d1;

	txn_slots(ld, txn, &d0, &d1);
	if (command(c, "BEGIN", ld->keys[d0]) != 0)
		return -1;
	for (int i = 0; i < ld->ntables; i++) {
		const struct table *t = &ld->tables[i];

		if ((ld->method == M_COPY ? copy_table(c, t, d0, d1) :
		    insert_rows(c, t, d0, d1)) != 0)
			return -1;
	}
	return command(c, "COMMIT", ld->keys[d0]);
}

/* pipeline: queues BEGIN, the transaction's INSERTs, COMMIT and a sync */
static int
pipe_send(struct conn *c, size_t txn)
{
	const struct load *ld = c->ld;
	size_t d0, d1;
	int ok;

	txn_slots(ld, txn, &d0, &d1);
	ok = PQsendQueryParams(c->pg, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
	for (int i = 0; ok && i < ld->ntables; i++) {
		const struct table *t = &ld->tables[i];

		for (size_t r = t->first[d0]; ok && r < t->first[d1]; r++)
			ok = PQsendQueryPrepared(c->pg, t->stmt, t->ncols,
			    &t->vals[r * (size_t)t->ncols], NULL, NULL, 0);
	}
	if (ok)
		ok = PQsendQueryParams(c->pg, "COMMIT", 0, NULL, NULL, NULL,
		    NULL, 0);
	if (ok)
		ok = PQpipelineSync(c->pg);
	return ok ? 0 : fail(c, NULL, ld->keys[d0], PQerrorMessage(c->pg));
}

/* the table and document of the item-th statement of a pipelined transaction */
static const struct table *
pipe_locate(const struct load *ld, size_t txn, size_t item, int64_t *key)
{
	size_t d0, d1;

	txn_slots(ld, txn, &d0, &d1);
	*key = ld->keys[d0];
	if (item-- == 0)
		return NULL;
	for (int i = 0; i < ld->ntables; i++) {
		const struct table *t = &ld->tables[i];
		size_t n = t->first[d1] - t->first[d0];

		if (item < n) {
			*key = t->rows[t->first[d0] + item].key;
			return t;
		}
		item -= n;
	}
	return NULL;
}

struct pipe {
	size_t	next;		/* next transaction to send */
	size_t	oldest;		/* oldest transaction not yet synced */
	size_t	item;		/* results seen of the oldest one */
	int	inflight;
};

/* reads every result available now; -1 on a failed statement */
static int
pipe_results(struct conn *c, struct pipe *pp)
{
	const struct load *ld = c->ld;
	PGresult *res;
	int nulls = 0;

	if (PQconsumeInput(c->pg) != 1)
		return fail(c, NULL, 0, PQerrorMessage(c->pg));
	/* a NULL ends one statement's results; two in a row: nothing more now */
	while (pp->inflight > 0 && !PQisBusy(c->pg) && nulls < 2) {
		ExecStatusType st;
		const struct table *t;
		int64_t key;

		if ((res = PQgetResult(c->pg)) == NULL) {
			nulls++;
			continue;
		}
		nulls = 0;
		st = PQresultStatus(res);
		if (st == PGRES_PIPELINE_SYNC) {
			pp->oldest += (size_t)ld->nconns;
			pp->item = 0;
			pp->inflight--;
		} else if (st != PGRES_COMMAND_OK) {
			t = pipe_locate(ld, pp->oldest, pp->item, &key);
			return check(c, res, PGRES_COMMAND_OK, t, key);
		} else
			pp->item++;
		PQclear(res);
	}
	return 0;
}

static int
pipe_wait(struct conn *c, int flushing)
{
	struct pollfd pfd;

	pfd.fd = PQsocket(c->pg);
	pfd.events = POLLIN | (flushing ? POLLOUT : 0);
	pfd.revents = 0;
	/* the timeout only guards against waiting on data libpq already holds */
	while (poll(&pfd, 1, 1000) < 0)
		if (errno != EINTR)
			return fail(c, NULL, 0, strerror(errno));
	return 0;
}

static int
run_pipeline(struct conn *c)
{
	const struct load *ld = c->ld;
	struct pipe pp = { (size_t)c->index, (size_t)c->index, 0, 0 };
	int flushing;

	if (PQsetnonblocking(c->pg, 1) != 0 || PQenterPipelineMode(c->pg) != 1)
		return fail(c, NULL, 0, PQerrorMessage(c->pg));
	while (pp.next < ld->ntxn || pp.inflight > 0) {
		if (atomic_load(&c->ld->failed))
			return -1;
		for (; pp.inflight < ld->depth && pp.next < ld->ntxn;
		    pp.next += (size_t)ld->nconns, pp.inflight++)
			if (pipe_send(c, pp.next) != 0)
				return -1;
		if ((flushing = PQflush(c->pg)) < 0)
			return fail(c, NULL, 0, PQerrorMessage(c->pg));
		if (pipe_wait(c, flushing) != 0 || pipe_results(c, &pp) != 0)
			return -1;
	}
	return PQexitPipelineMode(c->pg) == 1 ? 0 :
	    fail(c, NULL, 0, PQerrorMessage(c->pg));
}

static void *
conn_main(void *arg)
{
	struct conn *c = arg;
	const struct load *ld = c->ld;

	if (ld->method == M_PIPELINE) {
		c->rc = run_pipeline(c);
		return NULL;
	}
	for (size_t txn = (size_t)c->index; txn < ld->ntxn;
	    txn += (size_t)ld->nconns) {
		if (atomic_load(&c->ld->failed) || run_txn(c, txn) != 0) {
			c->rc = -1;
			break;
		}
	}
	return NULL;
}

/* ---- main ----------------------------------------------------------------------- */

static long
number(const char *v, long min)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end != '\0' || n < min || n > 100000)
		usage();
	return n;
}

static void
parse_args(struct load *ld, int argc, char **argv, const char **dsn,
    const char **dir, char **tables)
{
	const char *method = NULL;

	ld->nconns = 1;
	ld->per_txn = 1;
	ld->depth = 16;
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		if (strcmp(a, "--db") == 0)
			*dsn = v;
		else if (strcmp(a, "--dir") == 0)
			*dir = v;
		else if (strcmp(a, "--tables") == 0)
			*tables = argv[i + 1];
		else if (strcmp(a, "--method") == 0)
			method = v;
		else if (strcmp(a, "--conns") == 0)
			ld->nconns = (int)number(v, 1);
		else if (strcmp(a, "--docs-per-txn") == 0)
			ld->per_txn = (size_t)number(v, 1);
		else if (strcmp(a, "--depth") == 0)
			ld->depth = (int)number(v, 1);
		else
			usage();
	}
	if (*dsn == NULL || *dir == NULL || *tables == NULL || method == NULL)
		usage();
	if (strcmp(method, "copy") == 0)
		ld->method = M_COPY;
	else if (strcmp(method, "insert") == 0)
		ld->method = M_INSERT;
	else if (strcmp(method, "pipeline") == 0)
		ld->method = M_PIPELINE;
	else
		usage();
}

/* the connections' threads, timed; 0 if every one succeeded */
static int
run_all(struct conn *conns, int n, double *elapsed)
{
	double t0 = clock_seconds(CLOCK_MONOTONIC);
	int rc = 0;

	for (int i = 0; i < n; i++)
		if ((errno = pthread_create(&conns[i].thread, NULL, conn_main,
		    &conns[i])) != 0) {
			perror("refload: pthread_create");
			exit(1);
		}
	for (int i = 0; i < n; i++) {
		pthread_join(conns[i].thread, NULL);
		rc |= conns[i].rc;
	}
	*elapsed = clock_seconds(CLOCK_MONOTONIC) - t0;
	return rc;
}

int
main(int argc, char **argv)
{
	static struct load ld;
	static const char *names[] = { "copy", "insert", "pipeline" };
	const char *dsn = NULL, *dir = NULL;
	char *tables = NULL;
	struct conn *conns;
	size_t rows = 0, docs;
	double el;

	parse_args(&ld, argc, argv, &dsn, &dir, &tables);
	load_tables(&ld, dir, tables);
	conns = xalloc((size_t)ld.nconns, sizeof(*conns));
	for (int i = 0; i < ld.nconns; i++) {
		conns[i].ld = &ld;
		conns[i].index = i;
		connect_one(&conns[i], dsn);
	}
	if (run_all(conns, ld.nconns, &el) != 0)
		return 1;
	for (int i = 0; i < ld.nconns; i++)
		PQfinish(conns[i].pg);
	free(conns);
	for (int i = 0; i < ld.ntables; i++)
		rows += ld.tables[i].nrows;
	/* key 0 holds the rows of no document (events without one) */
	docs = ld.nslots - (ld.nslots > 0 && ld.keys[0] == 0);
	printf("method=%s conns=%d docs_per_txn=%zu docs=%zu rows=%zu "
	    "elapsed=%.3f docs_per_s=%.1f rows_per_s=%.0f\n",
	    names[ld.method], ld.nconns, ld.per_txn, docs, rows, el,
	    el > 0 ? (double)docs / el : 0, el > 0 ? (double)rows / el : 0);
	return 0;
}
