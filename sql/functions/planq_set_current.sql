-- functions/planq_set_current.sql: recounts which version of an (org,
-- year) is current; planq_reparse calls it (a new batch only offers its
-- plans: planq_offer_current_batch).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- Marks the current version of (org, year): final over proposal over draft,
-- then the newest published_on, then the newest arrival.  Serialised per key
-- by a transaction-level advisory lock, so two workers storing versions of
-- the same plan at once both end with exactly one current row.  Needs READ
-- COMMITTED (each statement must see what the lock holder committed).
-- Fragments (no org or no year) have no key and are never current.
CREATE OR REPLACE FUNCTION planq_set_current(p_org text, p_year integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_best bigint;
BEGIN
	IF p_org IS NULL OR p_year IS NULL THEN
		RETURN NULL;
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('planq.plan_key'),
	                              hashtext(p_org || '/' || p_year::text));
	SELECT p.id INTO v_best
	  FROM plans p
	 WHERE p.org_name = p_org AND p.fiscal_year = p_year
	 ORDER BY p.stage_rank DESC, p.published_on DESC NULLS LAST,
	          p.document_id DESC
	 LIMIT 1;
	-- two statements: the unique index is checked row by row
	UPDATE plans SET is_current = false
	 WHERE org_name = p_org AND fiscal_year = p_year AND is_current
	   AND id IS DISTINCT FROM v_best;
	UPDATE plans SET is_current = true
	 WHERE id = v_best AND NOT is_current;
	RETURN v_best;
END $$;

-- not for PUBLIC: only the other planq_* functions call it
REVOKE EXECUTE ON FUNCTION planq_set_current(text, integer) FROM PUBLIC;
