-- 004_reporting.sql: the views analysts use (docs/REPORTING.md has an
-- example query and real output for each).  Views over "current" plans show
-- one plan per (org_name, fiscal_year), so totals never count a draft, a
-- proposal and a final of the same plan three times; *_all_versions views
-- show every stored version, fragments included.
--
-- Matching the same initiative between plans (initiative_history across
-- years, plan_changes across versions) uses the title normalised by
-- planq_norm_title() first and falls back to the printed code.

-- NFKC, lower case, without spaces and punctuation (ASCII after NFKC, and
-- the Japanese marks NFKC keeps); NULL for an empty title
CREATE FUNCTION planq_norm_title(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN nullif(lower(regexp_replace(normalize(coalesce(t, ''), NFKC),
	'[[:space:][:punct:]・「」『』【】〔〕〈〉《》、。〜]', '', 'g')), '');

-- ---- plans -----------------------------------------------------------------

-- every stored plan with its counts; is_fragment: no org or no year
CREATE VIEW plans_all_versions AS
SELECT p.id			AS plan_id,
       p.document_id,
       p.org_name,
       p.org_kind,
       p.fiscal_year,
       p.fiscal_year_label,
       p.stage,
       p.title,
       p.head_role,
       p.head_name,
       p.published_on,
       p.page_id,
       d.source_url,
       ci.issues,
       cs.strategies,
       cb.initiatives,
       cb.total_yen,
       cb.initiatives_without_amount,
       CASE WHEN p.org_name IS NULL OR p.fiscal_year IS NULL THEN 1
            ELSE (SELECT count(*) FROM plans v
                   WHERE v.org_name = p.org_name AND v.fiscal_year = p.fiscal_year)
       END AS versions,
       p.is_current,
       (p.org_name IS NULL OR p.fiscal_year IS NULL) AS is_fragment,
       d.received_at,
       p.stored_at,
       p.parser_version
  FROM plans p
  JOIN documents d ON d.id = p.document_id
 CROSS JOIN LATERAL (SELECT count(*) AS issues FROM issues i WHERE i.plan_id = p.id) ci
 CROSS JOIN LATERAL (SELECT count(*) AS strategies FROM strategies s
                       JOIN issues i ON i.id = s.issue_id WHERE i.plan_id = p.id) cs
 CROSS JOIN LATERAL (SELECT count(*) AS initiatives,
                            coalesce(sum(b.amount_yen), 0)::bigint AS total_yen,
                            count(*) FILTER (WHERE b.amount_yen IS NULL) AS initiatives_without_amount
                       FROM initiatives t
                       LEFT JOIN budgets b ON b.initiative_id = t.id AND b.ordinal = 1
                      WHERE t.plan_id = p.id) cb;

COMMENT ON VIEW plans_all_versions IS
	'every stored plan version: counts of issues/strategies/initiatives, total of main budgets, versions stored for its (org, year), is_current, is_fragment';

-- one row per org and fiscal year: the current version
CREATE VIEW plans_current AS
SELECT * FROM plans_all_versions WHERE is_current;

COMMENT ON VIEW plans_current IS
	'one row per (org_name, fiscal_year): the current version (final > proposal > draft, newest published_on, newest arrival)';

-- plans that lack an org or a year: stored, never merged, never current
CREATE VIEW plan_fragments AS
SELECT * FROM plans_all_versions WHERE is_fragment;

COMMENT ON VIEW plan_fragments IS
	'stored plans without org_name or fiscal_year: never current, never merged with other plans';

-- ---- budgets -----------------------------------------------------------------

-- org × year (current versions): total of main budgets, dashes, and every
-- printed amount split by label kind
CREATE VIEW budget_by_org_year AS
SELECT p.org_name,
       p.fiscal_year,
       p.stage,
       m.initiatives,
       m.main_total_yen,
       m.main_unknown,
       m.without_budget,
       l.budget_yen,
       l.estimate_yen,
       l.ward_cm_yen,
       l.other_yen,
       l.unknown_amounts,
       l.by_label,
       p.id AS plan_id
  FROM plans p
 CROSS JOIN LATERAL (
	SELECT count(*) AS initiatives,
	       coalesce(sum(b.amount_yen), 0)::bigint AS main_total_yen,
	       count(*) FILTER (WHERE b.initiative_id IS NOT NULL
	                          AND b.amount_yen IS NULL) AS main_unknown,
	       count(*) FILTER (WHERE b.initiative_id IS NULL) AS without_budget
	  FROM initiatives t
	  LEFT JOIN budgets b ON b.initiative_id = t.id AND b.ordinal = 1
	 WHERE t.plan_id = p.id) m
 CROSS JOIN LATERAL (
	SELECT coalesce(sum(x.amount) FILTER (WHERE x.label = '予算額'), 0)::bigint AS budget_yen,
	       coalesce(sum(x.amount) FILTER (WHERE x.label = '算定見込額'), 0)::bigint AS estimate_yen,
	       coalesce(sum(x.amount) FILTER (WHERE x.label LIKE '%区CM%'), 0)::bigint AS ward_cm_yen,
	       coalesce(sum(x.amount) FILTER (WHERE x.label NOT IN ('予算額', '算定見込額')
	                                        AND x.label NOT LIKE '%区CM%'), 0)::bigint AS other_yen,
	       coalesce(sum(x.dashes), 0)::bigint AS unknown_amounts,
	       coalesce(jsonb_object_agg(x.label, x.amount ORDER BY x.label)
	                FILTER (WHERE x.label IS NOT NULL), '{}') AS by_label
	  FROM (SELECT b.label, sum(b.amount_yen) AS amount,
	               count(*) FILTER (WHERE b.amount_yen IS NULL) AS dashes
	          FROM initiatives t JOIN budgets b ON b.initiative_id = t.id
	         WHERE t.plan_id = p.id
	         GROUP BY b.label) x) l
 WHERE p.is_current;

COMMENT ON VIEW budget_by_org_year IS
	'current plans by (org_name, fiscal_year): main_total_yen = sum of each initiative''s first budget, main_unknown = initiatives whose main amount is a dash, without_budget = initiatives with no amount printed; budget_yen (予算額), estimate_yen (算定見込額), ward_cm_yen (labels with 区CM), other_yen sum every printed amount by label; by_label: label -> yen';

-- ---- one initiative across years ----------------------------------------------

-- each initiative of a current plan beside its predecessor in an earlier
-- year of the same org: the nearest year with the same normalised title,
-- else the nearest year with the same code (matched_by says which)
CREATE VIEW initiative_history AS
SELECT x.org_name,
       x.fiscal_year,
       x.initiative_code,
       x.initiative_title,
       x.budget_label,
       x.amount_yen,
       prev.fiscal_year			AS prev_fiscal_year,
       prev.initiative_code		AS prev_code,
       prev.initiative_title		AS prev_title,
       prev.amount_yen			AS prev_amount_yen,
       x.amount_yen - prev.amount_yen	AS change_yen,
       round(100.0 * (x.amount_yen - prev.amount_yen) / nullif(prev.amount_yen, 0), 1)
					AS change_percent,
       prev.matched_by,
       x.plan_id,
       x.initiative_id,
       prev.initiative_id		AS prev_initiative_id
  FROM plan_initiatives x
  LEFT JOIN LATERAL (
	SELECT c.fiscal_year, c.initiative_code, c.initiative_title, c.amount_yen,
	       c.initiative_id,
	       CASE WHEN planq_norm_title(c.initiative_title) = planq_norm_title(x.initiative_title)
	            THEN 'title' ELSE 'code' END AS matched_by
	  FROM plan_initiatives c
	 WHERE c.org_name = x.org_name AND c.fiscal_year < x.fiscal_year
	   AND (planq_norm_title(c.initiative_title) = planq_norm_title(x.initiative_title)
	        OR c.initiative_code = x.initiative_code)
	 ORDER BY planq_norm_title(c.initiative_title) = planq_norm_title(x.initiative_title) DESC,
	          c.fiscal_year DESC, c.initiative_seq
	 LIMIT 1) prev ON true;

COMMENT ON VIEW initiative_history IS
	'initiatives of current plans with their predecessor in an earlier fiscal year of the same org (title match first, then code): amounts side by side, change_yen, change_percent';

-- ---- changes between versions of one plan ---------------------------------------

-- consecutive versions of each (org, year), in the order that decides the
-- current one (draft → proposal → final, then published_on, then arrival)
CREATE VIEW plan_version_pairs AS
SELECT v.org_name, v.fiscal_year,
       v.prev_id AS from_plan_id, v.prev_stage AS from_stage,
       v.id AS to_plan_id, v.stage AS to_stage
  FROM (SELECT p.id, p.org_name, p.fiscal_year, p.stage,
               lag(p.id) OVER w AS prev_id, lag(p.stage) OVER w AS prev_stage
          FROM plans p
         WHERE p.org_name IS NOT NULL AND p.fiscal_year IS NOT NULL
        WINDOW w AS (PARTITION BY p.org_name, p.fiscal_year
                     ORDER BY p.stage_rank, p.published_on NULLS FIRST, p.document_id)) v
 WHERE v.prev_id IS NOT NULL;

-- What changed from one plan to another, one row per initiative:
--   added / removed           no counterpart in the other plan
--   renamed                   paired by code only (title differs), amounts shown
--   amount_changed            paired by title, main amount differs
-- Pairs by normalised title first (the n-th of equal titles with the n-th),
-- then the rest by code.  initiative_code/_title are the newer side's (the
-- removed one's for 'removed'), old_code/_title the older side's.
-- Reads a view only, so planq_report may call it.
CREATE FUNCTION planq_plan_diff(p_from bigint, p_to bigint)
RETURNS TABLE (change text, initiative_code text, initiative_title text,
               old_code text, old_title text,
               old_amount_yen bigint, new_amount_yen bigint, matched_by text)
LANGUAGE sql STABLE AS $$
WITH a AS (
	SELECT initiative_id AS id, initiative_code AS code, initiative_title AS title,
	       amount_yen AS amount, initiative_seq AS seq,
	       planq_norm_title(initiative_title) AS nt
	  FROM plan_initiatives_all_versions WHERE plan_id = p_from),
b AS (
	SELECT initiative_id AS id, initiative_code AS code, initiative_title AS title,
	       amount_yen AS amount, initiative_seq AS seq,
	       planq_norm_title(initiative_title) AS nt
	  FROM plan_initiatives_all_versions WHERE plan_id = p_to),
by_title AS (
	SELECT a2.id AS aid, b2.id AS bid
	  FROM (SELECT id, nt, row_number() OVER (PARTITION BY nt ORDER BY seq) AS k
	          FROM a WHERE nt IS NOT NULL) a2
	  JOIN (SELECT id, nt, row_number() OVER (PARTITION BY nt ORDER BY seq) AS k
	          FROM b WHERE nt IS NOT NULL) b2 ON b2.nt = a2.nt AND b2.k = a2.k),
by_code AS (
	SELECT a2.id AS aid, b2.id AS bid
	  FROM (SELECT id, code, row_number() OVER (PARTITION BY code ORDER BY seq) AS k
	          FROM a WHERE code IS NOT NULL
	           AND id NOT IN (SELECT aid FROM by_title)) a2
	  JOIN (SELECT id, code, row_number() OVER (PARTITION BY code ORDER BY seq) AS k
	          FROM b WHERE code IS NOT NULL
	           AND id NOT IN (SELECT bid FROM by_title)) b2
	    ON b2.code = a2.code AND b2.k = a2.k),
matched AS (
	SELECT aid, bid, 'title' AS how FROM by_title
	UNION ALL
	SELECT aid, bid, 'code' FROM by_code)
SELECT 'added', b.code, b.title, NULL, NULL, NULL::bigint, b.amount, NULL
  FROM b WHERE b.id NOT IN (SELECT bid FROM matched)
UNION ALL
SELECT 'removed', a.code, a.title, a.code, a.title, a.amount, NULL::bigint, NULL
  FROM a WHERE a.id NOT IN (SELECT aid FROM matched)
UNION ALL
SELECT CASE m.how WHEN 'code' THEN 'renamed' ELSE 'amount_changed' END,
       b.code, b.title, a.code, a.title, a.amount, b.amount, m.how
  FROM matched m JOIN a ON a.id = m.aid JOIN b ON b.id = m.bid
 WHERE m.how = 'code' OR a.amount IS DISTINCT FROM b.amount
$$;

CREATE VIEW plan_changes AS
SELECT v.org_name, v.fiscal_year,
       v.from_plan_id, v.from_stage, v.to_plan_id, v.to_stage,
       d.change, d.initiative_code, d.initiative_title,
       d.old_code, d.old_title, d.old_amount_yen, d.new_amount_yen,
       d.new_amount_yen - d.old_amount_yen AS change_yen,
       d.matched_by
  FROM plan_version_pairs v
 CROSS JOIN LATERAL planq_plan_diff(v.from_plan_id, v.to_plan_id) d;

COMMENT ON VIEW plan_changes IS
	'between consecutive versions of one plan (org, year): initiatives added, removed, renamed (paired by code only) or whose main amount changed (change: added|removed|renamed|amount_changed)';

-- ---- ingest -------------------------------------------------------------------

-- documents (first arrival: stored / rejected) and events (duplicate, and
-- what the daemon records: retry, …), by hour of arrival and source host
CREATE VIEW ingest_outcomes AS
SELECT e.hour, e.source_host,
       count(*) FILTER (WHERE e.kind = 'stored')	AS stored,
       count(*) FILTER (WHERE e.kind = 'duplicate')	AS duplicate,
       count(*) FILTER (WHERE e.kind = 'rejected')	AS rejected,
       count(*) FILTER (WHERE e.kind = 'retry')	AS retry,
       count(*) FILTER (WHERE e.kind NOT IN ('stored', 'duplicate', 'rejected', 'retry'))
							AS other_events,
       count(*)					AS total
  FROM (SELECT date_trunc('hour', d.received_at) AS hour, d.source_host, d.outcome AS kind
          FROM documents d
        UNION ALL
        SELECT date_trunc('hour', v.at), v.source_host, v.kind
          FROM ingest_events v) e
 GROUP BY e.hour, e.source_host;

COMMENT ON VIEW ingest_outcomes IS
	'per hour (session time zone) and source host: new documents stored/rejected, duplicates (resent bytes), retries and other daemon events';

-- the rejections of ingest_outcomes by reason
CREATE VIEW ingest_rejections AS
SELECT date_trunc('hour', d.received_at) AS hour, d.source_host, d.reason,
       count(*) AS documents
  FROM documents d
 WHERE d.outcome = 'rejected'
 GROUP BY 1, 2, 3;

COMMENT ON VIEW ingest_rejections IS
	'rejected documents per hour, source host and reason';
