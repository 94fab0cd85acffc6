-- views/plan_changes.sql: what changed between consecutive versions of
-- a plan (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- planq_plan_diff(from, to) for every pair of plan_version_pairs, computed
-- for all pairs at once (set-based, so a full read costs what its rows
-- cost; docs/REPORTING.md), with the rules of planq_plan_diff
-- (tests/integration/test_sql_views_same.sh compares the two):
--   a, b     the older and the newer version's initiatives, each tagged
--            with its pair (named by the newer plan: a plan is the newer
--            side of one pair at most), with the normalised title and main
--            amount stored with them (sql/013_stored_for_views.sql) and k,
--            the n-th of equal normalised titles in its plan
--   t        a FULL JOIN b on (pair, title, k): paired by title, or alone
--   r        the ones left alone on either side, the n-th of equal codes
--            of their side (k), FULL JOIN on (pair, code, k): paired by
--            code (renamed), or added / removed
CREATE OR REPLACE VIEW plan_changes AS
WITH v AS (
	SELECT * FROM plan_version_pairs),
a AS (
	SELECT v.to_plan_id AS pair, t.id, t.code, t.title, t.seq, t.norm_title AS nt,
	       t.main_amount_yen AS amount,
	       row_number() OVER (PARTITION BY t.plan_id, t.norm_title ORDER BY t.seq) AS k
	  FROM v JOIN initiatives t ON t.plan_id = v.from_plan_id),
b AS (
	SELECT v.to_plan_id AS pair, t.id, t.code, t.title, t.seq, t.norm_title AS nt,
	       t.main_amount_yen AS amount,
	       row_number() OVER (PARTITION BY t.plan_id, t.norm_title ORDER BY t.seq) AS k
	  FROM v JOIN initiatives t ON t.plan_id = v.to_plan_id),
t AS (
	SELECT coalesce(a.pair, b.pair) AS pair,
	       a.id AS a_id, a.code AS a_code, a.title AS a_title, a.seq AS a_seq, a.amount AS a_amount,
	       b.id AS b_id, b.code AS b_code, b.title AS b_title, b.seq AS b_seq, b.amount AS b_amount
	  FROM a FULL JOIN b ON b.pair = a.pair AND b.nt = a.nt AND b.k = a.k),
ra AS (
	SELECT t.pair, t.a_code AS code, t.a_title AS title, t.a_amount AS amount,
	       CASE WHEN t.a_code IS NOT NULL
	            THEN row_number() OVER (PARTITION BY t.pair, t.a_code ORDER BY t.a_seq) END AS k
	  FROM t WHERE t.b_id IS NULL),
rb AS (
	SELECT t.pair, t.b_code AS code, t.b_title AS title, t.b_amount AS amount,
	       CASE WHEN t.b_code IS NOT NULL
	            THEN row_number() OVER (PARTITION BY t.pair, t.b_code ORDER BY t.b_seq) END AS k
	  FROM t WHERE t.a_id IS NULL),
d AS (
	SELECT t.pair, 'amount_changed' AS change, t.b_code AS initiative_code,
	       t.b_title AS initiative_title, t.a_code AS old_code, t.a_title AS old_title,
	       t.a_amount AS old_amount_yen, t.b_amount AS new_amount_yen, 'title' AS matched_by
	  FROM t
	 WHERE t.a_id IS NOT NULL AND t.b_id IS NOT NULL AND t.a_amount IS DISTINCT FROM t.b_amount
	UNION ALL
	SELECT coalesce(ra.pair, rb.pair),
	       CASE WHEN ra.pair IS NULL THEN 'added' WHEN rb.pair IS NULL THEN 'removed'
	            ELSE 'renamed' END,
	       CASE WHEN rb.pair IS NULL THEN ra.code ELSE rb.code END,
	       CASE WHEN rb.pair IS NULL THEN ra.title ELSE rb.title END,
	       ra.code, ra.title, ra.amount, rb.amount,
	       CASE WHEN ra.pair IS NOT NULL AND rb.pair IS NOT NULL THEN 'code' END
	  FROM ra FULL JOIN rb ON rb.pair = ra.pair AND rb.code = ra.code AND rb.k = ra.k)
SELECT v.org_name, v.fiscal_year,
       v.from_plan_id, v.from_stage, v.to_plan_id, v.to_stage,
       d.change, d.initiative_code, d.initiative_title,
       d.old_code, d.old_title, d.old_amount_yen, d.new_amount_yen,
       d.new_amount_yen - d.old_amount_yen AS change_yen,
       d.matched_by
  FROM d JOIN v ON v.to_plan_id = d.pair;

COMMENT ON VIEW plan_changes IS
	'between consecutive versions of one plan (org, year): initiatives added, removed, renamed (paired by code only) or whose main amount changed (change: added|removed|renamed|amount_changed)';
