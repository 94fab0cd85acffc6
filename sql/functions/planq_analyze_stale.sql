-- functions/planq_analyze_stale.sql: the planner's statistics of planq's
-- tables kept fresh after a burst of ingest (docs/OPERATIONS.md,
-- "Planner statistics").  Granted to planq_ingest by sql/roles.sql.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- ANALYZE of every table of the schema whose rows changed since its last
-- analyze (by anyone: autovacuum, an operator, this function) by more than
-- autovacuum's own default threshold, 50 rows + 10 % of the rows the
-- planner believes it has (pg_class.reltuples; -1, never analysed, counts
-- as 0).  During a burst (p_during_burst, a worker that still has batches
-- coming) the threshold is 50 rows + 100 %: only a table that has at least
-- doubled since the planner last looked, so its estimates are off by at
-- most a factor of two, and a burst of any length pays for a number of
-- ANALYZEs that grows with the logarithm of the table, not with the
-- burst's duration (each ANALYZE of a large table reads a 30,000-row
-- sample: during a steady load, one every 10 s took ~18 % of the CPU the
-- worker backends used; bench/RESULTS.md, 2026-12-07 "analyze2").  Once
-- the burst is over the workers call it with the 10 % threshold.  Autovacuum does the same, but only once per naptime (1 minute)
-- and per database, and after a burst into empty tables the planner meets
-- those empty-table statistics in the meantime: a view over 600k rows
-- planned as if over a few took 25 s instead of 0.2 s (bench/RESULTS.md,
-- 2026-12-07).  The workers call it on a second connection of their own,
-- never between a batch and its reply (workers/maintain.c).
--
-- One caller at a time: the others return at once, analysing nothing (a
-- transaction-level advisory lock).  A table that cannot be locked within
-- a second (a migration altering it, a manual VACUUM FULL) is skipped and
-- left for the next call.  Returns the tables analysed, with the rows
-- changed since their last analyze.  SECURITY DEFINER: the ingest role
-- owns no table, and ANALYZE needs the owner.
CREATE OR REPLACE FUNCTION planq_analyze_stale(p_during_burst boolean DEFAULT false)
RETURNS TABLE (table_name text, rows_changed bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	t record;
	growth double precision := CASE WHEN p_during_burst THEN 1.0 ELSE 0.1 END;
BEGIN
	-- 'planq_analyze_stale' as a lock key: hashtext() of the name
	IF NOT pg_try_advisory_xact_lock(hashtext('planq_analyze_stale')) THEN
		RETURN;
	END IF;
	PERFORM set_config('lock_timeout', '1s', true);
	FOR t IN SELECT s.relname, s.n_mod_since_analyze
	           FROM pg_stat_user_tables s
	           JOIN pg_class c ON c.oid = s.relid
	          WHERE s.schemaname = 'public'
	            AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
	            AND s.n_mod_since_analyze > 50 + growth * greatest(c.reltuples, 0)
	          ORDER BY s.relname
	LOOP
		BEGIN
			EXECUTE format('ANALYZE public.%I', t.relname);
			table_name := t.relname;
			rows_changed := t.n_mod_since_analyze;
			RETURN NEXT;
		EXCEPTION WHEN lock_not_available THEN
			NULL;	-- someone holds it: the next call
		END;
	END LOOP;
END
$$;

-- not for PUBLIC; granted to the planq_ingest role at once (020 gave it an
-- argument: the workers keep their grant without waiting for `planq db
-- roles`), as sql/roles.sql does
SELECT planq_grant_to_ingest('planq_analyze_stale');
