/*
 * fuzz_spool.c: libFuzzer target over the spool's reader (daemon/spool.c).
 * The input is a segment file of arbitrary bytes left by an earlier run:
 * spool_open() scans and repairs it, spool_feed() replays it and
 * spool_done() retires each replayed record.  Checks that nothing crashes,
 * that every replayed document is exactly the payload of a record with a
 * valid checksum in the file, in file order, that the records kept and
 * the bytes skipped add up to the file, that skipped bytes are logged, and
 * that once everything is replayed no segment file is left behind.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz.h"
#include "log.h"
#include "spool.h"

#define FUZZ_SEG_HEADER 16
#define FUZZ_SEG_MAGIC "PQS1"

static char fuzz_dir[256];

static void
fuzz_make_dir(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	if (fuzz_dir[0] != '\0')
		return;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/planq-fuzz-spool.XXXXXX", base);
	FUZZ_CHECK(mkdtemp(fuzz_dir) != NULL, "cannot make %s", fuzz_dir);
}

/* Removes every file of the directory; returns how many were *.seg. */
static int
fuzz_clear_dir(void)
{
	DIR *d = opendir(fuzz_dir);
	struct dirent *e;
	char path[512];
	int segs = 0;

	FUZZ_CHECK(d != NULL, "cannot read %s", fuzz_dir);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (strstr(e->d_name, ".seg") != NULL)
			segs++;
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	return segs;
}

static void
fuzz_write_segment(const uint8_t *data, size_t size)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/0000000000000001.seg", fuzz_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd >= 0, "cannot write %s", path);
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size,
	    "short write");
	close(fd);
}

static uint32_t
fuzz_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* An independent reading of the format: a record with a valid checksum
 * at off whose payload is exactly the job's envelope and body. */
static int
fuzz_record_is(const uint8_t *data, size_t size, size_t off,
    const struct job *job)
{
	size_t envlen = zframe_size(job->envelope), len = envlen +
	    zframe_size(job->body);
	const uint8_t *p = data + off + FUZZ_SEG_HEADER;

	if (size - off < FUZZ_SEG_HEADER || memcmp(data + off,
	    FUZZ_SEG_MAGIC, 4) != 0 || fuzz_get32(data + off + 4) != len ||
	    fuzz_get32(data + off + 8) != envlen ||
	    len > size - off - FUZZ_SEG_HEADER ||
	    crc32(crc32(0L, Z_NULL, 0), p, (uInt)len) !=
	    fuzz_get32(data + off + 12))
		return 0;
	return memcmp(p, zframe_data(job->envelope), envlen) == 0 &&
	    memcmp(p + envlen, zframe_data(job->body), len - envlen) == 0;
}

/* Where the record a job came from starts, at or after `from`. */
static size_t
fuzz_find_record(const uint8_t *data, size_t size, size_t from,
    const struct job *job)
{
	for (size_t off = from; off < size; off++)
		if (fuzz_record_is(data, size, off, job))
			return off;
	return SIZE_MAX;
}

/* Opens the spool with its log lines captured in *logp (malloc'd). */
static struct spool *
fuzz_open(const struct spool_limits *lim, char **logp)
{
	FILE *saved = stderr, *mem;
	size_t loglen = 0;
	struct spool *sp;

	*logp = NULL;
	mem = open_memstream(logp, &loglen);
	FUZZ_CHECK(mem != NULL, "open_memstream");
	stderr = mem;		/* log.c writes its lines to stderr */
	sp = spool_open(fuzz_dir, lim);
	stderr = saved;
	fclose(mem);
	return sp;
}

/* Replays everything; returns the number of documents replayed. */
static uint64_t
fuzz_replay(struct spool *sp, const uint8_t *data, size_t size)
{
	struct queue q = { 0 };
	uint64_t next_id = 0, n = 0;
	size_t from = 0;
	struct job *job;

	spool_feed(sp, &q, INT_MAX, &next_id);
	while ((job = queue_pop(&q)) != NULL) {
		size_t off = fuzz_find_record(data, size, from, job);

		FUZZ_CHECK(off != SIZE_MAX, "replayed document %llu (%zu + %zu "
		    "bytes) is no record of the file after offset %zu",
		    (unsigned long long)n, zframe_size(job->envelope),
		    zframe_size(job->body), from);
		FUZZ_CHECK(job->client == NULL && job->spool_seg != 0,
		    "a replay with a client or without its segment");
		from = off + FUZZ_SEG_HEADER + job_bytes(job);
		spool_done(sp, job);
		job_free(&job);
		n++;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct spool_limits lim = { (size_t)1 << 30, 1000000 };
	struct spool *sp;
	uint64_t records, bytes, skipped;
	char *log;

	log_set_level(LOG_WARNING);
	fuzz_make_dir();
	fuzz_clear_dir();
	fuzz_write_segment(data, size);
	sp = fuzz_open(&lim, &log);
	FUZZ_CHECK(sp != NULL, "spool_open failed on a readable directory");
	records = spool_totals(sp).records;
	bytes = spool_totals(sp).bytes;
	skipped = spool_totals(sp).damaged_bytes;
	FUZZ_CHECK(bytes + skipped == size, "kept %llu + skipped %llu bytes of "
	    "%zu", (unsigned long long)bytes, (unsigned long long)skipped, size);
	FUZZ_CHECK((skipped > 0) == (log != NULL &&
	    strstr(log, "torn or corrupt record") != NULL),
	    "%llu bytes skipped, log: [%s]", (unsigned long long)skipped,
	    log ? log : "");
	free(log);
	FUZZ_CHECK(fuzz_replay(sp, data, size) == records, "not every record "
	    "replayed");
	FUZZ_CHECK(spool_totals(sp).records == 0 && spool_totals(sp).bytes == 0,
	    "records left after every one was done");
	spool_close(&sp);
	FUZZ_CHECK(fuzz_clear_dir() == 0, "a segment file is left behind after "
	    "every record was replayed (%llu records)",
	    (unsigned long long)records);
	return 0;
}
