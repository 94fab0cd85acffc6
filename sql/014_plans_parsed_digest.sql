-- 014_plans_parsed_digest: plans.parsed, the parser's whole output kept as
-- jsonb beside the rows made from it, is replaced by its SHA-256
-- (plans.parsed_sha256).  Issue 18, item 5 (bench/RESULTS.md, 2026-12-07).
--
-- What was stored twice: every value of a plan's rows (titles, bodies,
-- amounts of issues, strategies, initiatives, budgets …) was stored in its
-- row and again in plans.parsed, with the JSON's keys around it; the TOAST
-- table of plans was a third of planq's table bytes and of its WAL.  Its
-- only reader was planq_reparse, which asks one question of it: is the new
-- parse the same as the stored one (then only parser_version changes)?  A
-- digest answers that: planq_plan_digest(plan) is the SHA-256 of the plan's
-- jsonb text, which is canonical (keys sorted, no white space), so it is
-- equal for equal jsonb values as the comparison of the two jsonb values
-- was (but for numbers written differently, 1.0 and 1.00: the parser
-- writes a number one way).  Every view reads rows, none read parsed.
-- The parse itself can always be had again from documents.raw (`planq
-- parse`, or `planq reparse`, which re-runs the parser over those bytes).
--
-- planq_plan_digest is here, not in sql/functions/, because its values are
-- stored: changing it would leave the stored digests computed by the old
-- one (docs/SCHEMA.md), so it takes a migration that recomputes them.
--
-- The stored plans get their digest from their stored JSON, and lose the
-- JSON: set NULL first, so that the TOAST chunks become dead rows a plain
-- VACUUM (autovacuum) reclaims, then the column is dropped.  The plans
-- table's own pages keep the rows' old versions until VACUUM too.
CREATE FUNCTION planq_plan_digest(p_plan jsonb) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN sha256(convert_to(p_plan::text, 'UTF8'));

ALTER TABLE plans ADD COLUMN parsed_sha256 bytea
	CONSTRAINT plans_parsed_sha256_is_32_bytes CHECK (length(parsed_sha256) = 32);
COMMENT ON COLUMN plans.parsed_sha256 IS
	'planq_plan_digest() of the parser''s output this plan was stored from: SHA-256 of its jsonb text; planq_reparse compares a new parse with it';

ALTER TABLE plans ALTER COLUMN parsed DROP NOT NULL;
UPDATE plans SET parsed_sha256 = planq_plan_digest(parsed), parsed = NULL;
ALTER TABLE plans ALTER COLUMN parsed_sha256 SET NOT NULL;
ALTER TABLE plans DROP COLUMN parsed;
