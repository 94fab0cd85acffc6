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

#include "clock.h"
#include "envelope.h"
#include "log.h"
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
	const struct spool_limits *limits;
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
	uint64_t	 skipped;	/* records lost to unreadable segments */
	uint64_t	 skipped_bytes;	/* damaged bytes taken out at open */
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

static void spool_drop_segment(struct spool *sp, int i);

/*
 * The size of the record at off in buf (header and payload), or 0 when
 * there is no valid record there: a wrong magic, a length past the end, an
 * envelope longer than the payload, or a checksum that does not match.
 */
static size_t
spool_record_at(const unsigned char *buf, size_t n, size_t off)
{
	uint32_t len, envlen;

	if (off > n || n - off < SPOOL_HEADER ||
	    spool_get32(buf + off) != SPOOL_MAGIC)
		return 0;
	len = spool_get32(buf + off + 4);
	envlen = spool_get32(buf + off + 8);
	if (envlen > len || len > n - off - SPOOL_HEADER ||
	    spool_crc(buf + off + SPOOL_HEADER, len, NULL, 0) !=
	    spool_get32(buf + off + 12))
		return 0;
	return SPOOL_HEADER + (size_t)len;
}

/* The next offset after off where a valid record starts, or n. */
static size_t
spool_resync(const unsigned char *buf, size_t n, size_t off)
{
	static const unsigned char magic[4] = { 'P', 'Q', 'S', '1' };

	while (++off < n) {
		const unsigned char *m = memmem(buf + off, n - off, magic, 4);

		if (m == NULL)
			return n;
		off = (size_t)(m - buf);
		if (spool_record_at(buf, n, off) > 0)
			return off;
	}
	return n;
}

/*
 * Keeps the good records of buf[0..n) at its front, in order, and returns
 * their length; *records counts them.  Damaged stretches (a torn tail, a
 * corrupt record, nonsense) are logged and skipped, never handed out as
 * documents; the bytes skipped are added to *skipped.
 */
static size_t
spool_compact(unsigned char *buf, size_t n, const char *path,
    uint64_t *records, uint64_t *skipped, size_t *first_damage)
{
	size_t off = 0, out = 0;

	*first_damage = n;
	while (off < n) {
		size_t len = spool_record_at(buf, n, off), next;

		if (len > 0) {
			if (out != off)
				memmove(buf + out, buf + off, len);
			out += len;
			off += len;
			(*records)++;
			continue;
		}
		next = spool_resync(buf, n, off);
		if (*first_damage == n)
			*first_damage = off;
		log_warnx("spool: torn or corrupt record in %s at offset %zu; "
		    "skipping %zu bytes%s", path, off, next - off,
		    next < n ? " (records after them are kept)" :
		    " (records before them are kept)");
		*skipped += next - off;
		off = next;
	}
	return out;
}

static int
spool_read_file(int fd, unsigned char **bufp, size_t *np)
{
	struct stat st;
	unsigned char *buf;
	size_t n;

	if (fstat(fd, &st) != 0)
		return -1;
	n = st.st_size > 0 ? (size_t)st.st_size : 0;
	if ((buf = malloc(n > 0 ? n : 1)) == NULL)
		return -1;
	if (n > 0 && pread(fd, buf, n, 0) != (ssize_t)n) {
		free(buf);
		return -1;
	}
	*bufp = buf;
	*np = n;
	return 0;
}

