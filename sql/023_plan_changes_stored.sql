-- 023_plan_changes_stored: the rows of plan_changes, stored per pair of
-- consecutive plan versions once the workers are idle, so that a read of
-- the view is a join of stored rows instead of a diff of every pair
-- (docs/REPORTING.md "plan_changes"; bench/RESULTS.md, 2026-12-07
-- "changes": a full read at 20,000 documents took 2.4-4 s, ~1.2 s of it
-- the per-pair sorts and joins that no plain-SQL form made cheaper).
--
-- A pair's diff depends only on the initiatives of its two plans, which
-- never change once stored: `planq reparse` deletes a plan and stores a
-- new one (a new id), so the foreign keys' cascades remove every pair a
-- deleted plan was part of.  A plan stored between two versions later
-- makes their pair no longer consecutive; its stored rows stay until
-- planq_store_plan_changes removes them, and the view never shows them,
-- because it joins the stored rows to the pairs plan_version_pairs gives
-- at the time of the read.  A pair not stored yet is diffed by the view
-- itself (planq_plan_changes_computed), so the view's rows never depend on
-- how far the workers have got.

-- the pairs whose diff is stored; a pair with no change has a row here and
-- none in plan_change_rows
CREATE TABLE plan_change_pairs (
	from_plan_id	bigint NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	to_plan_id	bigint NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	PRIMARY KEY (from_plan_id, to_plan_id)
);
-- the cascade from a deleted newer plan
CREATE INDEX plan_change_pairs_to_plan_id_idx ON plan_change_pairs (to_plan_id);

COMMENT ON TABLE plan_change_pairs IS
	'pairs of plan versions whose plan_changes rows are stored in plan_change_rows (filled by planq_store_plan_changes, called by idle workers)';

-- one row per change of a stored pair: the columns of plan_changes that
-- are not the pair's
CREATE TABLE plan_change_rows (
	from_plan_id	bigint NOT NULL,
	to_plan_id	bigint NOT NULL,
	change		text NOT NULL,
	initiative_code	text,
	initiative_title text,
	old_code	text,
	old_title	text,
	old_amount_yen	bigint,
	new_amount_yen	bigint,
	matched_by	text,
	FOREIGN KEY (from_plan_id, to_plan_id)
		REFERENCES plan_change_pairs (from_plan_id, to_plan_id) ON DELETE CASCADE
);
CREATE INDEX plan_change_rows_pair_idx ON plan_change_rows (from_plan_id, to_plan_id);

COMMENT ON TABLE plan_change_rows IS
	'the rows of plan_changes of each pair in plan_change_pairs, as planq_plan_changes_computed() gave them when the pair was stored';
