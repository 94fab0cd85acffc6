-- views/plans_all_versions.sql: every stored plan version with its counts
-- (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- every stored plan with its counts; is_fragment: no org or no year.  The
-- counts are stored with the plan when it is written (plans.issue_count …,
-- sql/013_stored_for_views.sql), so a read costs one row per plan; only
-- versions, which grows as other versions arrive, is counted here (an
-- index scan of plans_key_idx per plan).
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
       p.issue_count::bigint	AS issues,
       p.strategy_count::bigint	AS strategies,
       p.initiative_count::bigint AS initiatives,
       p.main_total_yen		AS total_yen,
       p.initiatives_without_amount::bigint AS initiatives_without_amount,
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
  JOIN documents d ON d.id = p.document_id;

COMMENT ON VIEW plans_all_versions IS
	'every stored plan version (org_name canonical, org_printed_name as the title printed it, warning_codes of its parse): counts of issues/strategies/initiatives, total of main budgets, versions stored for its (org, year), is_current, is_fragment';
