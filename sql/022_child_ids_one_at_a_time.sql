-- 022_child_ids_one_at_a_time: the ids of issues, strategies and
-- initiatives are drawn one at a time again (CACHE 1), undoing the
-- sequence cache of 021.
--
-- With a cache of 64 per session, two workers storing at once each
-- insert ids from their own block of 64: one of them always inserts in
-- the middle of the id indexes (and of the indexes on the columns that
-- reference them: budgets' key starts with initiative_id), where a full
-- page splits in half instead of the right-most split that keeps pages
-- 90 % full.  Measured by `BENCH_REFS=copy2 BENCH_PEER=0
-- BENCH_SKIP_EXTRA=1 make bench` (bench/RESULTS.md, 2026-12-07
-- "cache1"): index bytes per document 8,957 with the cache, 8,412
-- without; the cache saved about 0.11 M of the backend's ~14 M
-- instructions per document (1 %), the bytes are kept for good.
ALTER TABLE issues ALTER COLUMN id SET CACHE 1;
ALTER TABLE strategies ALTER COLUMN id SET CACHE 1;
ALTER TABLE initiatives ALTER COLUMN id SET CACHE 1;