/* Replaces the segment by its good records: a new file, then rename. */
static int
spool_rewrite(const struct spool *sp, const char *path,
    const unsigned char *buf, size_t len)
{
	char tmp[4300];
	int fd, ok;

	snprintf(tmp, sizeof(tmp), "%s.repair", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return -1;
	ok = (len == 0 || write(fd, buf, len) == (ssize_t)len) &&
	    fsync(fd) == 0;
	close(fd);
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return fsync(sp->dirfd);
}

/* Counts the good records of one segment and repairs it: a damaged tail is
 * cut off, damage in the middle is taken out (the file is rewritten). */
static int
spool_scan_segment(struct spool *sp, struct segment *seg)
{
	char path[4200];
	unsigned char *buf = NULL;
	size_t n = 0, good, damage;
	uint64_t skipped = 0;
	int fd, rc = 0;

	spool_seg_path(sp, seg->id, path, sizeof(path));
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0 ||
	    spool_read_file(fd, &buf, &n) != 0) {
		log_warn("spool: cannot read %s", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	good = spool_compact(buf, n, path, &seg->records, &skipped, &damage);
	if (skipped > 0) {
		sp->skipped_bytes += skipped;
		/* damage only at the end: cutting it off is enough; else the
		 * file is replaced by its good records */
		if (damage == good ? ftruncate(fd, (off_t)good) != 0 ||
		    fsync(fd) != 0 : spool_rewrite(sp, path, buf, good) != 0) {
			log_warn("spool: cannot repair %s", path);
			rc = -1;
		}
	}
	close(fd);
	free(buf);
	seg->size = good;
	return rc;
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

struct spool *
spool_open(const char *dir, const struct spool_limits *limits)
{
	struct spool *sp;

	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return NULL;
	sp->fd = -1;
	sp->limits = limits;
	snprintf(sp->dir, sizeof(sp->dir), "%s", dir);
	if (mkdir(sp->dir, 0700) != 0 && errno != EEXIST) {
		log_warn("spool: cannot create %s", sp->dir);
		free(sp);
		return NULL;
	}
	sp->dirfd = open(sp->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->dirfd < 0 || spool_list_segments(sp) != 0) {
		log_warn("spool: cannot read %s", sp->dir);
		if (sp->dirfd >= 0)
			close(sp->dirfd);
		free(sp);
		return NULL;
	}
	for (int i = 0; i < sp->nsegs;) {
		/* a segment with no record left (a file created just before a
		 * kill, or nothing but damage) would never be replayed, hence
		 * never deleted: each one would stay, up to the segment limit */
		if (spool_scan_segment(sp, &sp->segs[i]) == 0 &&
		    sp->segs[i].records == 0) {
			spool_drop_segment(sp, i);
			continue;
		}
		sp->records += sp->segs[i].records;
		sp->bytes += sp->segs[i].size;
		i++;
	}
	if (sp->records > 0)
		log_notice("spool: %" PRIu64 " documents (%" PRIu64 " bytes) from "
		    "an earlier run will be replayed", sp->records, sp->bytes);
	log_info("spool in %s", sp->dir);
	return sp;
}

void
spool_close(struct spool **spp)
{
	struct spool *sp = *spp;
	struct job *durable = NULL, *failed = NULL;

	if (sp == NULL)
		return;
	spool_flush(sp, &durable, &failed);
	job_free_chain(&durable);
	job_free_chain(&failed);
	if (sp->fd >= 0)
		close(sp->fd);
	close(sp->dirfd);
	free(sp);
	*spp = NULL;
}

/* ---- appending -------------------------------------------------------- */

int
spool_takes_new(const struct spool *sp, int db_down)
{
	return sp != NULL && (db_down || sp->records > 0);
}

static int
spool_has_room(const struct spool *sp, size_t need, char *reason, size_t len)
{
	if (sp->broken) {
		snprintf(reason, len, "spool unusable after a disk error; "
		    "send again later");
		return 0;
	}
	if (sp->records >= sp->limits->max_records ||
	    sp->bytes + need > sp->limits->max_bytes) {
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
spool_append(struct spool *sp, struct job *job, char *reason, size_t len)
{
	size_t need = SPOOL_HEADER + job_bytes(job);
	struct segment *seg;

	if (!spool_has_room(sp, need, reason, len))
		return -1;
	if (sp->fd < 0 || sp->segs[sp->nsegs - 1].size >= SPOOL_SEGMENT_MAX) {
		/* the pending records are in the file being closed: make
		 * them durable first; they stay pending for the caller */
		if (sp->fd >= 0 && sp->pending != NULL && fdatasync(sp->fd) != 0) {
			log_warn("spool: fdatasync failed");
			sp->broken = 1;
		}
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
spool_flush(struct spool *sp, struct job **durable, struct job **failed)
{
	int ok;

	*durable = *failed = NULL;
	if (sp == NULL || sp->pending == NULL)
		return;
	ok = !sp->broken && (sp->fd < 0 || fdatasync(sp->fd) == 0);
	if (!ok && !sp->broken)
		log_warn("spool: fdatasync failed; answering retry");
	if (!ok)
		sp->broken = 1;
	if (ok)
		*durable = sp->pending;
	else
		*failed = sp->pending;
	sp->pending = sp->pending_tail = NULL;
	if (ok && sp->nsegs > 0)
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
	job->received_ms = clock_ms();
	seg->read_off += SPOOL_HEADER + len;
out:
	free(payload);
	close(fd);
	return job;
}

void
spool_feed(struct spool *sp, struct queue *q, int window, uint64_t *next_id)
{
	if (sp == NULL)
		return;
	for (int i = 0; i < sp->nsegs && sp->outstanding < window; i++) {
		struct segment *seg = &sp->segs[i];

		while (seg->read_count < seg->records &&
		    sp->outstanding < window) {
			struct job *job = spool_read_record(sp, seg);
			if (job == NULL) {
				uint64_t lost = seg->records - seg->read_count;

				log_errx("spool: cannot read segment %016" PRIx64
				    " at %" PRIu64 "; skipping the rest of it "
				    "(%" PRIu64 " records)", seg->id,
				    seg->read_off, lost);
				sp->records -= lost;
				sp->skipped += lost;
				seg->done += lost;
				seg->read_count = seg->records;
				break;
			}
			job->id = ++*next_id;
			seg->read_count++;
			sp->outstanding++;
			queue_push_back(q, job);
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
spool_done(struct spool *sp, const struct job *job)
{
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

struct spool_totals
spool_totals(const struct spool *sp)
{
	if (sp == NULL)
		return (struct spool_totals){ 0, 0, 0, 0 };
	return (struct spool_totals){ sp->records, sp->bytes, sp->skipped,
	    sp->skipped_bytes };
}
