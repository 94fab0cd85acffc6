/*
 * jsonpool.h: recycled memory for Jansson in a single-threaded process.
 * A parsed plan is ~1,500 small blocks (objects, hash buckets, strings)
 * built and freed for every document; glibc's malloc spends a fifth of the
 * parser's time on them (its small caches overflow, and each large buffer
 * of the next document consolidates the freed blocks).  The pool keeps
 * freed small blocks on per-size free lists and hands them out again.
 * Blocks are plain malloc() blocks: what Jansson returns (json_dumps'
 * text) is still released with free().  Install it before the first
 * Jansson call, and only in processes that use Jansson from one thread
 * (the worker, the benchmarks).
 */
#ifndef PLANQ_JSONPOOL_H
#define PLANQ_JSONPOOL_H

#include <stddef.h>

/* Makes Jansson allocate through the pool (json_set_alloc_funcs). */
void	jsonpool_install(void);
/* Returns the blocks on the free lists to malloc when they hold more than
 * keep_bytes (after an unusually large document); the rest stay. */
void	jsonpool_trim(size_t keep_bytes);
/* Bytes held on the free lists. */
size_t	jsonpool_idle_bytes(void);

#endif
