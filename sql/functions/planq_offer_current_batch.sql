-- functions/planq_offer_current_batch.sql: makes a batch's new plans current
-- where they beat the current version of their (org, year).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- Makes each new plan the current version of its (org, year) if it beats
-- the current one (final over proposal over draft, then the newest
-- published_on, then the highest document id), under planq_set_current's
-- advisory lock.  Relies on the invariant planq_set_current keeps: the
-- current row is the best of its key, so the best after more plans is the
-- better of the current row and the best new one.  The keys' locks are
-- taken in one order (their hashes) so that two batches cannot deadlock.
CREATE OR REPLACE FUNCTION planq_offer_current_batch(p_plan_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_lose	bigint[];
	v_win	bigint[];
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('planq.plan_key'), k.h)
	   FROM (SELECT DISTINCT hashtext(p.org_name || '/' || p.fiscal_year::text) AS h
	           FROM plans p
	          WHERE p.id = ANY (p_plan_ids)
	            AND p.org_name IS NOT NULL AND p.fiscal_year IS NOT NULL
	          ORDER BY 1) AS k;
	WITH best_new AS (
		SELECT DISTINCT ON (p.org_name, p.fiscal_year)
		       p.id, p.org_name, p.fiscal_year,
		       (p.stage_rank, coalesce(p.published_on, '-infinity'::date),
		        p.document_id) AS rank
		  FROM plans p
		 WHERE p.id = ANY (p_plan_ids)
		   AND p.org_name IS NOT NULL AND p.fiscal_year IS NOT NULL
		 ORDER BY p.org_name, p.fiscal_year, p.stage_rank DESC,
		          coalesce(p.published_on, '-infinity'::date) DESC,
		          p.document_id DESC)
	SELECT array_agg(cur.id) FILTER (WHERE cur.id IS NOT NULL), array_agg(b.id)
	  INTO v_lose, v_win
	  FROM best_new b
	  LEFT JOIN plans cur ON cur.org_name = b.org_name
	                     AND cur.fiscal_year = b.fiscal_year AND cur.is_current
	 WHERE cur.id IS NULL
	    OR (cur.stage_rank, coalesce(cur.published_on, '-infinity'::date),
	        cur.document_id) < b.rank;
	-- two statements: the unique index is checked row by row
	IF v_lose IS NOT NULL THEN
		UPDATE plans SET is_current = false WHERE id = ANY (v_lose);
	END IF;
	IF v_win IS NOT NULL THEN
		UPDATE plans SET is_current = true WHERE id = ANY (v_win);
	END IF;
END $$;

-- not for PUBLIC: only the other planq_* functions call it
REVOKE EXECUTE ON FUNCTION planq_offer_current_batch(bigint[]) FROM PUBLIC;
