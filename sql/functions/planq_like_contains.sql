-- functions/planq_like_contains.sql: a search string as a LIKE pattern,
-- for search_plans.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- q as a LIKE pattern that matches it literally anywhere
CREATE OR REPLACE FUNCTION planq_like_contains(q text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '%' || replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
