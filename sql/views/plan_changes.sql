-- views/plan_changes.sql: what changed between consecutive versions of
-- a plan (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- Two parts, one row set:
--  1. the pairs whose rows are stored (plan_change_pairs and
--     plan_change_rows, sql/023_plan_changes_stored.sql): the workers,
--     once idle, copy this view's rows of the pairs not stored yet into
--     them (planq_store_plan_changes), so that a read after the store has
--     caught up is a join of plain rows; stored rows of a pair that is no
--     longer consecutive (a version stored between its two since) are not
--     joined, as the pairs come from plan_version_pairs at the time of
--     the read;
--  2. every other pair, diffed here, as follows.
-- The diff is the rules of planq_plan_diff(from, to)
-- (tests/integration/test_sql_views_same.sh compares the two), as a
-- subquery planned once for the whole read rather than a function called
-- per pair, and over the initiatives alone: their normalised titles and
-- main amounts are stored with them (sql/013_stored_for_views.sql), so a
-- pair costs two index scans of ~30 rows and no planq_norm_title.  Per
-- pair (v):
--   a, b     the older and the newer version's initiatives, k = the n-th
--            of equal normalised titles in the plan, in document order
--   t        a FULL JOIN b on (title, k): paired by title, or alone
--   ra, rb   the ones left alone on either side, k = the n-th of equal
--            codes; their FULL JOIN on (code, k): paired by code
--            (renamed), or added / removed
-- A WHERE on the pair's columns (org_name, fiscal_year: `planq report
-- changes ORG`) selects the pairs of both parts before any is diffed.  (A
-- version over all pairs at once, hash joins of every pair's initiatives,
-- was slower: bench/RESULTS.md.)

CREATE OR REPLACE VIEW plan_changes AS
SELECT v.org_name, v.fiscal_year,
       v.from_plan_id, v.from_stage, v.to_plan_id, v.to_stage,
       c.change, c.initiative_code, c.initiative_title,
       c.old_code, c.old_title, c.old_amount_yen, c.new_amount_yen,
       c.new_amount_yen - c.old_amount_yen AS change_yen,
       c.matched_by
  FROM plan_version_pairs v
  JOIN plan_change_rows c
    ON c.from_plan_id = v.from_plan_id AND c.to_plan_id = v.to_plan_id
UNION ALL
SELECT v.org_name, v.fiscal_year,
       v.from_plan_id, v.from_stage, v.to_plan_id, v.to_stage,
       d.change, d.initiative_code, d.initiative_title,
       d.old_code, d.old_title, d.old_amount_yen, d.new_amount_yen,
       d.new_amount_yen - d.old_amount_yen AS change_yen,
       d.matched_by
  FROM plan_version_pairs v
 CROSS JOIN LATERAL (
	WITH a AS (
		SELECT t.id, t.code, t.title, t.seq, t.norm_title AS nt, t.main_amount_yen AS amount,
		       row_number() OVER (PARTITION BY t.norm_title ORDER BY t.seq) AS k
		  FROM initiatives t WHERE t.plan_id = v.from_plan_id),
	b AS (
		SELECT t.id, t.code, t.title, t.seq, t.norm_title AS nt, t.main_amount_yen AS amount,
		       row_number() OVER (PARTITION BY t.norm_title ORDER BY t.seq) AS k
		  FROM initiatives t WHERE t.plan_id = v.to_plan_id),
	t AS (
		SELECT a.id AS a_id, a.code AS a_code, a.title AS a_title, a.seq AS a_seq, a.amount AS a_amount,
		       b.id AS b_id, b.code AS b_code, b.title AS b_title, b.seq AS b_seq, b.amount AS b_amount
		  FROM a FULL JOIN b ON b.nt = a.nt AND b.k = a.k),
	ra AS (
		SELECT t.a_code AS code, t.a_title AS title, t.a_amount AS amount,
		       row_number() OVER (PARTITION BY t.a_code ORDER BY t.a_seq) AS k
		  FROM t WHERE t.b_id IS NULL),
	rb AS (
		SELECT t.b_code AS code, t.b_title AS title, t.b_amount AS amount,
		       row_number() OVER (PARTITION BY t.b_code ORDER BY t.b_seq) AS k
		  FROM t WHERE t.a_id IS NULL)
	SELECT 'amount_changed' AS change, t.b_code AS initiative_code,
	       t.b_title AS initiative_title, t.a_code AS old_code, t.a_title AS old_title,
	       t.a_amount AS old_amount_yen, t.b_amount AS new_amount_yen, 'title' AS matched_by
	  FROM t
	 WHERE t.a_id IS NOT NULL AND t.b_id IS NOT NULL AND t.a_amount IS DISTINCT FROM t.b_amount
	UNION ALL
	SELECT CASE WHEN ra.k IS NULL THEN 'added' WHEN rb.k IS NULL THEN 'removed' ELSE 'renamed' END,
	       CASE WHEN rb.k IS NULL THEN ra.code ELSE rb.code END,
	       CASE WHEN rb.k IS NULL THEN ra.title ELSE rb.title END,
	       ra.code, ra.title, ra.amount, rb.amount,
	       CASE WHEN ra.k IS NOT NULL AND rb.k IS NOT NULL THEN 'code' END
	  FROM ra FULL JOIN rb ON rb.code = ra.code AND rb.k = ra.k) d
 WHERE NOT EXISTS (SELECT 1 FROM plan_change_pairs s
                    WHERE s.from_plan_id = v.from_plan_id AND s.to_plan_id = v.to_plan_id);

COMMENT ON VIEW plan_changes IS
	'between consecutive versions of one plan (org, year): initiatives added, removed, renamed (paired by code only) or whose main amount changed (change: added|removed|renamed|amount_changed)';
