/*
 * replay.c: the main() of a fuzz target's replay test.  Runs every file of
 * the target's checked-in corpus (tests/fuzz/corpus_<reader>/, named after
 * the program: test_fuzz_<reader>) through the target's entry point, as
 * libFuzzer would.  A broken invariant aborts (FUZZ_CHECK), which fails
 * the test; the file being replayed is printed first.  Run from the
 * repository root (tests/run.sh does), or give the corpus directory.
 */
#include <dirent.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int
replay_file(const char *path)
{
	unsigned char *buf;
	long len;
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	buf = malloc(len > 0 ? (size_t)len : 1);
	n = buf != NULL && len > 0 ? fread(buf, 1, (size_t)len, f) : 0;
	fclose(f);
	if (buf == NULL || n != (size_t)len) {
		free(buf);
		return -1;
	}
	printf("replay %s\n", path);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	char dir[512], self[256], path[1024];
	const char *name;
	struct dirent *e;
	int n = 0, bad = 0;
	DIR *d;

	snprintf(self, sizeof(self), "%s", argv[0]);
	name = basename(self);
	if (argc > 1)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	else if (strncmp(name, "test_fuzz_", 10) == 0)
		snprintf(dir, sizeof(dir), "tests/fuzz/corpus_%s", name + 10);
	else
		snprintf(dir, sizeof(dir), ".");
	if ((d = opendir(dir)) == NULL) {
		printf("FAIL cannot open %s (run from the repository root)\n",
		    dir);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (replay_file(path) == 0)
			n++;
		else {
			printf("FAIL cannot read %s\n", path);
			bad++;
		}
	}
	closedir(d);
	if (n == 0) {
		printf("FAIL %s is empty\n", dir);
		bad++;
	}
	printf("%s: %d replayed, %d failed\n", name, n, bad);
	return bad ? 1 : 0;
}
