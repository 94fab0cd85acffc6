-- views/plans_all_versions.sql: every stored plan version with its counts
-- (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- every stored plan with its counts; is_fragment: no org or no year
CREATE OR REPLACE VIEW plans_all_versions AS
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

COMMENT ON VIEW plans_all_versions IS
	'every stored plan version (org_name canonical, org_printed_name as the title printed it, warning_codes of its parse): counts of issues/strategies/initiatives, total of main budgets, versions stored for its (org, year), is_current, is_fragment';
