/*
 * jsonpool.c: per-size free lists for Jansson's small blocks (jsonpool.h).
 * Every block is an ordinary malloc() block, so whatever Jansson hands out
 * (json_dumps' text included) may still be released with free().  Small
 * requests are rounded up to a size glibc gives exactly (16k + 8 bytes:
 * a chunk's usable size), so malloc_usable_size() of a block names its
 * class when it comes back; freed small blocks are chained through their
 * first word.  Not thread-safe, by design.
 */
#include <jansson.h>
#include <malloc.h>
#include <stdlib.h>

#include "jsonpool.h"

#define JSONPOOL_GRAIN		16
#define JSONPOOL_SLACK		8	/* usable = chunk size - 8 */
#define JSONPOOL_CLASSES	32	/* up to 32 * 16 + 8 = 520 bytes */
#define JSONPOOL_MAX_SMALL	(JSONPOOL_CLASSES * JSONPOOL_GRAIN + JSONPOOL_SLACK)

struct jsonpool_free {
	struct jsonpool_free	*next;
};

static struct jsonpool_free	*jsonpool_lists[JSONPOOL_CLASSES];
static size_t			 jsonpool_idle;	/* bytes on the lists */

/* Class k (0-based) holds blocks of (k + 1) * 16 + 8 usable bytes. */
static size_t
jsonpool_class_bytes(size_t k)
{
	return (k + 1) * JSONPOOL_GRAIN + JSONPOOL_SLACK;
}

static size_t
jsonpool_class_of(size_t size)
{
	return size <= JSONPOOL_GRAIN + JSONPOOL_SLACK ? 0 :
	    (size - JSONPOOL_SLACK - 1) / JSONPOOL_GRAIN;
}

static void *
jsonpool_malloc(size_t size)
{
	struct jsonpool_free *f;
	size_t k;

	if (size > JSONPOOL_MAX_SMALL)
		return malloc(size);
	k = jsonpool_class_of(size);
	if ((f = jsonpool_lists[k]) == NULL)
		return malloc(jsonpool_class_bytes(k));
	jsonpool_lists[k] = f->next;
	jsonpool_idle -= jsonpool_class_bytes(k);
	return f;
}

static void
jsonpool_free(void *p)
{
	struct jsonpool_free *f = p;
	size_t usable, k;

	if (p == NULL)
		return;
	usable = malloc_usable_size(p);
	k = jsonpool_class_of(usable);
	/* only blocks of exactly a class's size: anything else goes back */
	if (usable > JSONPOOL_MAX_SMALL || jsonpool_class_bytes(k) != usable) {
		free(p);
		return;
	}
	f->next = jsonpool_lists[k];
	jsonpool_lists[k] = f;
	jsonpool_idle += usable;
}

void
jsonpool_install(void)
{
	json_set_alloc_funcs(jsonpool_malloc, jsonpool_free);
}

void
jsonpool_trim(size_t keep_bytes)
{
	for (size_t k = 0; k < JSONPOOL_CLASSES &&
	    jsonpool_idle > keep_bytes; k++) {
		while (jsonpool_lists[k] != NULL && jsonpool_idle > keep_bytes) {
			struct jsonpool_free *f = jsonpool_lists[k];

			jsonpool_lists[k] = f->next;
			jsonpool_idle -= jsonpool_class_bytes(k);
			free(f);
		}
	}
}

size_t
jsonpool_idle_bytes(void)
{
	return jsonpool_idle;
}
