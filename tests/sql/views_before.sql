-- tests/sql/views_before.sql: the definitions that the set-based rewrites
-- of 2026-12-06 replaced (issue 18: reports that stay fast as the data
-- grows), word for word but for the names, so that
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
