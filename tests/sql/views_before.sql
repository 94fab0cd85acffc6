-- tests/sql/views_before.sql: the definitions that the set-based rewrites
-- of 2026-12-06 and the stored columns of migration 013 replaced (issue
-- 18: reports that stay fast as the data grows), word for word but for
-- the names, so that
-- tests/integration/test_sql_views_same.sh can compare every rewritten
-- view's output with the old one's on the same data.  Not applied by
-- `planq db migrate`; the test creates these beside the real ones.

-- initiative_history before: one search per row (LATERAL … LIMIT 1),
-- planq_norm_title evaluated for every pair of initiatives of one org
CREATE OR REPLACE VIEW old_initiative_history AS
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

-- search_plans before: the planner could take the trigram index and
-- recheck every initiative of every version
CREATE OR REPLACE FUNCTION old_search_plans(q text)
RETURNS TABLE (org_name text, fiscal_year integer, stage text,
               initiative_code text, initiative_title text, snippet text,
               plan_id bigint, initiative_id bigint)
LANGUAGE sql STABLE AS $$
SELECT s.org_name, s.fiscal_year, s.stage, s.initiative_code, s.initiative_title,
       regexp_replace(
           CASE WHEN h.pos > 21 THEN '…' ELSE '' END
           || substr(s.search_text, greatest(h.pos - 20, 1),
                     least(h.pos, 21) + length(h.nq) + 19)
           || CASE WHEN h.pos + length(h.nq) + 20 <= length(s.search_text)
                   THEN '…' ELSE '' END,
           '\s+', ' ', 'g') AS snippet,
       s.plan_id, s.initiative_id
  FROM initiative_search s
 CROSS JOIN LATERAL (
	SELECT normalize(q, NFKC) AS nq,
	       strpos(lower(s.search_text), lower(normalize(q, NFKC))) AS pos) h
 WHERE btrim(q) <> ''
   AND s.search_text ILIKE planq_like_contains(normalize(q, NFKC))
 ORDER BY h.pos <= length(coalesce(s.initiative_title, '')) DESC,
          s.org_name, s.fiscal_year DESC, s.initiative_id
$$;

-- plan_budget_totals_all_versions before: GROUP BY p.id only, so a WHERE
-- is_current above it (plan_budget_totals) could not reach the plans scan
CREATE OR REPLACE VIEW old_plan_budget_totals_all_versions AS
SELECT p.id		AS plan_id,
       p.document_id,
       p.org_name,
       p.fiscal_year,
       p.stage,
       count(t.id)	AS initiatives,
       coalesce(sum(b.amount_yen), 0)::bigint AS total_yen,
       count(t.id) FILTER (WHERE b.amount_yen IS NULL) AS initiatives_without_amount,
       p.is_current
  FROM plans p
  LEFT JOIN initiatives t ON t.plan_id = p.id
  LEFT JOIN budgets b ON b.initiative_id = t.id AND b.ordinal = 1
 GROUP BY p.id;

CREATE OR REPLACE VIEW old_plan_budget_totals AS
SELECT * FROM old_plan_budget_totals_all_versions WHERE is_current;

-- plans_all_versions before 013: the counts per plan at every read
-- (lateral count subqueries), not stored with the plan
CREATE OR REPLACE VIEW old_plans_all_versions AS
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
       p.parser_version,
       p.org_printed_name,
       p.warning_codes
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

-- plan_initiatives_all_versions before 013: the main budget joined from
-- budgets, not stored with the initiative
CREATE OR REPLACE VIEW old_plan_initiatives_all_versions AS
SELECT p.id		AS plan_id,
       p.document_id,
       p.org_name,
       p.fiscal_year,
       p.stage,
       i.number		AS issue_number,
       i.title		AS issue_title,
       s.code		AS strategy_code,
       s.title		AS strategy_title,
       t.code		AS initiative_code,
       t.title		AS initiative_title,
       b.label		AS budget_label,
       b.amount_yen,
       p.is_current,
       t.id		AS initiative_id,
       t.seq		AS initiative_seq,
       p.org_printed_name
  FROM plans p
  JOIN initiatives t ON t.plan_id = p.id
  JOIN issues i ON i.id = t.issue_id
  LEFT JOIN strategies s ON s.id = t.strategy_id
  LEFT JOIN budgets b ON b.initiative_id = t.id AND b.ordinal = 1;

-- planq_plan_diff and plan_changes before 013: one call of the diff per
-- version pair, the titles normalised at every read, over the view above
CREATE OR REPLACE FUNCTION old_planq_plan_diff(p_from bigint, p_to bigint)
RETURNS TABLE (change text, initiative_code text, initiative_title text,
               old_code text, old_title text,
               old_amount_yen bigint, new_amount_yen bigint, matched_by text)
LANGUAGE sql STABLE AS $$
WITH a AS (
	SELECT initiative_id AS id, initiative_code AS code, initiative_title AS title,
	       amount_yen AS amount, initiative_seq AS seq,
	       planq_norm_title(initiative_title) AS nt
	  FROM old_plan_initiatives_all_versions WHERE plan_id = p_from),
b AS (
	SELECT initiative_id AS id, initiative_code AS code, initiative_title AS title,
	       amount_yen AS amount, initiative_seq AS seq,
	       planq_norm_title(initiative_title) AS nt
	  FROM old_plan_initiatives_all_versions WHERE plan_id = p_to),
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

CREATE OR REPLACE VIEW old_plan_changes AS
SELECT v.org_name, v.fiscal_year,
       v.from_plan_id, v.from_stage, v.to_plan_id, v.to_stage,
       d.change, d.initiative_code, d.initiative_title,
       d.old_code, d.old_title, d.old_amount_yen, d.new_amount_yen,
       d.new_amount_yen - d.old_amount_yen AS change_yen,
       d.matched_by
  FROM plan_version_pairs v
 CROSS JOIN LATERAL old_planq_plan_diff(v.from_plan_id, v.to_plan_id) d;
