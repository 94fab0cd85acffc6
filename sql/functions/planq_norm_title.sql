-- functions/planq_norm_title.sql: an initiative title normalised for
-- matching across years and versions (initiative_history, planq_plan_diff).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- NFKC, lower case, without spaces and punctuation (ASCII after NFKC, and
-- the Japanese marks NFKC keeps); NULL for an empty title
CREATE OR REPLACE FUNCTION planq_norm_title(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN nullif(lower(regexp_replace(normalize(coalesce(t, ''), NFKC),
	'[[:space:][:punct:]・「」『』【】〔〕〈〉《》、。〜]', '', 'g')), '');
