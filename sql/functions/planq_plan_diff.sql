-- functions/planq_plan_diff.sql: what changed between two plans, one
-- row per initiative (the plan_changes view; docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- What changed from one plan to another, one row per initiative:
--   added / removed           no counterpart in the other plan
--   renamed                   paired by code only (title differs), amounts shown
--   amount_changed            paired by title, main amount differs
-- Pairs by normalised title first (the n-th of equal titles with the n-th),
-- then the rest by code.  initiative_code/_title are the newer side's (the
-- removed one's for 'removed'), old_code/_title the older side's.
-- Reads a view only, so planq_report may call it.
CREATE OR REPLACE FUNCTION planq_plan_diff(p_from bigint, p_to bigint)
RETURNS TABLE (change text, initiative_code text, initiative_title text,
               old_code text, old_title text,
               old_amount_yen bigint, new_amount_yen bigint, matched_by text)
LANGUAGE sql STABLE AS $$
WITH a AS (
	SELECT initiative_id AS id, initiative_code AS code, initiative_title AS title,
	       amount_yen AS amount, initiative_seq AS seq,
	       planq_norm_title(initiative_title) AS nt
	  FROM plan_initiatives_all_versions WHERE plan_id = p_from),
b AS (
	SELECT initiative_id AS id, initiative_code AS code, initiative_title AS title,
	       amount_yen AS amount, initiative_seq AS seq,
	       planq_norm_title(initiative_title) AS nt
	  FROM plan_initiatives_all_versions WHERE plan_id = p_to),
by_title AS (
	SELECT a2.id AS aid, b2.id AS bid
	  FROM (SELECT id, nt, row_number() OVER (PARTITION BY nt ORDER BY seq) AS k
	          FROM a WHERE nt IS NOT NULL) a2
	  JOIN (SELECT id, nt, row_number() OVER (PARTITION BY nt ORDER BY seq) AS k
	          FROM b WHERE nt IS NOT NULL) b2 ON b2.nt = a2.nt AND b2.k = a2.k),
by_code AS (
	SELECT a2.id AS aid, b2.id AS bid
	  FROM (SELECT id, code, row_number() OVER (PARTITION BY code ORDER BY seq) AS k
	          FROM a WHERE code IS NOT NULL
	           AND id NOT IN (SELECT aid FROM by_title)) a2
	  JOIN (SELECT id, code, row_number() OVER (PARTITION BY code ORDER BY seq) AS k
	          FROM b WHERE code IS NOT NULL
	           AND id NOT IN (SELECT bid FROM by_title)) b2
	    ON b2.code = a2.code AND b2.k = a2.k),
matched AS (
	SELECT aid, bid, 'title' AS how FROM by_title
	UNION ALL
	SELECT aid, bid, 'code' FROM by_code)
SELECT 'added', b.code, b.title, NULL, NULL, NULL::bigint, b.amount, NULL
  FROM b WHERE b.id NOT IN (SELECT bid FROM matched)
UNION ALL
SELECT 'removed', a.code, a.title, a.code, a.title, a.amount, NULL::bigint, NULL
  FROM a WHERE a.id NOT IN (SELECT aid FROM matched)
UNION ALL
SELECT CASE m.how WHEN 'code' THEN 'renamed' ELSE 'amount_changed' END,
       b.code, b.title, a.code, a.title, a.amount, b.amount, m.how
  FROM matched m JOIN a ON a.id = m.aid JOIN b ON b.id = m.bid
 WHERE m.how = 'code' OR a.amount IS DISTINCT FROM b.amount
$$;
