/*
 * parsebench.c: parse-only throughput of the parser library on one core.
 * Loads the corpus named by a manifest into memory, then does for every
 * document what the worker does before it talks to the database, timing
 * CPU: parse it (records and JSON text: parse_bytes_flags(), flags 0), and
 * build the plan's rows (plan_rows_add_doc).  With PARSEBENCH_TREE=1 in
 * the environment, or when built against a parser without records
 * (PARSE_TREE undefined: a checkout from before them, for before/after
 * figures), it takes the old way instead: parse_bytes() with the Jansson
 * object, plan_json_text of it and plan_rows_add from it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "parse.h"
#include "plan_json.h"
#include "plan_rows.h"

struct corpus {
	char	**bufs;
	size_t	*lens;
	size_t	 n, cap, total;
};

/* Reads every file the manifest names; on failure the program exits and
 * the OS frees the rest. */
static int
corpus_load(struct corpus *c, FILE *mf)
{
	char line[4096];

	while (fgets(line, sizeof(line), mf)) {
		struct stat st;
		int fd;

		line[strcspn(line, "\t\n")] = '\0';
		if ((fd = open(line, O_RDONLY)) < 0 || fstat(fd, &st) != 0)
			return -1;
		if (c->n == c->cap) {
			char **grown_bufs;
			size_t *grown_lens;

			c->cap = c->cap ? c->cap * 2 : 1024;
			if ((grown_bufs = realloc(c->bufs,
			    c->cap * sizeof(*c->bufs))) == NULL)
				return -1;
			c->bufs = grown_bufs;
			if ((grown_lens = realloc(c->lens,
			    c->cap * sizeof(*c->lens))) == NULL)
				return -1;
			c->lens = grown_lens;
		}
		c->bufs[c->n] = malloc((size_t)st.st_size + 1);
		if (c->bufs[c->n] == NULL ||
		    read(fd, c->bufs[c->n], (size_t)st.st_size) != st.st_size)
			return -1;
		c->lens[c->n] = (size_t)st.st_size;
		c->total += c->lens[c->n];
		close(fd);
		c->n++;
	}
	return 0;
}

/* One document the worker's way; the seconds of parsing and of the rows
 * (and text, the old way) added to t[0] and t[1]. */
static int
bench_one(const char *buf, size_t len, int tree, double t[2], size_t *plans)
{
	struct parse_result pr;
	struct plan_row_types types = { { 0 }, 0 };
	struct plan_rows rows;
	double t0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
	int rc;

#ifdef PARSE_TREE
	rc = tree ? parse_bytes(buf, len, NULL, &pr) :
	    parse_bytes_flags(buf, len, NULL, 0, &pr);
#else
	(void)tree;
	rc = parse_bytes(buf, len, NULL, &pr);
#endif
	t[0] += clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;
	if (rc != 0)
		return -1;
	if (pr.status == PARSE_PLAN) {
		t0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
		plan_rows_init(&rows, &types);
		if (pr.plan != NULL) {
			char *js = plan_json_text(pr.plan, NULL);

			rc = js == NULL || plan_rows_add(&rows, 1, pr.plan) != 0;
			free(js);
		}
#ifdef PARSE_TREE
		else
			rc = plan_rows_add_doc(&rows, 1, pr.doc) != 0;
#endif
		plan_rows_free(&rows);
		t[1] += clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;
		(*plans)++;
	}
	parse_result_clear(&pr);
	return rc == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct corpus c = { 0 };
	size_t plans = 0;
	int rounds = argc > 2 ? atoi(argv[2]) : 1;
	const char *env = getenv("PARSEBENCH_TREE");
	int tree = env != NULL && strcmp(env, "1") == 0;
	double t[2] = { 0, 0 };
	FILE *mf;

	if (argc < 2 || (mf = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: parsebench MANIFEST [ROUNDS]\n");
		return 2;
	}
	if (corpus_load(&c, mf) != 0)
		return 1;
	fclose(mf);
#ifndef PARSE_TREE
	tree = 1;
#endif
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < c.n; i++)
			if (bench_one(c.bufs[i], c.lens[i], tree, t, &plans) != 0)
				return 1;
	printf("parse%s: %zu docs (%zu plans), %.1f MB x %d rounds: parse %.3f s "
	    "CPU = %.1f MB/s, %.0f docs/s; + rows%s %.3f s = %.1f MB/s per "
	    "core\n", tree ? " (tree)" : "", c.n, plans / (size_t)rounds,
	    c.total / 1e6, rounds, t[0], (double)c.total * rounds / 1e6 / t[0],
	    (double)c.n * rounds / t[0], tree ? " and plan_json_text" : "",
	    t[1], (double)c.total * rounds / 1e6 / (t[0] + t[1]));
	for (size_t i = 0; i < c.n; i++)
		free(c.bufs[i]);
	free(c.bufs);
	free(c.lens);
	return 0;
}
