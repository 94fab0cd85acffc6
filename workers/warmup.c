/*
 * warmup.c: a new worker's rehearsal before it says READY.  A database
 * session's first call of planq_ingest_rows compiles the function and
 * plans each of its statements, and loads the catalog entries of every
 * table and index it writes: ~45 ms against ~5 ms for the same document
 * on a warm session (bench/RESULTS.md, 2026-12-07 "lat").  Without a
 * rehearsal the first batch a (re)started worker takes pays for it, and
 * so do the documents queued behind that batch.  So the worker first
 * parses the small plan below and stores it in a transaction it rolls
 * back: nothing is stored and nothing is answered, but the session is
 * warm.  The rehearsal is bounded by short lock and statement timeouts
 * (store.c); if it fails, the worker says why and starts anyway: its
 * first batch then just costs more.
 *
 * Side effects that remain (docs/OPERATIONS.md): the sequences of the
 * tables it writes move on (ids have gaps anyway), the rolled-back rows
 * are dead tuples for vacuum, and pg_stat_user_tables counts their
 * inserts (n_tup_ins) but not as changes (n_mod_since_analyze).  The
 * heap the first batches would grow to is touched first (warmup_heap).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "warmup.h"

/* A plan with a goal, an issue, a strategy and an initiative with its
 * budget, so that every statement of the store runs; in a layout the
 * parser has a fixture for (tests/fixtures/layouts). */
static const char warmup_plan[] =
    "2021年度 planq 区運営方針\n\n"
    "(区長:planq)\n\n"
    "区の目標(何をめざすのか)\n\n"
    "ワーカーの最初の呼び出しの準備\n\n"
    "区の使命(どのような役割を担うのか)\n\n"
    "この文書は保存されない。\n\n"
    "重点的に取り組む主な経営課題(様式2)\n\n"
    "経営課題の概要\t主な戦略\n"
    "【経営課題1】準備 最初の呼び出し。\t"
    "【戦略1-1】準備 最初の呼び出し。\n"
    "主な具体的取組(2021年度予算額)\t\n"
    "【具体的取組1-1-1】準備 《1千円》 最初の呼び出し\t\n";

static const char warmup_envelope[] = "{\"v\":1,\"id\":\"planq-warm-up\"}";

/*
 * The heap a few batches grow to, touched once before READY.  A new
 * process's heap pages are mapped on first touch: the kernel's page faults
 * (and its zeroing of each page) were ~45 % of a new worker's CPU for its
 * first 16 documents (perf, bench/RESULTS.md 2026-12-07 "changes"), so the
 * first batches after a (re)start took ~3 times as long as later ones.
 * Below malloc's mmap threshold and its trim threshold (main.c), the block
 * comes from the heap and stays there once freed, for the batches to
 * reuse; explicit_bzero, so that the compiler keeps the writes.
 */
#define WARMUP_HEAP_BYTES	(8u << 20)

static void
warmup_heap(void)
{
	void *block = malloc(WARMUP_HEAP_BYTES);

	if (block == NULL)
		return;		/* the batches will fault the pages in */
	explicit_bzero(block, WARMUP_HEAP_BYTES);
	free(block);
}

void
warmup_run(struct store *st)
{
	const struct job_input in = {
		.kind = JOBWIRE_PARSE,
		.envelope = warmup_envelope,
		.envelope_len = sizeof(warmup_envelope) - 1,
		.body = warmup_plan,
		.body_len = sizeof(warmup_plan) - 1,
	};
	char why[512];
	int64_t t0 = clock_ms();

	warmup_heap();
	if (job_rehearse(st, &in, why, sizeof(why)) != 0) {
		log_warnx("warm-up call not made (%s); the first batch will "
		    "be slower", why);
		return;
	}
	log_info("warm-up call made and rolled back in %lld ms",
	    (long long)(clock_ms() - t0));
}
