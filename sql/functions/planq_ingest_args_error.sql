-- functions/planq_ingest_args_error.sql: the first argument error of a
-- planq_ingest_batch call, worded as planq_ingest words it.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- The first argument error of a batch, as planq_ingest has always worded
-- it (with the document's position when there is more than one); NULL when
-- every document is well-formed.  p_has_plan[i]: whether document i comes
-- with a plan (planq_ingest_batch: p_plan[i] is an object whose is_plan is
-- not false; planq_ingest_rows: p_facts has a row for it).
CREATE OR REPLACE FUNCTION planq_ingest_args_error(p_sha256 bytea[], p_raw bytea[],
                                        p_outcome text[], p_reason text[],
                                        p_has_plan boolean[],
                                        p_parser_version text,
                                        OUT errcode text, OUT message text,
                                        OUT hint text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	n	integer := cardinality(p_raw);
	v	record;
BEGIN
	IF p_parser_version IS NULL OR p_parser_version = '' THEN
		errcode := 'null_value_not_allowed';
		message := 'planq_ingest: p_parser_version is missing';
		RETURN;
	END IF;
	IF n IS NULL OR n = 0
	   OR cardinality(p_sha256) IS DISTINCT FROM n
	   OR cardinality(p_outcome) IS DISTINCT FROM n
	   OR cardinality(p_reason) IS DISTINCT FROM n
	   OR cardinality(p_has_plan) IS DISTINCT FROM n THEN
		errcode := 'invalid_parameter_value';
		message := format('planq_ingest_batch: the arrays must all hold the same number (> 0) of documents; got sha256 %s, raw %s, outcome %s, reason %s, plan %s',
		                  cardinality(p_sha256), n, cardinality(p_outcome),
		                  cardinality(p_reason), cardinality(p_has_plan));
		RETURN;
	END IF;
	SELECT u.i,
	       CASE
	       WHEN u.raw IS NULL THEN 'null'
	       WHEN u.sha IS NOT NULL AND u.sha <> sha256(u.raw) THEN 'sha'
	       WHEN u.oc = 'stored' AND u.plan IS NOT TRUE THEN 'plan'
	       WHEN u.oc = 'rejected' AND (u.rs IS NULL OR u.rs = '') THEN 'reason'
	       WHEN u.oc IS NULL OR u.oc NOT IN ('stored', 'rejected') THEN 'outcome'
	       END AS what, u.sha, u.raw, u.oc
	  INTO v
	  FROM unnest(p_sha256, p_raw, p_outcome, p_reason, p_has_plan)
	       WITH ORDINALITY AS u(sha, raw, oc, rs, plan, i)
	 WHERE u.raw IS NULL
	    OR (u.sha IS NOT NULL AND u.sha <> sha256(u.raw))
	    OR (u.oc = 'stored' AND u.plan IS NOT TRUE)
	    OR (u.oc = 'rejected' AND (u.rs IS NULL OR u.rs = ''))
	    OR u.oc IS NULL OR u.oc NOT IN ('stored', 'rejected')
	 ORDER BY u.i LIMIT 1;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	CASE v.what
	WHEN 'null' THEN
		errcode := 'null_value_not_allowed';
		message := 'planq_ingest: p_raw (the document bytes) is NULL';
	WHEN 'sha' THEN
		errcode := 'data_exception';
		message := format('planq_ingest: p_sha256 %s is not the SHA-256 of the %s raw bytes',
		                  encode(v.sha, 'hex'), octet_length(v.raw));
		hint := 'pass the digest of exactly the bytes received, or NULL to have it computed';
	WHEN 'plan' THEN
		errcode := 'invalid_parameter_value';
		message := 'planq_ingest: outcome ''stored'' needs p_plan, a plan object with is_plan true';
	WHEN 'reason' THEN
		errcode := 'invalid_parameter_value';
		message := 'planq_ingest: outcome ''rejected'' needs a non-empty p_reason';
	ELSE
		errcode := 'invalid_parameter_value';
		message := format('planq_ingest: p_outcome is %L; expected ''stored'' or ''rejected''',
		                  v.oc);
	END CASE;
	IF n > 1 THEN
		message := format('%s (document %s of the batch of %s)', message, v.i, n);
	END IF;
END $$;

-- not for PUBLIC: only the other planq_* functions call it
REVOKE EXECUTE ON FUNCTION planq_ingest_args_error(bytea[], bytea[], text[], text[], boolean[], text) FROM PUBLIC;
