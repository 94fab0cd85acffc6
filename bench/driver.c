/*
 * driver.c: the benchmark's load driver.  One ZeroMQ DEALER connection to
 * planqd keeping up to N documents in flight (optionally paced at R docs/s),
 * recording send->reply latency per document; prints one summary line.
 * --trace FILE writes one line per reply: when the document was due (ms
 * since the driver started), its latency (ms) and how often it was sent,
 * to see when in a run the slow ones came.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "clock.h"

struct doc {
	char	*path;
	int64_t	 sched_us;	/* when it was due (paced) or first sent */
	int	 tries;
	int	 done;
};

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
usage(void)
{
	fprintf(stderr, "usage: driver --to EP --manifest FILE [--concurrency N] "
	    "[--rate DOCS_PER_S] [--shard I/N] [--lat FILE] [--timeout S] "
	    "[--loop SECONDS] [--trace FILE]\n");
	exit(2);
}

static char *
read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);
	ssize_t n;
	size_t off = 0;

	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(path);
		exit(1);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		exit(1);
	while (off < (size_t)st.st_size &&
	    (n = read(fd, buf + off, (size_t)st.st_size - off)) > 0)
		off += (size_t)n;
	close(fd);
	*len = off;
	return buf;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static double
pct(const int64_t *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return (double)v[i] / 1000.0;
}

