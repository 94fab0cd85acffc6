-- 016_initiatives_issue_strategy.sql: each initiative's issue (number,
-- title) and strategy (code, title) stored with it, so that
-- plan_initiatives_all_versions, 607k rows at 20,000 documents, reads
-- initiatives and plans only (issue 18, item 6: every view's full read
-- under 1 s; bench/RESULTS.md, 2026-12-07).
--
-- The view joined every initiative with its issue (345k rows at 20,000
-- documents) and its strategy (522k), and the strategies' hash spilled to
-- disk at the default work_mem: 2.1 s on a quiet machine, 4.8-5.9 s at a
-- load of 6-7, where the same rows read from a plain table took 1.3-1.5 s
-- and from initiatives joined with plans alone 1.4-1.6 s.  The copies cost
-- ~53 MB at 20,000 documents (initiatives: 178 → 231 MB, ~30 %), the
-- price of the 607k-row read; the issues and strategies rows stay what
-- they are, and every other view reads them as before.
--
-- A plan's rows are written once, by planq_store_plans (for the workers
-- and `planq reparse`), and never updated (a reparse deletes the plan and
-- inserts it again), so the copies cannot drift from their rows;
-- tests/integration/test_sql_views_same.sh compares them.  Below, the
-- rows already stored get them, in one pass over initiatives in the order
-- they lie on disk (a subquery per row, not a join): an UPDATE writes each
-- row's new version at the table's end in the order it meets the rows,
-- and a join would meet them in the issues' or a hash's order, scattering
-- each plan's initiatives over as many pages as it has rows, where
-- plan_changes reads them by plan (its per-pair scans read 25 pages per
-- plan instead of 2-3 after such an UPDATE and a VACUUM FULL: 15.8 s
-- instead of ~8 s at a load of 9).

ALTER TABLE initiatives ADD COLUMN issue_number integer,
                        ADD COLUMN issue_title text,
                        ADD COLUMN strategy_code text,
                        ADD COLUMN strategy_title text;
COMMENT ON COLUMN initiatives.issue_number IS
	'issues.number of the initiative''s issue, stored at insert (plan_initiatives_all_versions)';
COMMENT ON COLUMN initiatives.issue_title IS
	'issues.title of the initiative''s issue, stored at insert';
COMMENT ON COLUMN initiatives.strategy_code IS
	'strategies.code of the initiative''s strategy, NULL for an issue''s own initiative; stored at insert';
COMMENT ON COLUMN initiatives.strategy_title IS
	'strategies.title of the initiative''s strategy, NULL for an issue''s own initiative; stored at insert';

UPDATE initiatives t
   SET (issue_number, issue_title) =
       (SELECT i.number, i.title FROM issues i WHERE i.id = t.issue_id),
       (strategy_code, strategy_title) =
       (SELECT s.code, s.title FROM strategies s WHERE s.id = t.strategy_id);
