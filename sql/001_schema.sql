-- 001_schema.sql: the tables.  One row in `documents` per distinct document
-- received (stored or rejected, bytes kept exactly), one row in `plans` per
-- parsed plan, and one child table per part of the plan JSON contract
-- (../shared/spec/plan-json.md).  Everything below a plan cascades on delete,
-- so a reparse replaces a plan by deleting it and inserting the new rows.
--
-- Versions: a plan is identified by (org_name, fiscal_year).  Every version is
-- kept; exactly one per key has is_current (partial unique index), chosen by
-- planq_set_current() in 002_ingest.sql.  Plans without an org or a year are
-- fragments: stored, never current, never merged.
--
-- Applied by `planq db migrate` inside one transaction; no BEGIN/COMMIT here.

-- host part of a URL, lower-cased; NULL when the text is not an absolute URL
CREATE FUNCTION planq_url_host(url text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN lower(substring(url FROM
	'^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(\[[^]/?#]*\]|[^:/?#]+)'));

CREATE TABLE documents (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	sha256		bytea NOT NULL UNIQUE
			CONSTRAINT documents_sha256_is_32_bytes CHECK (length(sha256) = 32),
	raw		bytea NOT NULL,		-- the bytes exactly as received
	size		integer NOT NULL GENERATED ALWAYS AS (octet_length(raw)) STORED,
	envelope	jsonb,			-- the crawler's envelope as received
	client_id	text,
	source_url	text,
	source_host	text GENERATED ALWAYS AS (planq_url_host(source_url)) STORED,
	fetched_at	timestamptz,		-- NULL when the envelope's value does not parse
	content_type	text,
	charset		text,			-- what the worker decoded the bytes from
	outcome		text NOT NULL
			CONSTRAINT documents_outcome_known CHECK (outcome IN ('stored', 'rejected')),
	reason		text,
	parser_version	text NOT NULL,
	received_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT documents_reason_iff_rejected CHECK (
		(outcome = 'stored' AND reason IS NULL) OR
		(outcome = 'rejected' AND reason IS NOT NULL AND reason <> ''))
);
ALTER TABLE documents ALTER COLUMN raw SET COMPRESSION lz4;
ALTER TABLE documents ALTER COLUMN envelope SET COMPRESSION lz4;
CREATE INDEX documents_received_at_idx ON documents (received_at);
CREATE INDEX documents_parser_version_idx ON documents (parser_version);

CREATE TABLE plans (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	document_id	bigint NOT NULL UNIQUE REFERENCES documents ON DELETE CASCADE,
	title		text,
	org_name	text CONSTRAINT plans_org_name_not_blank CHECK (org_name <> ''),
	org_kind	text CONSTRAINT plans_org_kind_known CHECK (org_kind IN ('ward', 'bureau')),
	fiscal_year	integer
			CONSTRAINT plans_fiscal_year_plausible CHECK (fiscal_year BETWEEN 1926 AND 2100),
	fiscal_year_label text,
	stage		text CONSTRAINT plans_stage_known CHECK (stage IN ('draft', 'proposal', 'final')),
	-- final over proposal over draft when choosing the current version
	stage_rank	smallint NOT NULL GENERATED ALWAYS AS (
			CASE stage WHEN 'final' THEN 3 WHEN 'proposal' THEN 2
			           WHEN 'draft' THEN 1 ELSE 0 END) STORED,
	head_role	text,
	head_name	text,
	published_on	date,
	page_id		text CONSTRAINT plans_page_id_digits CHECK (page_id ~ '^[0-9]+$'),
	parsed		jsonb NOT NULL,		-- the parser's whole output
	parser_version	text NOT NULL,
	is_current	boolean NOT NULL DEFAULT false,
	stored_at	timestamptz NOT NULL DEFAULT now(),
	-- a fragment (no org or no year) is never the current version of anything
	CONSTRAINT plans_current_needs_key CHECK (
		NOT is_current OR (org_name IS NOT NULL AND fiscal_year IS NOT NULL))
);
ALTER TABLE plans ALTER COLUMN parsed SET COMPRESSION lz4;
-- exactly one current version per (org, year)
CREATE UNIQUE INDEX plans_one_current_per_key ON plans (org_name, fiscal_year)
	WHERE is_current;
CREATE INDEX plans_key_idx ON plans (org_name, fiscal_year);

-- goals (目標), missions (使命), policies (運営の基本的な考え方): one row per item
CREATE TABLE plan_texts (
	plan_id		bigint NOT NULL REFERENCES plans ON DELETE CASCADE,
	kind		text NOT NULL
			CONSTRAINT plan_texts_kind_known CHECK (kind IN ('goal', 'mission', 'policy')),
	ordinal		integer NOT NULL CHECK (ordinal > 0),
	body		text NOT NULL,
	PRIMARY KEY (plan_id, kind, ordinal)
);

-- 経営課題
CREATE TABLE issues (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	plan_id		bigint NOT NULL REFERENCES plans ON DELETE CASCADE,
	ordinal		integer NOT NULL CHECK (ordinal > 0),
	number		integer CONSTRAINT issues_number_positive CHECK (number > 0),
	title		text,
	summary		text,
	UNIQUE (plan_id, ordinal)
);

-- 主な戦略
CREATE TABLE strategies (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	issue_id	bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
	ordinal		integer NOT NULL CHECK (ordinal > 0),
	code		text,
	title		text,
	body		text,
	UNIQUE (issue_id, ordinal)
);

-- 具体的取組: under a strategy, or directly under the issue (strategy_id NULL)
CREATE TABLE initiatives (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	plan_id		bigint NOT NULL REFERENCES plans ON DELETE CASCADE,
	issue_id	bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
	strategy_id	bigint REFERENCES strategies ON DELETE CASCADE,
	seq		integer NOT NULL CHECK (seq > 0),	-- document order in the plan
	ordinal		integer NOT NULL CHECK (ordinal > 0),	-- position in its list
	code		text,
	title		text,
	body		text,
	UNIQUE (plan_id, seq)
);
CREATE INDEX initiatives_issue_id_idx ON initiatives (issue_id);
CREATE INDEX initiatives_strategy_id_idx ON initiatives (strategy_id)
	WHERE strategy_id IS NOT NULL;

-- every amount printed for an initiative: ordinal 1 is the main one
CREATE TABLE budgets (
	initiative_id	bigint NOT NULL REFERENCES initiatives ON DELETE CASCADE,
	ordinal		integer NOT NULL CHECK (ordinal > 0),
	label		text NOT NULL CONSTRAINT budgets_label_not_blank CHECK (label <> ''),
	amount_yen	bigint				-- NULL: a printed dash
			CONSTRAINT budgets_amount_yen_not_negative CHECK (amount_yen >= 0),
	PRIMARY KEY (initiative_id, ordinal)
);

-- 市政改革 (様式3)
CREATE TABLE reforms (
	plan_id		bigint NOT NULL REFERENCES plans ON DELETE CASCADE,
	ordinal		integer NOT NULL CHECK (ordinal > 0),
	title		text,
	ref		text,
	body		text,
	PRIMARY KEY (plan_id, ordinal)
);

-- 自己評価
CREATE TABLE evaluations (
	plan_id		bigint PRIMARY KEY REFERENCES plans ON DELETE CASCADE,
	achievements	text,
	challenges	text
);

-- 区政会議の意見の予算要求への反映割合
CREATE TABLE council_reflections (
	plan_id		bigint PRIMARY KEY REFERENCES plans ON DELETE CASCADE,
	total_yen	bigint CONSTRAINT council_total_yen_not_negative CHECK (total_yen >= 0),
	fixed_yen	bigint CONSTRAINT council_fixed_yen_not_negative CHECK (fixed_yen >= 0),
	priority_yen	bigint CONSTRAINT council_priority_yen_not_negative CHECK (priority_yen >= 0),
	base_yen	bigint CONSTRAINT council_base_yen_not_negative CHECK (base_yen >= 0),
	ratio_percent	numeric(6,2)
			CONSTRAINT council_ratio_percent_range CHECK (ratio_percent BETWEEN 0 AND 100)
);

-- このページの作成者・問合せ先
CREATE TABLE contacts (
	plan_id		bigint PRIMARY KEY REFERENCES plans ON DELETE CASCADE,
	office		text,
	phone		text,
	fax		text,
	address		text
);

-- What documents alone cannot tell: duplicates (recorded by planq_ingest) and
-- what the daemon reports through planq_record_event() (retries, refusals).
CREATE TABLE ingest_events (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at		timestamptz NOT NULL DEFAULT now(),
	kind		text NOT NULL
			CONSTRAINT ingest_events_kind_word CHECK (kind ~ '^[a-z][a-z_]{0,31}$'),
	document_id	bigint REFERENCES documents ON DELETE SET NULL,
	source_url	text,
	source_host	text GENERATED ALWAYS AS (planq_url_host(source_url)) STORED,
	reason		text
);
CREATE INDEX ingest_events_at_idx ON ingest_events (at);
CREATE INDEX ingest_events_document_id_idx ON ingest_events (document_id)
	WHERE document_id IS NOT NULL;
