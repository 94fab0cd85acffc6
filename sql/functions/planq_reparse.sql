-- functions/planq_reparse.sql: replaces a stored document's plan with
-- a new parse, for `planq reparse` (docs/SCHEMA.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- Replaces a stored document's parse with the current parser's output, in
-- the caller's transaction.  p_plan: the plan, or {"is_plan":false,
-- "reason":…} (or NULL: undecodable) to mark the document rejected.
-- Returns 'changed' (rows replaced) or 'unchanged' (same output: only the
-- parser version is updated), and the document's plan id afterwards.
-- "Same output": the new plan's planq_plan_digest equals the stored
-- plan's parsed_sha256 (the digest of the JSON it was stored from; the
-- worker computes the same digest itself, rows/plan_digest.c).  The new
-- plan's facts (planq_plan_facts) are read from p_plan.
-- p_charset: what the bytes were decoded from this time (NULL: keep).
-- p_rows (planq_plan_rowset, migration 017): every row of the new plan,
-- naming doc 1, as the caller built them from p_plan (rows/plan_rows.c;
-- see planq_ingest_rows).
CREATE OR REPLACE FUNCTION planq_reparse(p_document_id bigint, p_plan jsonb,
                              p_parser_version text, p_charset text DEFAULT NULL,
                              p_rows planq_plan_rowset DEFAULT NULL)
RETURNS TABLE (status text, plan_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
	v_old		plans%ROWTYPE;
	v_is_plan	boolean;
	v_reason	text;
	v_plan		bigint;
BEGIN
	PERFORM 1 FROM documents d WHERE d.id = p_document_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'no_data_found',
		      MESSAGE = format('planq_reparse: no document with id %s', p_document_id);
	END IF;
	SELECT * INTO v_old FROM plans p WHERE p.document_id = p_document_id;
	v_is_plan := jsonb_typeof(p_plan) = 'object'
	             AND p_plan->'is_plan' IS DISTINCT FROM 'false'::jsonb;
	v_reason := CASE WHEN v_is_plan THEN NULL
	                 ELSE coalesce(nullif(p_plan->>'reason', ''), 'not decodable as text') END;

	IF (v_is_plan AND v_old.parsed_sha256 IS NOT DISTINCT FROM planq_plan_digest(p_plan))
	   OR (NOT v_is_plan AND v_old.id IS NULL
	       AND EXISTS (SELECT 1 FROM documents d WHERE d.id = p_document_id
	                   AND d.reason IS NOT DISTINCT FROM v_reason)) THEN
		UPDATE documents SET parser_version = p_parser_version,
		       charset = coalesce(p_charset, charset)
		 WHERE id = p_document_id;
		UPDATE plans SET parser_version = p_parser_version
		 WHERE id = v_old.id;
		RETURN QUERY SELECT 'unchanged'::text, v_old.id;
		RETURN;
	END IF;

	DELETE FROM plans WHERE id = v_old.id;	-- cascades to every child row
	UPDATE documents
	   SET outcome = CASE WHEN v_is_plan THEN 'stored' ELSE 'rejected' END,
	       reason = v_reason, parser_version = p_parser_version,
	       charset = coalesce(p_charset, charset)
	 WHERE id = p_document_id;
	IF v_is_plan THEN
		v_plan := (planq_store_plans(ARRAY[p_document_id],
		                             planq_plan_facts(ARRAY[p_plan]),
		                             p_parser_version, p_rows))[1];
		PERFORM planq_set_current(p.org_name, p.fiscal_year)
		   FROM plans p WHERE p.id = v_plan;
	END IF;
	-- the old key may have lost its current version
	PERFORM planq_set_current(v_old.org_name, v_old.fiscal_year);
	RETURN QUERY SELECT 'changed'::text, v_plan;
END $$;

-- not for PUBLIC: `planq reparse` runs as the schema owner
REVOKE EXECUTE ON FUNCTION planq_reparse FROM PUBLIC;
