/*
 * docdirs.h: the unit tests' one walk over directories of documents (the
 * fixtures, the samples, the fuzz corpus), run from the repository root.
 * docdirs_walk(dirs, fn, arg) calls fn(dir, name, arg) for every entry of
 * each directory that is not hidden, in readdir order, and is a failed
 * CHECK for a directory that cannot be opened; docdirs_is_document(name)
 * tells a document from the expected JSON, .ctype files and READMEs beside
 * it; docdirs_ctype(path) reads the content type a document's NAME.ctype
 * holds.  Include after check.h and slurp.h.
 */
#ifndef PLANQ_TEST_DOCDIRS_H
#define PLANQ_TEST_DOCDIRS_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>

typedef void docdirs_fn(const char *dir, const char *name, void *arg);

static inline void
docdirs_walk(const char *const *dirs, docdirs_fn *fn, void *arg)
{
	for (size_t i = 0; dirs[i] != NULL; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		CHECK(d != NULL, "cannot open %s (run from the repository root)",
		    dirs[i]);
		if (d == NULL)
			continue;
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				fn(dirs[i], e->d_name, arg);
		closedir(d);
	}
}

/* A document's name ends in an extension that is not .json/.ctype. */
static inline int
docdirs_is_document(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot != NULL && strcmp(dot, ".json") != 0 &&
	    strcmp(dot, ".ctype") != 0 && strcmp(name, "README.md") != 0;
}

/* The content type in the .ctype file beside path (its extension
 * replaced), trailing newlines and spaces cut; NULL when there is none
 * (or path has no extension).
 * The caller frees it. */
static inline char *
docdirs_ctype(const char *path)
{
	char ctpath[1024], *ctype, *dot;
	size_t clen;

	snprintf(ctpath, sizeof(ctpath), "%s", path);
	if ((dot = strrchr(ctpath, '.')) == NULL || strchr(dot, '/') != NULL)
		return NULL;
	snprintf(dot, sizeof(ctpath) - (size_t)(dot - ctpath), ".ctype");
	if ((ctype = slurp(ctpath, &clen)) != NULL)
		while (clen > 0 && (ctype[clen - 1] == '\n' ||
		    ctype[clen - 1] == ' '))
			ctype[--clen] = '\0';
	return ctype;
}

#endif
