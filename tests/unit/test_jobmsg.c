/*
 * test_jobmsg.c: the worker's reading of a JOB message (workers/jobmsg.c)
 * without a socket: a batch is read into its documents, with each one's
 * id, kind, envelope, body and quarantine reason; every malformed message
 * (another type, a missing frame, a short header, an unknown kind, more
 * frames than a message may have) is refused as a whole.
 */
#include <stdlib.h>
#include <string.h>

#include "jobmsg.h"

#include "check.h"

#define MAXP (JOBWIRE_MAX_FRAMES + 4)

/* A message of frames given as strings; heads are packed by the caller. */
struct parts {
	const void	*p[MAXP];
	size_t		 len[MAXP];
	int		 n;
	unsigned char	 heads[JOBWIRE_BATCH_MAX + 1][JOBWIRE_JOB_HEAD];
};

static void
add(struct parts *ps, const void *p, size_t len)
{
	ps->p[ps->n] = p;
	ps->len[ps->n++] = len;
}

static void
add_doc(struct parts *ps, int i, uint64_t id, enum jobwire_kind kind,
    const char *env, const char *body, const char *reason)
{
	struct jobwire_job j = { id, kind };

	jobwire_job_pack(&j, ps->heads[i]);
	add(ps, ps->heads[i], JOBWIRE_JOB_HEAD);
	add(ps, env, strlen(env));
	add(ps, body, strlen(body));
	add(ps, reason, strlen(reason));
}

/* Reads ps as a JOB; returns jobmsg_read_job's count. */
static int
read_job(struct parts *ps, struct job_input *in, uint64_t *ids,
    char **reasons, struct jobmsg *m)
{
	memset(in, 0, sizeof(*in) * JOBWIRE_BATCH_MAX);
	memset(reasons, 0, sizeof(*reasons) * JOBWIRE_BATCH_MAX);
	if (jobmsg_from_parts(m, ps->p, ps->len, ps->n) != 0)
		return -2;
	return jobmsg_read_job(m, in, ids, reasons);
}

static void
release(struct jobmsg *m, char **reasons)
{
	for (int i = 0; i < JOBWIRE_BATCH_MAX; i++)
		free(reasons[i]);
	jobmsg_close(m);
}

static void
test_batch(void)
{
	struct parts ps = { .n = 0 };
	struct job_input in[JOBWIRE_BATCH_MAX];
	uint64_t ids[JOBWIRE_BATCH_MAX];
	char *reasons[JOBWIRE_BATCH_MAX];
	struct jobmsg m;
	int n;

	add(&ps, JOBWIRE_JOB, 3);
	add_doc(&ps, 0, 7, JOBWIRE_PARSE, "{\"v\":1}", "plan bytes", "");
	add_doc(&ps, 1, 9, JOBWIRE_QUARANTINE, "{}", "poison",
	    "worker crashed on this document 3 times: signal 11");
	n = read_job(&ps, in, ids, reasons, &m);
	CHECK(n == 2, "two documents read: %d", n);
	if (n == 2) {
		CHECK(ids[0] == 7 && in[0].kind == JOBWIRE_PARSE &&
		    in[0].envelope_len == 7 && memcmp(in[0].envelope,
		    "{\"v\":1}", 7) == 0 && in[0].body_len == 10 &&
		    memcmp(in[0].body, "plan bytes", 10) == 0,
		    "the first document, as sent");
		CHECK(ids[1] == 9 && in[1].kind == JOBWIRE_QUARANTINE &&
		    in[1].quarantine_reason != NULL &&
		    strcmp(in[1].quarantine_reason, "worker crashed on this "
		    "document 3 times: signal 11") == 0,
		    "the quarantine and its reason");
	}
	release(&m, reasons);
}

/* refused(name, ps): the message is refused as a whole */
static void
refused(const char *name, struct parts *ps)
{
	struct job_input in[JOBWIRE_BATCH_MAX];
	uint64_t ids[JOBWIRE_BATCH_MAX];
	char *reasons[JOBWIRE_BATCH_MAX];
	struct jobmsg m;
	int n = read_job(ps, in, ids, reasons, &m);

	CHECK(n == -1, "%s: refused (%d)", name, n);
	release(&m, reasons);
}

static void
test_malformed(void)
{
	struct parts ps;
	unsigned char shorthead[4] = { 1, 0, 0, 0 };

	memset(&ps, 0, sizeof(ps));
	add(&ps, JOBWIRE_DONE, 4);
	add_doc(&ps, 0, 1, JOBWIRE_PARSE, "{}", "x", "");
	refused("not a JOB", &ps);

	memset(&ps, 0, sizeof(ps));
	add(&ps, JOBWIRE_JOB, 3);
	refused("a JOB of no document", &ps);

	memset(&ps, 0, sizeof(ps));
	add(&ps, JOBWIRE_JOB, 3);
	add_doc(&ps, 0, 1, JOBWIRE_PARSE, "{}", "x", "");
	ps.n--;
	refused("a document without its reason frame", &ps);

	memset(&ps, 0, sizeof(ps));
	add(&ps, JOBWIRE_JOB, 3);
	add_doc(&ps, 0, 1, JOBWIRE_PARSE, "{}", "x", "");
	ps.heads[0][8] = 7;
	refused("an unknown kind", &ps);

	memset(&ps, 0, sizeof(ps));
	add(&ps, JOBWIRE_JOB, 3);
	add(&ps, shorthead, sizeof(shorthead));
	add(&ps, "{}", 2);
	add(&ps, "x", 1);
	add(&ps, "", 0);
	refused("a short header", &ps);

	memset(&ps, 0, sizeof(ps));
	add(&ps, JOBWIRE_JOB, 3);
	for (int i = 0; i <= JOBWIRE_BATCH_MAX; i++)
		add_doc(&ps, i, (uint64_t)i, JOBWIRE_PARSE, "{}", "x", "");
	refused("more documents than a batch may have", &ps);
}

int
main(void)
{
	test_batch();
	test_malformed();
	return check_report(stdout, "test_jobmsg");
}
