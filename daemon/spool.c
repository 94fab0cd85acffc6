/*
 * spool.c: the on-disk spool (see spool.h).  Layout of spool_dir:
 *
 *   0000000000000001.seg  0000000000000002.seg  …   oldest first
 *
 * A segment is a sequence of records:
 *
 *   magic "PQS1" | payload length u32 | envelope length u32 | crc32 u32
 *   payload = envelope bytes + body bytes           (little-endian header)
 *
 * Records are appended to the newest segment with write(2) and made
 * durable by one fdatasync() for everything appended in the same turn of
 * the event loop (group commit); only then are those clients told
 * "spooled".  Replay reads records in order from the oldest segment; a
 * segment is deleted once every record in it has reached a final outcome.
 * Replaying a record twice (after a crash) is harmless: planq_ingest()
 * answers "duplicate" for bytes it already has.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "envelope.h"
#include "log.h"
#include "planqd.h"
#include "spool.h"

#define SPOOL_MAGIC		0x31535150u	/* "PQS1" little-endian */
#define SPOOL_HEADER		16
#define SPOOL_SEGMENT_MAX	(64u << 20)	/* roll to a new file past this */
#define SPOOL_MAX_SEGMENTS	4096

struct segment {
	uint64_t	 id;
	uint64_t	 size;		/* bytes of valid records */
	uint64_t	 records;	/* records in the file */
	uint64_t	 done;		/* records that reached an outcome */
	uint64_t	 read_off;	/* replay cursor */
	uint64_t	 read_count;	/* records handed out for replay */
};

struct spool {
	char		 dir[4096];
	int		 dirfd;
	int		 fd;		/* newest segment, open for append */
	struct segment	 segs[SPOOL_MAX_SEGMENTS];
	int		 nsegs;		/* segs[0] is the oldest */
	uint64_t	 synced_size;	/* of the newest segment */
	struct job	*pending;	/* appended, waiting for fdatasync */
	struct job	*pending_tail;
	uint64_t	 records;	/* without a final outcome yet */
	uint64_t	 bytes;
	int		 outstanding;	/* replay jobs in queue or workers */
	int		 broken;	/* a write or sync failed: no more appends */
};

/* ---- little helpers --------------------------------------------------- */

static void
spool_put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

static uint32_t
spool_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
spool_seg_path(const struct spool *sp, uint64_t id, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%016" PRIx64 ".seg", sp->dir, id);
}

static struct segment *
spool_find_seg(struct spool *sp, uint64_t id)
{
	for (int i = 0; i < sp->nsegs; i++)
		if (sp->segs[i].id == id)
			return &sp->segs[i];
	return NULL;
}

static uint32_t
spool_crc(const void *a, size_t alen, const void *b, size_t blen)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	crc = crc32(crc, a, (uInt)alen);
	if (blen > 0)
		crc = crc32(crc, b, (uInt)blen);
	return (uint32_t)crc;
}

/* ---- opening: scan and repair ----------------------------------------- */

/*
 * Reads the header at off; returns the record's total size, 0 at a clean
 * end of file, or -1 when the record is torn or corrupt.
 */
static long long
spool_check_record(int fd, uint64_t off, uint64_t file_size)
{
	unsigned char hdr[SPOOL_HEADER], *payload;
	uint32_t len, envlen, crc;
	long long total;

	if (off == file_size)
		return 0;
	if (file_size - off < SPOOL_HEADER ||
	    pread(fd, hdr, SPOOL_HEADER, (off_t)off) != SPOOL_HEADER)
		return -1;
	len = spool_get32(hdr + 4);
	envlen = spool_get32(hdr + 8);
	crc = spool_get32(hdr + 12);
	if (spool_get32(hdr) != SPOOL_MAGIC || envlen > len ||
	    len > file_size - off - SPOOL_HEADER)
		return -1;
	if ((payload = malloc(len ? len : 1)) == NULL)
		return -1;
	total = pread(fd, payload, len, (off_t)(off + SPOOL_HEADER)) ==
	    (ssize_t)len && spool_crc(payload, len, NULL, 0) == crc ?
	    (long long)SPOOL_HEADER + len : -1;
	free(payload);
	return total;
}

