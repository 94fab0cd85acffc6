-- 012_views_fast.sql: planner settings that keep the reporting views fast
-- as the data grows (issue 18; docs/OPERATIONS.md "Planner statistics and
-- JIT", bench/RESULTS.md).
--
-- 1. Statistics during and after a burst of ingest.  Autovacuum analyses a
--    table once the rows changed since its last ANALYZE exceed
--    autovacuum_analyze_threshold + autovacuum_analyze_scale_factor x rows
--    (50 + 10 % by default).  planq's tables only grow, in bursts: at 600k
--    initiatives the default waits for 60k new rows before the planner
--    learns about a new org, year or version.  2 % (+ 1,000 rows) keeps
--    the statistics within a few minutes' worth of ingest; an ANALYZE of
--    these tables reads a sample of 30,000 rows (default_statistics_target
--    100), whatever the table's size, so the extra runs cost little.
ALTER TABLE documents		SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);
ALTER TABLE plans		SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);
ALTER TABLE plan_texts		SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);
ALTER TABLE issues		SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);
ALTER TABLE strategies		SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);
ALTER TABLE initiatives		SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);
ALTER TABLE budgets		SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);
ALTER TABLE reforms		SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);
ALTER TABLE evaluations		SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);
ALTER TABLE council_reflections	SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);
ALTER TABLE contacts		SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);
ALTER TABLE ingest_events	SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);

-- 2. No JIT compilation in planq's database.  A full read of a view that
--    aggregates per plan is costed in the millions, far above
--    jit_above_cost, so every such query spent 0.5-1.5 s compiling before
--    it read a row (plans_all_versions: 1.5 s of JIT at 20,000 documents)
--    to save less than that.  planq's queries are short or read what they
--    return.  Only the database's owner (or a superuser) may change its
--    settings: another role running the migration gets a NOTICE, and
--    docs/OPERATIONS.md gives the statement to run by hand.
DO $$
BEGIN
	EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE '012_views_fast: not the owner of database %, JIT stays as configured (docs/OPERATIONS.md)',
		current_database();
END $$;
