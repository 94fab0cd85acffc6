-- functions/planq_store_plan_changes.sql: the rows of plan_changes stored
-- per pair of consecutive plan versions (sql/023_plan_changes_stored.sql),
-- for the pairs not stored yet.  The workers call it on their maintenance
-- session once they are idle (workers/maintain.c); until then a read of
-- plan_changes diffs the pairs not stored itself.  Granted to
-- planq_ingest by sql/roles.sql.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- The rows are the view's own (its second part, which diffs the pairs not
-- stored), so the diff's rules live in views/plan_changes.sql alone.  They
-- are copied for up to p_max_orgs organisations (org_name) a call: a WHERE
-- on org_name reaches plan_version_pairs' window (its partition) and
-- selects the plans by their index, where a WHERE on a pair's plan ids
-- would make every call diff every pair; one statement for them all, so
-- that their pairs are diffed in one pass as a full read of the view does
-- (~0.2 ms a pair), not one (org, year) at a time (~0.6 ms a pair).  A
-- call of 4 organisations of ~10 years of ~25 versions takes ~0.5 s, so
-- that a burst that starts meanwhile soon has the cores back.  Returns
-- the pairs stored and the organisations that still have pairs to store
-- (the worker calls again while there are).  Stored rows of pairs that are
-- no longer consecutive are deleted on the way (the view never shows
-- them; such a pair only arises with new pairs to store, so a call that
-- finds none left returns at once).  The organisations left are found
-- once a call (plan_version_pairs' window over every plan, ~50 ms at
-- 17,000 plans), and the ones stored counted off.
--
-- One caller at a time: the others return at once (0, NULL), as
-- planq_analyze_stale does.  A table it cannot lock within a second (a
-- migration altering it) fails the call, which the worker logs; it calls
-- again after its next burst.  A plan deleted meanwhile (`planq reparse`)
-- fails its pair's foreign key: the call stores nothing, and the next one
-- stores the pairs as they are then.  SECURITY DEFINER: the ingest role
-- owns no table.
CREATE OR REPLACE FUNCTION planq_store_plan_changes(p_max_orgs integer DEFAULT 4)
RETURNS TABLE (pairs_stored bigint, orgs_left bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
SET lock_timeout = '1s' AS $$
DECLARE
	v_left	text[];		-- the organisations with pairs not stored
	v_orgs	text[];		-- the first p_max_orgs of them, stored now
BEGIN
	pairs_stored := 0;
	IF NOT pg_try_advisory_xact_lock(hashtext('planq_store_plan_changes')) THEN
		RETURN NEXT;
		RETURN;
	END IF;
	SELECT array_agg(DISTINCT v.org_name ORDER BY v.org_name) INTO v_left
	  FROM plan_version_pairs v
	 WHERE NOT EXISTS (SELECT 1 FROM plan_change_pairs s
	                    WHERE s.from_plan_id = v.from_plan_id
	                      AND s.to_plan_id = v.to_plan_id);
	orgs_left := coalesce(cardinality(v_left), 0);
	IF orgs_left = 0 THEN
		RETURN NEXT;
		RETURN;
	END IF;
	DELETE FROM plan_change_pairs s
	 WHERE NOT EXISTS (SELECT 1 FROM plan_version_pairs v
	                    WHERE v.from_plan_id = s.from_plan_id
	                      AND v.to_plan_id = s.to_plan_id);
	v_orgs := v_left[1:p_max_orgs];
	BEGIN
		-- one statement, so that its view read and its NOT EXISTS see
		-- the pairs as they were before it stored any: the rows are the
		-- view's second part (pairs not stored), and the foreign key of
		-- the rows is checked at its end
		WITH pairs AS (
			INSERT INTO plan_change_pairs (from_plan_id, to_plan_id)
			SELECT v.from_plan_id, v.to_plan_id
			  FROM plan_version_pairs v
			 WHERE v.org_name = ANY (v_orgs)
			   AND NOT EXISTS (SELECT 1 FROM plan_change_pairs s
			                    WHERE s.from_plan_id = v.from_plan_id
			                      AND s.to_plan_id = v.to_plan_id)
			RETURNING 1),
		stored AS (
			INSERT INTO plan_change_rows (from_plan_id, to_plan_id, change,
			                              initiative_code, initiative_title,
			                              old_code, old_title, old_amount_yen,
			                              new_amount_yen, matched_by)
			SELECT c.from_plan_id, c.to_plan_id, c.change,
			       c.initiative_code, c.initiative_title, c.old_code,
			       c.old_title, c.old_amount_yen, c.new_amount_yen, c.matched_by
			  FROM plan_changes c
			 WHERE c.org_name = ANY (v_orgs)
			   AND NOT EXISTS (SELECT 1 FROM plan_change_pairs s
			                    WHERE s.from_plan_id = c.from_plan_id
			                      AND s.to_plan_id = c.to_plan_id)
			RETURNING 1)
		SELECT count(*) INTO pairs_stored FROM pairs;
		orgs_left := orgs_left - cardinality(v_orgs);
	EXCEPTION WHEN foreign_key_violation THEN
		pairs_stored := 0;	-- orgs_left as found: the next call
	END;
	RETURN NEXT;
END $$;

SELECT planq_grant_to_ingest('planq_store_plan_changes');
