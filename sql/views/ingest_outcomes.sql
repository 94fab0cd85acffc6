-- views/ingest_outcomes.sql: documents and ingest events by hour and
-- source host (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- documents (first arrival: stored / rejected) and events (duplicate, and
-- what the daemon records: retry, …), by hour of arrival and source host
CREATE OR REPLACE VIEW ingest_outcomes AS
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
