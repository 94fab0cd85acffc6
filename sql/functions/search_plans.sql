-- functions/search_plans.sql: full-text search over the initiatives of
-- current plans (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- initiatives of current plans whose title or body contains q (after NFKC,
-- case-insensitive), with about 20 characters of context each side.
-- Title hits first.  Reads a view, so planq_report may call it.
CREATE OR REPLACE FUNCTION search_plans(q text)
RETURNS TABLE (org_name text, fiscal_year integer, stage text,
               initiative_code text, initiative_title text, snippet text,
               plan_id bigint, initiative_id bigint)
LANGUAGE sql STABLE AS $$
SELECT s.org_name, s.fiscal_year, s.stage, s.initiative_code, s.initiative_title,
       regexp_replace(
           CASE WHEN h.pos > 21 THEN '…' ELSE '' END
           || substr(s.search_text, greatest(h.pos - 20, 1),
                     least(h.pos, 21) + length(h.nq) + 19)
           || CASE WHEN h.pos + length(h.nq) + 20 <= length(s.search_text)
                   THEN '…' ELSE '' END,
           '\s+', ' ', 'g') AS snippet,
       s.plan_id, s.initiative_id
  FROM initiative_search s
 CROSS JOIN LATERAL (
	SELECT normalize(q, NFKC) AS nq,
	       strpos(lower(s.search_text), lower(normalize(q, NFKC))) AS pos) h
 WHERE btrim(q) <> ''
   AND s.search_text ILIKE planq_like_contains(normalize(q, NFKC))
 ORDER BY h.pos <= length(coalesce(s.initiative_title, '')) DESC,
          s.org_name, s.fiscal_year DESC, s.initiative_id
$$;
