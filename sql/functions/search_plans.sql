-- functions/search_plans.sql: full-text search over the initiatives of
-- current plans (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- initiatives of current plans whose title or body contains q (after NFKC,
-- case-insensitive), with about 20 characters of context each side.
-- Title hits first.  Reads a view, so planq_report may call it.
--
-- Two ways to the same rows, chosen per call by q and the database:
--  - the pg_trgm index (initiatives_search_trgm) when it can narrow the
--    search: q of 3 characters or more (pg_trgm needs a trigram) in a
--    database whose ctype is not C/POSIX (else Japanese is not indexed);
--  - otherwise the current plans' initiatives first (MATERIALIZED), the
--    pattern tested on those only, so the cost follows the current
--    initiatives, not every stored version.  Left to itself the planner
--    took the index there too, which then returns every initiative of every
--    version to recheck: 3 s at 20,000 documents for 防災 (bench/RESULTS.md).
CREATE OR REPLACE FUNCTION search_plans(q text)
RETURNS TABLE (org_name text, fiscal_year integer, stage text,
               initiative_code text, initiative_title text, snippet text,
               plan_id bigint, initiative_id bigint)
LANGUAGE sql STABLE AS $$
WITH by_index AS (
	SELECT length(btrim(normalize(q, NFKC))) >= 3
	       AND current_setting('lc_ctype') NOT IN ('C', 'POSIX') AS yes),
current_first AS MATERIALIZED (
	SELECT * FROM initiative_search WHERE NOT (SELECT yes FROM by_index)),
s AS (
	SELECT * FROM current_first
	UNION ALL
	SELECT * FROM initiative_search WHERE (SELECT yes FROM by_index))
SELECT s.org_name, s.fiscal_year, s.stage, s.initiative_code, s.initiative_title,
       regexp_replace(
           CASE WHEN h.pos > 21 THEN '…' ELSE '' END
           || substr(s.search_text, greatest(h.pos - 20, 1),
                     least(h.pos, 21) + length(h.nq) + 19)
           || CASE WHEN h.pos + length(h.nq) + 20 <= length(s.search_text)
                   THEN '…' ELSE '' END,
           '\s+', ' ', 'g') AS snippet,
       s.plan_id, s.initiative_id
  FROM s
 CROSS JOIN LATERAL (
	SELECT normalize(q, NFKC) AS nq,
	       strpos(lower(s.search_text), lower(normalize(q, NFKC))) AS pos) h
 WHERE btrim(q) <> ''
   AND s.search_text ILIKE planq_like_contains(normalize(q, NFKC))
 ORDER BY h.pos <= length(coalesce(s.initiative_title, '')) DESC,
          s.org_name, s.fiscal_year DESC, s.initiative_id
$$;
