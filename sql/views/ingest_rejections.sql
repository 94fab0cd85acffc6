-- views/ingest_rejections.sql: rejected documents by hour, host and
-- reason (docs/REPORTING.md).
--
-- Repeatable: `planq db migrate` applies this file again whenever it
-- changes (docs/SCHEMA.md); it holds the whole current definition.

-- the rejections of ingest_outcomes by reason
CREATE OR REPLACE VIEW ingest_rejections AS
SELECT date_trunc('hour', d.received_at) AS hour, d.source_host, d.reason,
       count(*) AS documents
  FROM documents d
 WHERE d.outcome = 'rejected'
 GROUP BY 1, 2, 3;

COMMENT ON VIEW ingest_rejections IS
	'rejected documents per hour, source host and reason';
