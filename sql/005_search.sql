-- 005_search.sql: text search over initiatives for Japanese text.  A pg_trgm
-- GIN index on the NFKC-normalised title + body serves ILIKE '%…%' lookups.
-- pg_trgm only forms trigrams from characters the database's LC_CTYPE calls
-- alphanumeric: with a UTF-8 ctype (C.UTF-8, ja_JP.UTF-8) Japanese is
-- indexed; under the C locale the same queries give the same answers but
-- scan (see docs/REPORTING.md).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- the text searched: title and body, NFKC-normalised (full-width ASCII and
-- half-width kana fold to one form)
CREATE FUNCTION planq_search_text(title text, body text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN normalize(coalesce(title, '') || E'\n' || coalesce(body, ''), NFKC);

CREATE INDEX initiatives_search_trgm ON initiatives
	USING gin (planq_search_text(title, body) gin_trgm_ops);

-- q as a LIKE pattern that matches it literally anywhere
CREATE FUNCTION planq_like_contains(q text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '%' || replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%';

-- the searchable initiatives of current plans
CREATE VIEW initiative_search AS
SELECT p.id AS plan_id, p.org_name, p.fiscal_year, p.stage,
       t.id AS initiative_id, t.code AS initiative_code, t.title AS initiative_title,
       planq_search_text(t.title, t.body) AS search_text
  FROM plans p
  JOIN initiatives t ON t.plan_id = p.id
 WHERE p.is_current;

COMMENT ON VIEW initiative_search IS
	'initiatives of current plans with search_text (NFKC title + body) for search_plans()';

-- initiatives of current plans whose title or body contains q (after NFKC,
-- case-insensitive), with about 20 characters of context each side.
-- Title hits first.  Reads a view, so planq_report may call it.
CREATE FUNCTION search_plans(q text)
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
