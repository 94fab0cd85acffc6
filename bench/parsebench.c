/*
 * parsebench.c: parse-only throughput of the parser library on one core.
 * Loads the corpus named by a manifest into memory, then calls parse_bytes()
 * (and plan_json_text of the plan, as the worker does) over it, timing CPU.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "plan_json.h"

static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	char line[4096], **bufs = NULL;
	size_t *lens = NULL, n = 0, cap = 0, total = 0, plans = 0;
	int rounds = argc > 2 ? atoi(argv[2]) : 1;
	double t0, t_parse = 0, t_dump = 0;
	FILE *mf;

	if (argc < 2 || (mf = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: parsebench MANIFEST [ROUNDS]\n");
		return 2;
	}
	while (fgets(line, sizeof(line), mf)) {
		struct stat st;
		int fd;

		line[strcspn(line, "\t\n")] = '\0';
		if ((fd = open(line, O_RDONLY)) < 0 || fstat(fd, &st) != 0)
			return 1;
		if (n == cap) {
			char **grown_bufs;
			size_t *grown_lens;

			cap = cap ? cap * 2 : 1024;
			/* on failure the program exits: the OS frees the rest */
			if ((grown_bufs = realloc(bufs, cap * sizeof(*bufs))) == NULL)
				return 1;
			bufs = grown_bufs;
			if ((grown_lens = realloc(lens, cap * sizeof(*lens))) == NULL)
				return 1;
			lens = grown_lens;
		}
		bufs[n] = malloc((size_t)st.st_size + 1);
		if (bufs[n] == NULL ||
		    read(fd, bufs[n], (size_t)st.st_size) != st.st_size)
			return 1;
		lens[n] = (size_t)st.st_size;
		total += lens[n];
		close(fd);
		n++;
	}
	fclose(mf);
	for (int r = 0; r < rounds; r++) {
		for (size_t i = 0; i < n; i++) {
			struct parse_result pr;
			char *js;

			t0 = cpu_s();
			if (parse_bytes(bufs[i], lens[i], NULL, &pr) != 0)
				return 1;
			t_parse += cpu_s() - t0;
			if (pr.status == PARSE_PLAN) {
				t0 = cpu_s();
				js = plan_json_text(pr.plan, NULL);
				t_dump += cpu_s() - t0;
				free(js);
				if (r == 0)
					plans++;
			}
			parse_result_clear(&pr);
		}
	}
	printf("parse: %zu docs (%zu plans), %.1f MB x %d rounds: parse %.3f s CPU "
	    "= %.1f MB/s, %.0f docs/s; + plan_json_text %.3f s = %.1f MB/s per core\n",
	    n, plans, total / 1e6, rounds, t_parse,
	    (double)total * rounds / 1e6 / t_parse, (double)n * rounds / t_parse,
	    t_dump, (double)total * rounds / 1e6 / (t_parse + t_dump));
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(lens);
	return 0;
}