/* Counts the good records of one segment and cuts off a torn tail. */
static int
spool_scan_segment(struct spool *sp, struct segment *seg)
{
	char path[4200];
	struct stat st;
	uint64_t off = 0;
	long long n;
	int fd;

	spool_seg_path(sp, seg->id, path, sizeof(path));
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
		log_warn("spool: cannot open %s", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((n = spool_check_record(fd, off, (uint64_t)st.st_size)) > 0) {
		off += (uint64_t)n;
		seg->records++;
	}
	if (n < 0) {
		log_warnx("spool: torn or corrupt record in %s at offset %" PRIu64
		    "; skipping its last %" PRIu64 " bytes (records before it "
		    "are kept)", path, off, (uint64_t)st.st_size - off);
		if (ftruncate(fd, (off_t)off) != 0 || fsync(fd) != 0)
			log_warn("spool: cannot truncate %s", path);
	}
	close(fd);
	seg->size = off;
	return 0;
}

static int
spool_cmp_seg(const void *a, const void *b)
{
	const struct segment *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
spool_list_segments(struct spool *sp)
{
	struct dirent *de;
	DIR *dir;

	if ((dir = opendir(sp->dir)) == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL && sp->nsegs < SPOOL_MAX_SEGMENTS) {
		char *end;
		uint64_t id = strtoull(de->d_name, &end, 16);
		if (end == de->d_name || strcmp(end, ".seg") != 0)
			continue;
		memset(&sp->segs[sp->nsegs], 0, sizeof(struct segment));
		sp->segs[sp->nsegs++].id = id;
	}
	closedir(dir);
	qsort(sp->segs, (size_t)sp->nsegs, sizeof(struct segment), spool_cmp_seg);
	return 0;
}

static int
spool_open_newest(struct spool *sp)
{
	char path[4200];
	uint64_t id = sp->nsegs > 0 ? sp->segs[sp->nsegs - 1].id + 1 : 1;

	if (sp->nsegs == SPOOL_MAX_SEGMENTS)
		return -1;
	spool_seg_path(sp, id, path, sizeof(path));
	sp->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (sp->fd < 0) {
		log_warn("spool: cannot create %s", path);
		return -1;
	}
	/* the new name must survive a crash too */
	if (fsync(sp->dirfd) != 0)
		log_warn("spool: fsync of %s", sp->dir);
	memset(&sp->segs[sp->nsegs], 0, sizeof(struct segment));
	sp->segs[sp->nsegs++].id = id;
	sp->synced_size = 0;
	return 0;
}

int
spool_open(struct daemon *d)
{
	struct spool *sp;

	if (d->cfg.spool_dir == NULL)
		return 0;
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return -1;
	sp->fd = -1;
	snprintf(sp->dir, sizeof(sp->dir), "%s", d->cfg.spool_dir);
	if (mkdir(sp->dir, 0700) != 0 && errno != EEXIST) {
		log_warn("spool: cannot create %s", sp->dir);
		free(sp);
		return -1;
	}
	sp->dirfd = open(sp->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->dirfd < 0 || spool_list_segments(sp) != 0) {
		log_warn("spool: cannot read %s", sp->dir);
		if (sp->dirfd >= 0)
			close(sp->dirfd);
		free(sp);
		return -1;
	}
	for (int i = 0; i < sp->nsegs; i++) {
		spool_scan_segment(sp, &sp->segs[i]);
		sp->records += sp->segs[i].records;
		sp->bytes += sp->segs[i].size;
	}
	d->spool = sp;
	if (sp->records > 0)
		log_notice("spool: %" PRIu64 " documents (%" PRIu64 " bytes) from "
		    "an earlier run will be replayed", sp->records, sp->bytes);
	log_info("spool in %s", sp->dir);
	return 0;
}

void
spool_close(struct daemon *d)
{
	struct spool *sp = d->spool;

	if (sp == NULL)
		return;
	spool_flush(d);
	if (sp->fd >= 0)
		close(sp->fd);
	close(sp->dirfd);
	free(sp);
	d->spool = NULL;
}

/* ---- appending -------------------------------------------------------- */

int
spool_takes_new(const struct daemon *d)
{
	return d->spool != NULL && (d->db_down || d->spool->records > 0);
}

static int
spool_has_room(const struct daemon *d, size_t need, char *reason, size_t len)
{
	const struct spool *sp = d->spool;

	if (sp == NULL) {
		snprintf(reason, len, "database unavailable and no spool "
		    "configured; send again later");
		return 0;
	}
	if (sp->broken) {
		snprintf(reason, len, "spool unusable after a disk error; "
		    "send again later");
		return 0;
	}
	if (sp->records >= (uint64_t)d->cfg.spool_max_records ||
	    sp->bytes + need > d->cfg.spool_max_bytes) {
		snprintf(reason, len, "database unavailable and the spool is "
		    "full (%" PRIu64 " documents, %" PRIu64 " bytes); send again "
		    "later", sp->records, sp->bytes);
		return 0;
	}
	return 1;
}

static int
spool_write_record(struct spool *sp, const struct job *job)
{
	size_t envlen = zframe_size(job->envelope);
	size_t bodylen = zframe_size(job->body);
	unsigned char hdr[SPOOL_HEADER];
	struct iovec iov[3];
	ssize_t want = (ssize_t)(SPOOL_HEADER + envlen + bodylen), n;

	spool_put32(hdr, SPOOL_MAGIC);
	spool_put32(hdr + 4, (uint32_t)(envlen + bodylen));
	spool_put32(hdr + 8, (uint32_t)envlen);
	spool_put32(hdr + 12, spool_crc(zframe_data(job->envelope), envlen,
	    zframe_data(job->body), bodylen));
	iov[0] = (struct iovec){ hdr, SPOOL_HEADER };
	iov[1] = (struct iovec){ zframe_data(job->envelope), envlen };
	iov[2] = (struct iovec){ zframe_data(job->body), bodylen };
	n = writev(sp->fd, iov, 3);
	if (n == want)
		return 0;
	if (n >= 0) {
		/* a short write: the next byte would say why (ENOSPC, EFBIG) */
		size_t skip = (size_t)n;
		int k = 0;
		while (k < 3 && skip >= iov[k].iov_len)
			skip -= iov[k++].iov_len;
		if (k == 3 || write(sp->fd, (char *)iov[k].iov_base + skip,
		    1) >= 0)
			errno = ENOSPC;
	}
	return -1;
}

int
spool_append(struct daemon *d, struct job *job, char *reason, size_t len)
{
	struct spool *sp = d->spool;
	size_t need = SPOOL_HEADER + job_bytes(job);
	struct segment *seg;

	if (!spool_has_room(d, need, reason, len))
		return -1;
	if (sp->fd < 0 || sp->segs[sp->nsegs - 1].size >= SPOOL_SEGMENT_MAX) {
		spool_flush(d);
		if (sp->fd >= 0)
			close(sp->fd);
		sp->fd = -1;
		if (spool_open_newest(sp) != 0) {
			snprintf(reason, len, "cannot create a spool file; send "
			    "again later");
			return -1;
		}
	}
	seg = &sp->segs[sp->nsegs - 1];
	if (spool_write_record(sp, job) != 0) {
		int saved = errno;
		/* take back a partial write so the file stays a record list */
		if (ftruncate(sp->fd, (off_t)seg->size) != 0)
			sp->broken = 1;
		log_warnx("spool: write failed: %s", strerror(saved));
		snprintf(reason, len, "spool write failed (%s); send again "
		    "later", strerror(saved));
		return -1;
	}
	seg->size += need;
	seg->records++;
	sp->records++;
	sp->bytes += need;
	job->next = NULL;
	if (sp->pending_tail)
		sp->pending_tail->next = job;
	else
		sp->pending = job;
	sp->pending_tail = job;
	return 0;
}

void
spool_flush(struct daemon *d)
{
	struct spool *sp = d->spool;
	struct job *job, *next;
	int ok;

	if (sp == NULL || sp->pending == NULL)
		return;
	ok = fdatasync(sp->fd) == 0;
	if (!ok) {
		log_warn("spool: fdatasync failed; answering retry");
		sp->broken = 1;
	}
	for (job = sp->pending; job != NULL; job = next) {
		next = job->next;
		if (ok)
			broker_reply_status(d, job, "spooled", NULL);
		else
			broker_reply_status(d, job, "retry", "spool could not "
			    "be made durable; send again later");
		job_free(&job);
	}
	sp->pending = sp->pending_tail = NULL;
	if (ok)
		sp->synced_size = sp->segs[sp->nsegs - 1].size;
}

/* ---- replay ----------------------------------------------------------- */

/* Reads the record at the segment's cursor into a new replay job. */
static struct job *
spool_read_record(struct spool *sp, struct segment *seg)
{
	char path[4200];
	unsigned char hdr[SPOOL_HEADER], *payload = NULL;
	uint32_t len, envlen;
	struct job *job = NULL;
	int fd;

	spool_seg_path(sp, seg->id, path, sizeof(path));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (pread(fd, hdr, SPOOL_HEADER, (off_t)seg->read_off) != SPOOL_HEADER)
		goto out;
	len = spool_get32(hdr + 4);
	envlen = spool_get32(hdr + 8);
	if ((payload = malloc(len ? len : 1)) == NULL ||
	    pread(fd, payload, len, (off_t)seg->read_off + SPOOL_HEADER) !=
	    (ssize_t)len || spool_crc(payload, len, NULL, 0) !=
	    spool_get32(hdr + 12) || (job = job_new()) == NULL)
		goto out;
	job->envelope = zframe_new(payload, envlen);
	job->body = zframe_new(payload + envlen, len - envlen);
	job->client_id = envelope_salvage_id(payload, envlen);
	job->spool_seg = seg->id;
	job->spool_bytes = SPOOL_HEADER + len;
	job->received_ms = now_ms();
	seg->read_off += SPOOL_HEADER + len;
out:
	free(payload);
	close(fd);
	return job;
}

void
spool_feed(struct daemon *d, int window)
{
	struct spool *sp = d->spool;

	if (sp == NULL)
		return;
	for (int i = 0; i < sp->nsegs && sp->outstanding < window; i++) {
		struct segment *seg = &sp->segs[i];

		while (seg->read_count < seg->records &&
		    sp->outstanding < window) {
			struct job *job = spool_read_record(sp, seg);
			if (job == NULL) {
				log_errx("spool: cannot read segment %016" PRIx64
				    " at %" PRIu64 "; skipping the rest of it",
				    seg->id, seg->read_off);
				sp->records -= seg->records - seg->read_count;
				seg->done += seg->records - seg->read_count;
				seg->read_count = seg->records;
				break;
			}
			job->id = ++d->next_job_id;
			seg->read_count++;
			sp->outstanding++;
			queue_push_back(&d->queue, job);
		}
	}
}

static void
spool_drop_segment(struct spool *sp, int i)
{
	char path[4200];

	spool_seg_path(sp, sp->segs[i].id, path, sizeof(path));
	if (i == sp->nsegs - 1) {
		if (sp->fd >= 0)
			close(sp->fd);
		sp->fd = -1;
	}
	if (unlink(path) != 0)
		log_warn("spool: cannot remove %s", path);
	memmove(&sp->segs[i], &sp->segs[i + 1],
	    (size_t)(sp->nsegs - i - 1) * sizeof(struct segment));
	sp->nsegs--;
}

void
spool_done(struct daemon *d, struct job *job)
{
	struct spool *sp = d->spool;
	struct segment *seg;

	if (sp == NULL || job->spool_seg == 0)
		return;
	sp->outstanding--;
	if ((seg = spool_find_seg(sp, job->spool_seg)) == NULL)
		return;
	seg->done++;
	sp->records--;
	sp->bytes -= job->spool_bytes;
	if (seg->done == seg->records && sp->pending == NULL)
		spool_drop_segment(sp, (int)(seg - sp->segs));
	if (sp->records == 0)
		log_notice("spool: every spooled document has been replayed");
}

uint64_t
spool_records(const struct daemon *d)
{
	return d->spool ? d->spool->records : 0;
}

uint64_t
spool_bytes(const struct daemon *d)
{
	return d->spool ? d->spool->bytes : 0;
}