int
main(int argc, char **argv)
{
	const char *to = NULL, *manifest = NULL, *latpath = NULL;
	FILE *trace = NULL;
	long conc = 8, shard = 0, nshards = 1;
	double rate = 0, timeout = 120, loop_s = 0;
	struct doc *docs = NULL;
	size_t ndocs = 0, cap = 0, next = 0, inflight = 0, finished = 0, nlat = 0;
	int64_t *lat, t0, deadline, pace_t0;
	long stored = 0, dup = 0, rejected = 0, retries = 0, failed = 0, other = 0;
	size_t sent = 0, nseq = 0, latcap;
	double wall_first = 0, wall_last = 0;
	char line[4096];
	FILE *mf;
	void *ctx, *sock;
	int hwm = 100000;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		if (strcmp(a, "--to") == 0)
			to = v;
		else if (strcmp(a, "--manifest") == 0)
			manifest = v;
		else if (strcmp(a, "--concurrency") == 0)
			conc = strtol(v, NULL, 10);
		else if (strcmp(a, "--rate") == 0)
			rate = strtod(v, NULL);
		else if (strcmp(a, "--shard") == 0) {
			if (sscanf(v, "%ld/%ld", &shard, &nshards) != 2 ||
			    nshards < 1 || shard < 0 || shard >= nshards)
				usage();
		} else if (strcmp(a, "--lat") == 0)
			latpath = v;
		else if (strcmp(a, "--timeout") == 0)
			timeout = strtod(v, NULL);
		else if (strcmp(a, "--loop") == 0)
			loop_s = strtod(v, NULL);
		else if (strcmp(a, "--trace") == 0) {
			if ((trace = fopen(v, "w")) == NULL) {
				perror(v);
				return 1;
			}
		}
		else
			usage();
		i++;
	}
	if (to == NULL || manifest == NULL || conc < 1)
		usage();
	if ((mf = fopen(manifest, "r")) == NULL) {
		perror(manifest);
		return 1;
	}
	for (size_t k = 0; fgets(line, sizeof(line), mf); k++) {
		if ((long)(k % (size_t)nshards) != shard)
			continue;
		line[strcspn(line, "\t\n")] = '\0';
		if (ndocs == cap) {
			struct doc *grown;

			cap = cap ? cap * 2 : 1024;
			if ((grown = realloc(docs, cap * sizeof(*docs))) == NULL)
				return 1;	/* exits: the OS frees docs */
			docs = grown;
		}
		memset(&docs[ndocs], 0, sizeof(docs[ndocs]));
		docs[ndocs++].path = strdup(line);
	}
	fclose(mf);
	if (ndocs == 0) {
		fprintf(stderr, "driver: no documents in shard\n");
		return 1;
	}
	latcap = ndocs * (loop_s > 0 ? 256 : 1) + 1;
	lat = calloc(latcap, sizeof(*lat));
	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	if (zmq_connect(sock, to) != 0) {
		fprintf(stderr, "driver: connect %s: %s\n", to, zmq_strerror(errno));
		return 1;
	}
	/* a document is identified on the wire by its index: "b<shard>-<idx>" */
	t0 = now_us();
	pace_t0 = t0;
	deadline = t0 + (int64_t)(timeout * 1e6);
	for (;;) {
		int64_t now = now_us(), wait_us = 100000;
		zmq_pollitem_t pi = { sock, 0, ZMQ_POLLIN, 0 };
		int can_send = 0;

		/* loop mode: the corpus restarts (resends are duplicates) */
		if (loop_s > 0 && next == ndocs && inflight == 0 &&
		    now - t0 < (int64_t)(loop_s * 1e6)) {
			for (size_t k = 0; k < ndocs; k++)
				docs[k].done = 0, docs[k].tries = 0;
			next = 0;
		}
		if (next < ndocs && (long)inflight < conc) {
			if (rate > 0) {
				int64_t due = pace_t0 + (int64_t)((double)nseq * 1e6 / rate);

				if (due <= now)
					can_send = 1;
				else
					wait_us = due - now;
			} else
				can_send = 1;
		}
		if (can_send) {
			struct doc *d = &docs[next];
			char env[512], id[64];
			size_t blen;
			char *body = read_file(d->path, &blen);
			const char *base = strrchr(d->path, '/');
			zmq_msg_t m;

			snprintf(id, sizeof(id), "b%ld-%zu", shard, next);
			snprintf(env, sizeof(env), "{\"v\":1,\"id\":\"%s\","
			    "\"source_url\":\"https://www.city.osaka.lg.jp/bench%s\","
			    "\"fetched_at\":\"2024-05-01T09:12:00Z\"}", id,
			    base ? base : "/x");
			zmq_send(sock, env, strlen(env), ZMQ_SNDMORE);
			zmq_msg_init_size(&m, blen);
			memcpy(zmq_msg_data(&m), body, blen);
			free(body);
			if (zmq_msg_send(&m, sock, 0) < 0) {
				fprintf(stderr, "driver: send: %s\n", zmq_strerror(errno));
				return 1;
			}
			if (wall_first == 0)
				wall_first = clock_seconds(CLOCK_REALTIME);
			d->sched_us = rate > 0 ?
			    pace_t0 + (int64_t)((double)nseq * 1e6 / rate) : now;
			d->tries = 1;
			nseq++;
			next++;
			inflight++;
			sent++;
			continue;
		}
		if (inflight == 0 && next == ndocs &&
		    !(loop_s > 0 && now - t0 < (int64_t)(loop_s * 1e6)))
			break;
		if (now > deadline) {
			failed += (long)inflight + (long)(ndocs - next);
			fprintf(stderr, "driver: deadline: %zu in flight\n", inflight);
			break;
		}
		if (zmq_poll(&pi, 1, (long)(wait_us / 1000) + 1) < 0 && errno != EINTR)
			break;
		while (pi.revents & ZMQ_POLLIN) {
			char buf[8192];
			int n = zmq_recv(sock, buf, sizeof(buf) - 1, ZMQ_DONTWAIT);
			json_t *r;
			const char *st, *idv;
			size_t idx;

			if (n < 0)
				break;
			buf[n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1] = '\0';
			r = json_loads(buf, 0, NULL);
			st = r ? json_string_value(json_object_get(r, "status")) : NULL;
			idv = r ? json_string_value(json_object_get(r, "id")) : NULL;
			if (st == NULL || idv == NULL ||
			    sscanf(idv, "b%*d-%zu", &idx) != 1 || idx >= ndocs ||
			    docs[idx].done) {
				json_decref(r);
				continue;
			}
			if (strcmp(st, "retry") == 0 && docs[idx].tries < 50) {
				/* resend the same document (the daemon said later) */
				size_t blen;
				char *body = read_file(docs[idx].path, &blen);
				char env[512];

				snprintf(env, sizeof(env), "{\"v\":1,\"id\":\"%s\"}", idv);
				usleep(20000);
				zmq_send(sock, env, strlen(env), ZMQ_SNDMORE);
				zmq_send(sock, body, blen, 0);
				free(body);
				docs[idx].tries++;
				retries++;
				json_decref(r);
				continue;
			}
			if (strcmp(st, "stored") == 0)
				stored++;
			else if (strcmp(st, "duplicate") == 0)
				dup++;
			else if (strcmp(st, "rejected") == 0)
				rejected++;
			else
				other++;
			if (nlat < latcap)
				lat[nlat++] = now_us() - docs[idx].sched_us;
			if (trace != NULL)
				fprintf(trace, "%.3f %.3f %d\n",
				    (double)(docs[idx].sched_us - t0) / 1e3,
				    (double)(now_us() - docs[idx].sched_us) / 1e3,
				    docs[idx].tries);
			wall_last = clock_seconds(CLOCK_REALTIME);
			docs[idx].done = 1;
			inflight--;
			finished++;
			json_decref(r);
		}
	}
	{
		double el = wall_last - wall_first;
		FILE *lf;

		if (trace != NULL && fclose(trace) != 0)
			perror("driver: trace");
		qsort(lat, nlat, sizeof(*lat), cmp_i64);
		if (latpath && (lf = fopen(latpath, "w")) != NULL) {
			for (size_t k = 0; k < nlat; k++)
				fprintf(lf, "%" PRId64 "\n", lat[k]);
			fclose(lf);
		}
		printf("driver shard=%ld sent=%zu acked=%zu stored=%ld duplicate=%ld "
		    "rejected=%ld retry_replies=%ld failed=%ld other=%ld "
		    "first=%.6f last=%.6f elapsed=%.3f docs_per_s=%.1f "
		    "p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
		    shard, sent, finished, stored, dup, rejected, retries, failed,
		    other, wall_first, wall_last, el, el > 0 ? (double)finished / el : 0,
		    pct(lat, nlat, 50), pct(lat, nlat, 95), pct(lat, nlat, 99),
		    pct(lat, nlat, 100));
	}
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return failed || other ? 1 : 0;
}
