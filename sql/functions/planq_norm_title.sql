-- functions/planq_norm_title.sql: an initiative title normalised for
-- matching across years and versions (initiative_history, plan_changes,
-- planq_plan_diff).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.
--
-- Stored: planq_store_plans writes its value into initiatives.norm_title
-- (sql/013_stored_for_views.sql), which the views read.  A change here
-- leaves the stored values of the old definition: it takes a migration
-- that recomputes the column (UPDATE initiatives SET norm_title =
-- planq_norm_title(title)); tests/integration/test_sql_views_same.sh
-- fails while they differ.

-- NFKC, lower case, without spaces and punctuation (ASCII after NFKC, and
-- the Japanese marks NFKC keeps); NULL for an empty title.  Most titles
-- are NFKC already: the IS NFKC NORMALIZED quick check (a table look-up
-- per character) skips the decomposition and recomposition that
-- normalize() always does, for the same result.
CREATE OR REPLACE FUNCTION planq_norm_title(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN nullif(lower(regexp_replace(
	CASE WHEN coalesce(t, '') IS NFKC NORMALIZED THEN coalesce(t, '')
	     ELSE normalize(coalesce(t, ''), NFKC) END,
	'[[:space:][:punct:]・「」『』【】〔〕〈〉《》、。〜]', '', 'g')), '');
