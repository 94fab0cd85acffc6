-- 020_analyze_burst: planq_analyze_stale takes p_during_burst (its file in
-- sql/functions/ creates it again after this migration): a worker with
-- batches still coming asks only for the tables that doubled since their
-- last analyze (bench/RESULTS.md, 2026-12-07 "analyze2").  The version
-- without an argument goes.  IF EXISTS: a new database reaches this
-- migration before any repeatable file was applied.
DROP FUNCTION IF EXISTS planq_analyze_stale();
