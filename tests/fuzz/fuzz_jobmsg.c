/*
 * fuzz_jobmsg.c: libFuzzer target over the worker's reading of a JOB
 * message (jobmsg_read_job in workers/jobmsg.c), then the CPU half of the
 * batch it carries (job_batch_prepare: the envelope as stored, hash,
 * parse or quarantine; no database).  The input is split into frames at
 * FUZZ_FRAME_SEP, past the most a message may have.  Checks that a message
 * taken is a JOB of 1 to JOBWIRE_BATCH_MAX documents whose fields point
 * into its own frames, and that nothing crashes or leaks on the way.
 */
#include "fuzz.h"
#include "job.h"
#include "jobmsg.h"
#include "log.h"

#define FUZZ_JOB_FRAMES (JOBWIRE_MAX_FRAMES + 2)

/* p[0..len) lies within one of the message's frames. */
static int
fuzz_in_frames(struct jobmsg *m, const void *p, size_t len)
{
	const char *c = p;

	for (int i = 0; i < m->n; i++) {
		const char *f = zmq_msg_data(&m->frames[i]);
		size_t flen = zmq_msg_size(&m->frames[i]);

		if (len == 0 || (c >= f && c + len <= f + flen))
			return 1;
	}
	return 0;
}

static void
fuzz_check_batch(struct jobmsg *m, const struct job_input *in, int n)
{
	struct job_batch *b;

	FUZZ_CHECK(n >= 1 && n <= JOBWIRE_BATCH_MAX, "%d documents taken", n);
	FUZZ_CHECK(m->n == 1 + JOBWIRE_JOB_FRAMES * n, "%d frames for %d "
	    "documents", m->n, n);
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(in[i].kind == JOBWIRE_PARSE ||
		    in[i].kind == JOBWIRE_QUARANTINE, "kind %d", (int)in[i].kind);
		FUZZ_CHECK(fuzz_in_frames(m, in[i].envelope, in[i].envelope_len) &&
		    fuzz_in_frames(m, in[i].body, in[i].body_len),
		    "document %d points outside its message", i);
	}
	b = job_batch_prepare(in, n, NULL, NULL);
	FUZZ_CHECK(b != NULL, "job_batch_prepare failed");
	job_batch_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *parts[FUZZ_JOB_FRAMES];
	size_t lens[FUZZ_JOB_FRAMES];
	struct job_input in[JOBWIRE_BATCH_MAX];
	uint64_t ids[JOBWIRE_BATCH_MAX];
	char *reasons[JOBWIRE_BATCH_MAX] = { NULL };
	struct jobmsg m;
	int nparts, n;

	log_set_level(LOG_CRIT);
	nparts = fuzz_split(data, size, parts, lens, FUZZ_JOB_FRAMES);
	FUZZ_CHECK(jobmsg_from_parts(&m, (const void *const *)parts, lens,
	    nparts) == 0, "jobmsg_from_parts failed");
	FUZZ_CHECK(m.truncated == (nparts > JOBWIRE_MAX_FRAMES),
	    "truncation not noticed");
	memset(in, 0, sizeof(in));
	n = jobmsg_read_job(&m, in, ids, reasons);
	if (n >= 0)
		fuzz_check_batch(&m, in, n);
	else
		FUZZ_CHECK(n == -1, "read_job returned %d", n);
	for (int i = 0; i < JOBWIRE_BATCH_MAX; i++)
		free(reasons[i]);
	jobmsg_close(&m);
	return 0;
}
