-- views/parse_quality.sql: how well the parser reads what arrives, per day
-- and source host (docs/REPORTING.md, `planq report quality`): the plans
-- stored, the share of them with each warning (plans.warning_codes, the
-- codes of docs/PLAN-JSON.md), the mean issues and initiatives per plan,
-- and the documents refused as not a plan.  A day when the city changes
-- its page layout shows as warnings rising and plans getting thinner.
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.
--
-- Days are the documents' received_at in the session's time zone.  Shares
-- are over the plans whose parse wrote warnings (warning_codes not NULL:
-- parser 1.1.0 and later), NULL when there is none.  A column per code:
-- a code the parser gains (parse/parse.h) gets its column here, at the
-- end; tests/integration/test_sql_quality.sh compares the columns with the
-- codes planqd's /metrics counts.
--
-- The counts per plan are the ones stored with it (plans.issue_count and
-- initiative_count, written by planq_store_plans with its rows): counting
-- the issues and initiatives rows here, two index scans per plan, made a
-- read of this one-row-per-day view grow with every row ever stored (1.2 s
-- at 20,000 documents against 0.15 s; bench/RESULTS.md, 2026-12-07).
CREATE OR REPLACE VIEW parse_quality AS
SELECT d.received_at::date				AS day,
       d.source_host,
       count(p.id)					AS plans,
       count(*) FILTER (WHERE d.outcome = 'rejected'
                          AND d.reason LIKE 'not a plan%')	AS not_plans,
       round(avg(p.issue_count), 2)			AS mean_issues,
       round(avg(p.initiative_count), 2)		AS mean_initiatives,
       round(avg((p.warning_codes <> '{}')::int), 3)	AS warned,
       round(avg((p.warning_codes @> '{no_title}')::int), 3)		AS no_title,
       round(avg((p.warning_codes @> '{no_fiscal_year}')::int), 3)	AS no_fiscal_year,
       round(avg((p.warning_codes @> '{no_org}')::int), 3)		AS no_org,
       round(avg((p.warning_codes @> '{org_unknown}')::int), 3)		AS org_unknown,
       round(avg((p.warning_codes @> '{org_name_noise}')::int), 3)	AS org_name_noise,
       round(avg((p.warning_codes @> '{no_goals}')::int), 3)		AS no_goals,
       round(avg((p.warning_codes @> '{no_missions}')::int), 3)		AS no_missions,
       round(avg((p.warning_codes @> '{no_policies}')::int), 3)		AS no_policies,
       round(avg((p.warning_codes @> '{no_issues}')::int), 3)		AS no_issues,
       round(avg((p.warning_codes @> '{issue_without_strategies}')::int), 3)
							AS issue_without_strategies,
       round(avg((p.warning_codes @> '{initiative_without_budget}')::int), 3)
							AS initiative_without_budget,
       round(avg((p.warning_codes @> '{budget_unlabelled}')::int), 3)	AS budget_unlabelled,
       round(avg((p.warning_codes @> '{truncated}')::int), 3)		AS truncated
  FROM documents d
  LEFT JOIN plans p ON p.document_id = d.id
 GROUP BY 1, 2;

COMMENT ON VIEW parse_quality IS
	'per day (received_at, session time zone) and source host: plans stored, documents refused as not a plan, mean issues and initiatives per plan, and the share of plans (0..1, over plans parsed with warnings) with any warning (warned) and with each warning code';
