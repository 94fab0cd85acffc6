-- 019_jit_off_again.sql: no JIT compilation in planq's database, again.
-- Migration 012 set it (ALTER DATABASE … SET jit = off), but a setting of
-- the database is not part of its schema: pg_dump --schema-only, which made
-- sql/B014_baseline.sql, does not write it, so every database made from
-- empty since the baseline had JIT on (the ones 012 migrated kept it off).
-- bench/RESULTS.md (2026-12-07, branch views4): with JIT on, a full read
-- of plan_changes at 20,000 documents took 0.9-1.7 s more backend CPU
-- (3.9-4.3 s against 2.7-3.0 s off, two sets of reads on a loaded
-- machine), and every
-- view costed above jit_above_cost paid the same 0.5-1.5 s before its first
-- row, as 012 found (docs/OPERATIONS.md, "Planner statistics and JIT").
-- Only the database's owner (or a superuser) may change its settings:
-- another role running the migration gets a NOTICE, and
-- docs/OPERATIONS.md gives the statement to run by hand.
DO $$
BEGIN
	EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE '019_jit_off_again: not the owner of database %, JIT stays as configured (docs/OPERATIONS.md)',
		current_database();
END $$;
