/*
 * jobwire.c: the headers of the daemon↔worker messages (jobwire.h), in
 * little-endian byte order whatever the host's.
 */
#include <string.h>

#include "jobwire.h"

static const struct {
	const char		*name;
	enum jobwire_type	 type;
} jobwire_types[] = {
	{ JOBWIRE_READY, JOBWIRE_T_READY },
	{ JOBWIRE_STORING, JOBWIRE_T_STORING },
	{ JOBWIRE_DONE, JOBWIRE_T_DONE },
	{ JOBWIRE_FATAL, JOBWIRE_T_FATAL },
	{ JOBWIRE_JOB, JOBWIRE_T_JOB },
	{ JOBWIRE_PARSING, JOBWIRE_T_PARSING },
};

enum jobwire_type
jobwire_type_of(const void *frame, size_t len)
{
	for (size_t i = 0; i < sizeof(jobwire_types) / sizeof(jobwire_types[0]);
	    i++)
		if (len == strlen(jobwire_types[i].name) &&
		    memcmp(frame, jobwire_types[i].name, len) == 0)
			return jobwire_types[i].type;
	return JOBWIRE_T_UNKNOWN;
}

/* Writes the n low bytes of v at p, least significant first. */
static void
jobwire_put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Reads n bytes at p, least significant first. */
static uint64_t
jobwire_get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void
jobwire_job_pack(const struct jobwire_job *job,
    unsigned char out[JOBWIRE_JOB_HEAD])
{
	jobwire_put_le(out, job->id, 8);
	out[8] = (unsigned char)job->kind;
}

int
jobwire_job_unpack(const void *data, size_t len, struct jobwire_job *job)
{
	const unsigned char *p = data;

	if (len != JOBWIRE_JOB_HEAD || p[8] > JOBWIRE_QUARANTINE)
		return -1;
	job->id = jobwire_get_le(p, 8);
	job->kind = (enum jobwire_kind)p[8];
	return 0;
}

void
jobwire_done_pack(const struct jobwire_done *done,
    unsigned char out[JOBWIRE_DONE_HEAD])
{
	jobwire_put_le(out, done->id, 8);
	jobwire_put_le(out + 8, (uint64_t)done->document_id, 8);
	jobwire_put_le(out + 16, (uint64_t)done->plan_id, 8);
	out[24] = (unsigned char)done->outcome;
	out[25] = (unsigned char)done->reason;
	jobwire_put_le(out + 26, done->warnings, 4);
}

int
jobwire_done_unpack(const void *data, size_t len, struct jobwire_done *done)
{
	const unsigned char *p = data;

	if (len != JOBWIRE_DONE_HEAD || p[24] >= OUTCOME_COUNT ||
	    p[25] >= REASON_COUNT)
		return -1;
	done->id = jobwire_get_le(p, 8);
	done->document_id = (int64_t)jobwire_get_le(p + 8, 8);
	done->plan_id = (int64_t)jobwire_get_le(p + 16, 8);
	done->outcome = (enum outcome)p[24];
	done->reason = (enum reason)p[25];
	done->warnings = (uint32_t)jobwire_get_le(p + 26, 4);
	if (done->document_id < 0 || done->plan_id < 0 ||
	    (done->warnings & ~WARNCODE_MASK_ALL) != 0)
		return -1;
	return 0;
}
