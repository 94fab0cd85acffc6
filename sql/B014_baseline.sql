-- B014_baseline: the schema as migrations 001-014 left it, in one file: what
-- `planq db migrate` applies to an empty database instead of those fourteen
-- files (docs/SCHEMA.md, "The baseline").  It is recorded in
-- planq_migrations as version 14, so the numbered migrations after 014 and
-- then the repeatable files (sql/functions/, sql/views/) follow it as they
-- follow 014 in a database an earlier planq migrated; such a database is
-- accepted as it is (planq db migrate checks only that it is at 14 or
-- later).  Like a numbered migration, this file never changes: a change of
-- the schema is a new numbered migration.
--
-- What it holds: the extension, the row types the callers send (010), the
-- tables with their identity sequences, constraints, indexes and comments,
-- the rows of orgs (011), and the three functions whose values are stored
-- (planq_plan_digest: plans.parsed_sha256; planq_url_host: a generated
-- column; planq_search_text: the trigram index), which are part of their
-- tables.  Every other function, the views, the trigger on documents and
-- the privileges come from the repeatable files and sql/roles.sql.
--
-- How it was made (once, from the files 001-014 at git commit cd50e4b):
-- `planq db migrate` of that commit on an empty database, then
--   pg_dump --schema-only --no-owner --no-privileges DB |
--     sh mk/baseline-sql.sh planq_plan_digest planq_search_text planq_url_host
--   pg_dump --data-only --table=orgs --column-inserts --rows-per-insert=1000 DB
-- (the second with pg_dump's settings and "public." taken out).
-- tests/integration/test_sql_forward.sh checks that a database at 014 from
-- the old files and one made from this file have the same schema once both
-- are migrated.

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TYPE planq_budget_row AS (
	initiative integer,
	ordinal integer,
	label text,
	amount_yen text
);

CREATE TYPE planq_contact_row AS (
	doc integer,
	office text,
	phone text,
	fax text,
	address text
);

CREATE TYPE planq_council_row AS (
	doc integer,
	total_yen text,
	fixed_yen text,
	priority_yen text,
	base_yen text,
	ratio_percent text
);

CREATE TYPE planq_evaluation_row AS (
	doc integer,
	achievements text,
	challenges text
);

CREATE TYPE planq_initiative_row AS (
	doc integer,
	issue integer,
	strategy integer,
	seq integer,
	ordinal integer,
	code text,
	title text,
	body text
);

CREATE TYPE planq_issue_row AS (
	doc integer,
	ordinal integer,
	number text,
	title text,
	summary text
);

CREATE TYPE planq_plan_row AS (
	doc integer,
	title text,
	org_name text,
	org_kind text,
	fiscal_year text,
	fiscal_year_label text,
	stage text,
	head_role text,
	head_name text,
	published_on text,
	page_id text
);

CREATE TYPE planq_reform_row AS (
	doc integer,
	ordinal integer,
	title text,
	ref text,
	body text
);

CREATE TYPE planq_strategy_row AS (
	issue integer,
	ordinal integer,
	code text,
	title text,
	body text
);

CREATE TYPE planq_text_row AS (
	doc integer,
	kind text,
	ordinal integer,
	body text
);

CREATE FUNCTION planq_plan_digest(p_plan jsonb) RETURNS bytea
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN sha256(convert_to((p_plan)::text, 'UTF8'::name));

CREATE FUNCTION planq_url_host(url text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower("substring"(url, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(\[[^]/?#]*\]|[^:/?#]+)'::text));

CREATE TABLE ingest_events (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    kind text NOT NULL,
    document_id bigint,
    source_url text,
    source_host text GENERATED ALWAYS AS (planq_url_host(source_url)) STORED,
    reason text,
    CONSTRAINT ingest_events_kind_word CHECK ((kind ~ '^[a-z][a-z_]{0,31}$'::text))
)
WITH (autovacuum_analyze_scale_factor='0.02', autovacuum_analyze_threshold='1000');

CREATE FUNCTION planq_search_text(title text, body text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN NORMALIZE(((COALESCE(title, ''::text) || '
'::text) || COALESCE(body, ''::text)), NFKC);

CREATE TABLE budgets (
    initiative_id bigint NOT NULL,
    ordinal integer NOT NULL,
    label text,
    amount_yen bigint,
    CONSTRAINT budgets_amount_yen_not_negative CHECK ((amount_yen >= 0)),
    CONSTRAINT budgets_label_not_blank CHECK ((label <> ''::text)),
    CONSTRAINT budgets_ordinal_check CHECK ((ordinal > 0))
)
WITH (autovacuum_analyze_scale_factor='0.02', autovacuum_analyze_threshold='1000');

CREATE TABLE initiatives (
    id bigint NOT NULL,
    plan_id bigint NOT NULL,
    issue_id bigint NOT NULL,
    strategy_id bigint,
    seq integer NOT NULL,
    ordinal integer NOT NULL,
    code text,
    title text,
    body text,
    norm_title text,
    main_budget_label text,
    main_amount_yen bigint,
    CONSTRAINT initiatives_ordinal_check CHECK ((ordinal > 0)),
    CONSTRAINT initiatives_seq_check CHECK ((seq > 0))
)
WITH (autovacuum_analyze_scale_factor='0.02', autovacuum_analyze_threshold='1000');

COMMENT ON COLUMN initiatives.norm_title IS 'planq_norm_title(title), stored at insert: the key matching initiatives across years and versions';

COMMENT ON COLUMN initiatives.main_budget_label IS 'label of the main budget (budgets.ordinal = 1), NULL when none';

COMMENT ON COLUMN initiatives.main_amount_yen IS 'amount of the main budget (budgets.ordinal = 1), NULL for a printed dash or no budget';

CREATE TABLE plans (
    id bigint NOT NULL,
    document_id bigint NOT NULL,
    title text,
    org_name text,
    org_kind text,
    fiscal_year integer,
    fiscal_year_label text,
    stage text,
    stage_rank smallint GENERATED ALWAYS AS (
CASE stage
    WHEN 'final'::text THEN 3
    WHEN 'proposal'::text THEN 2
    WHEN 'draft'::text THEN 1
    ELSE 0
END) STORED NOT NULL,
    head_role text,
    head_name text,
    published_on date,
    page_id text,
    parser_version text NOT NULL,
    is_current boolean DEFAULT false NOT NULL,
    stored_at timestamp with time zone DEFAULT now() NOT NULL,
    org_printed_name text,
    warning_codes text[],
    issue_count integer NOT NULL,
    strategy_count integer NOT NULL,
    initiative_count integer NOT NULL,
    main_total_yen bigint NOT NULL,
    initiatives_without_amount integer NOT NULL,
    parsed_sha256 bytea NOT NULL,
    CONSTRAINT plans_current_needs_key CHECK (((NOT is_current) OR ((org_name IS NOT NULL) AND (fiscal_year IS NOT NULL)))),
    CONSTRAINT plans_fiscal_year_plausible CHECK (((fiscal_year >= 1926) AND (fiscal_year <= 2100))),
    CONSTRAINT plans_org_kind_known CHECK ((org_kind = ANY (ARRAY['ward'::text, 'bureau'::text]))),
    CONSTRAINT plans_org_name_not_blank CHECK ((org_name <> ''::text)),
    CONSTRAINT plans_page_id_digits CHECK ((page_id ~ '^[0-9]+$'::text)),
    CONSTRAINT plans_parsed_sha256_is_32_bytes CHECK ((length(parsed_sha256) = 32)),
    CONSTRAINT plans_stage_known CHECK ((stage = ANY (ARRAY['draft'::text, 'proposal'::text, 'final'::text])))
)
WITH (autovacuum_analyze_scale_factor='0.02', autovacuum_analyze_threshold='1000');

COMMENT ON COLUMN plans.org_name IS 'the organisation''s canonical name (orgs.name); as printed (less 大阪市 and noise) when the reference list does not know it';

COMMENT ON COLUMN plans.org_printed_name IS 'the organisation''s name exactly as the title printed it (org.printed_name)';

COMMENT ON COLUMN plans.warning_codes IS 'codes of the parse''s warnings (docs/PLAN-JSON.md), in their order; {} none; NULL: parsed before warnings existed';

COMMENT ON COLUMN plans.issue_count IS 'rows of issues of this plan';

COMMENT ON COLUMN plans.strategy_count IS 'rows of strategies under this plan''s issues';

COMMENT ON COLUMN plans.initiative_count IS 'rows of initiatives of this plan';

COMMENT ON COLUMN plans.main_total_yen IS 'sum of the initiatives'' main budgets (budgets.ordinal = 1), dashes and none as 0';

COMMENT ON COLUMN plans.initiatives_without_amount IS 'initiatives whose main budget is a dash or who have none';

COMMENT ON COLUMN plans.parsed_sha256 IS 'planq_plan_digest() of the parser''s output this plan was stored from: SHA-256 of its jsonb text; planq_reparse compares a new parse with it';

CREATE TABLE contacts (
    plan_id bigint NOT NULL,
    office text,
    phone text,
    fax text,
    address text
)
WITH (autovacuum_analyze_scale_factor='0.02', autovacuum_analyze_threshold='1000');

CREATE TABLE council_reflections (
    plan_id bigint NOT NULL,
    total_yen bigint,
    fixed_yen bigint,
    priority_yen bigint,
    base_yen bigint,
    ratio_percent numeric(6,2),
    CONSTRAINT council_base_yen_not_negative CHECK ((base_yen >= 0)),
    CONSTRAINT council_fixed_yen_not_negative CHECK ((fixed_yen >= 0)),
    CONSTRAINT council_priority_yen_not_negative CHECK ((priority_yen >= 0)),
    CONSTRAINT council_ratio_percent_range CHECK (((ratio_percent >= (0)::numeric) AND (ratio_percent <= (100)::numeric))),
    CONSTRAINT council_total_yen_not_negative CHECK ((total_yen >= 0))
)
WITH (autovacuum_analyze_scale_factor='0.02', autovacuum_analyze_threshold='1000');

CREATE TABLE documents (
    id bigint NOT NULL,
    sha256 bytea NOT NULL,
    raw bytea NOT NULL,
    size integer GENERATED ALWAYS AS (octet_length(raw)) STORED NOT NULL,
    envelope jsonb,
    client_id text,
    source_url text,
    source_host text GENERATED ALWAYS AS (planq_url_host(source_url)) STORED,
    fetched_at timestamp with time zone,
    content_type text,
    charset text,
    outcome text NOT NULL,
    reason text,
    parser_version text NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT documents_outcome_known CHECK ((outcome = ANY (ARRAY['stored'::text, 'rejected'::text]))),
    CONSTRAINT documents_reason_iff_rejected CHECK ((((outcome = 'stored'::text) AND (reason IS NULL)) OR ((outcome = 'rejected'::text) AND (reason IS NOT NULL) AND (reason <> ''::text)))),
    CONSTRAINT documents_sha256_is_32_bytes CHECK ((length(sha256) = 32))
)
WITH (autovacuum_analyze_scale_factor='0.02', autovacuum_analyze_threshold='1000');
ALTER TABLE ONLY documents ALTER COLUMN raw SET COMPRESSION lz4;
ALTER TABLE ONLY documents ALTER COLUMN envelope SET COMPRESSION lz4;

ALTER TABLE documents ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME documents_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE evaluations (
    plan_id bigint NOT NULL,
    achievements text,
    challenges text
)
WITH (autovacuum_analyze_scale_factor='0.02', autovacuum_analyze_threshold='1000');

ALTER TABLE ingest_events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME ingest_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

ALTER TABLE initiatives ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME initiatives_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE issues (
    id bigint NOT NULL,
    plan_id bigint NOT NULL,
    ordinal integer NOT NULL,
    number integer,
    title text,
    summary text,
    CONSTRAINT issues_number_positive CHECK ((number > 0)),
    CONSTRAINT issues_ordinal_check CHECK ((ordinal > 0))
)
WITH (autovacuum_analyze_scale_factor='0.02', autovacuum_analyze_threshold='1000');

ALTER TABLE issues ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME issues_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE orgs (
    name text NOT NULL,
    kind text,
    category text NOT NULL,
    aliases text[] DEFAULT '{}'::text[] NOT NULL,
    note text,
    CONSTRAINT orgs_category_known CHECK ((category = ANY (ARRAY['ward'::text, 'bureau'::text, 'office'::text, 'secretariat'::text, 'other'::text]))),
    CONSTRAINT orgs_kind_known CHECK ((kind = ANY (ARRAY['ward'::text, 'bureau'::text]))),
    CONSTRAINT orgs_name_not_blank CHECK ((name <> ''::text))
);

COMMENT ON TABLE orgs IS 'Osaka City''s organisations that publish a 運営方針 (parse/orgs.tsv): canonical name, kind as in the plan JSON (ward, bureau, NULL), category (ward, bureau, office, secretariat, other), other printed forms; former organisations stay listed';

CREATE TABLE strategies (
    id bigint NOT NULL,
    issue_id bigint NOT NULL,
    ordinal integer NOT NULL,
    code text,
    title text,
    body text,
    CONSTRAINT strategies_ordinal_check CHECK ((ordinal > 0))
)
WITH (autovacuum_analyze_scale_factor='0.02', autovacuum_analyze_threshold='1000');

CREATE TABLE plan_texts (
    plan_id bigint NOT NULL,
    kind text NOT NULL,
    ordinal integer NOT NULL,
    body text NOT NULL,
    CONSTRAINT plan_texts_kind_known CHECK ((kind = ANY (ARRAY['goal'::text, 'mission'::text, 'policy'::text]))),
    CONSTRAINT plan_texts_ordinal_check CHECK ((ordinal > 0))
)
WITH (autovacuum_analyze_scale_factor='0.02', autovacuum_analyze_threshold='1000');

ALTER TABLE plans ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME plans_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE reforms (
    plan_id bigint NOT NULL,
    ordinal integer NOT NULL,
    title text,
    ref text,
    body text,
    CONSTRAINT reforms_ordinal_check CHECK ((ordinal > 0))
)
WITH (autovacuum_analyze_scale_factor='0.02', autovacuum_analyze_threshold='1000');

ALTER TABLE strategies ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME strategies_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

ALTER TABLE ONLY budgets
    ADD CONSTRAINT budgets_pkey PRIMARY KEY (initiative_id, ordinal);

ALTER TABLE ONLY contacts
    ADD CONSTRAINT contacts_pkey PRIMARY KEY (plan_id);

ALTER TABLE ONLY council_reflections
    ADD CONSTRAINT council_reflections_pkey PRIMARY KEY (plan_id);

ALTER TABLE ONLY documents
    ADD CONSTRAINT documents_pkey PRIMARY KEY (id);

ALTER TABLE ONLY documents
    ADD CONSTRAINT documents_sha256_key UNIQUE (sha256);

ALTER TABLE ONLY evaluations
    ADD CONSTRAINT evaluations_pkey PRIMARY KEY (plan_id);

ALTER TABLE ONLY ingest_events
    ADD CONSTRAINT ingest_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY initiatives
    ADD CONSTRAINT initiatives_pkey PRIMARY KEY (id);

ALTER TABLE ONLY initiatives
    ADD CONSTRAINT initiatives_plan_id_seq_key UNIQUE (plan_id, seq);

ALTER TABLE ONLY issues
    ADD CONSTRAINT issues_pkey PRIMARY KEY (id);

ALTER TABLE ONLY issues
    ADD CONSTRAINT issues_plan_id_ordinal_key UNIQUE (plan_id, ordinal);

ALTER TABLE ONLY orgs
    ADD CONSTRAINT orgs_pkey PRIMARY KEY (name);

ALTER TABLE ONLY plan_texts
    ADD CONSTRAINT plan_texts_pkey PRIMARY KEY (plan_id, kind, ordinal);

ALTER TABLE ONLY plans
    ADD CONSTRAINT plans_document_id_key UNIQUE (document_id);

ALTER TABLE ONLY plans
    ADD CONSTRAINT plans_pkey PRIMARY KEY (id);

ALTER TABLE ONLY reforms
    ADD CONSTRAINT reforms_pkey PRIMARY KEY (plan_id, ordinal);

ALTER TABLE ONLY strategies
    ADD CONSTRAINT strategies_issue_id_ordinal_key UNIQUE (issue_id, ordinal);

ALTER TABLE ONLY strategies
    ADD CONSTRAINT strategies_pkey PRIMARY KEY (id);

CREATE INDEX documents_parser_version_idx ON documents USING btree (parser_version);

CREATE INDEX documents_received_at_idx ON documents USING btree (received_at);

CREATE INDEX ingest_events_at_idx ON ingest_events USING btree (at);

CREATE INDEX ingest_events_document_id_idx ON ingest_events USING btree (document_id) WHERE (document_id IS NOT NULL);

CREATE INDEX initiatives_issue_id_idx ON initiatives USING btree (issue_id);

CREATE INDEX initiatives_search_trgm ON initiatives USING gin (planq_search_text(title, body) gin_trgm_ops);

CREATE INDEX initiatives_strategy_id_idx ON initiatives USING btree (strategy_id) WHERE (strategy_id IS NOT NULL);

CREATE INDEX plans_key_idx ON plans USING btree (org_name, fiscal_year);

CREATE UNIQUE INDEX plans_one_current_per_key ON plans USING btree (org_name, fiscal_year) WHERE is_current;

CREATE INDEX plans_warning_codes_idx ON plans USING gin (warning_codes);

ALTER TABLE ONLY budgets
    ADD CONSTRAINT budgets_initiative_id_fkey FOREIGN KEY (initiative_id) REFERENCES initiatives(id) ON DELETE CASCADE;

ALTER TABLE ONLY contacts
    ADD CONSTRAINT contacts_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plans(id) ON DELETE CASCADE;

ALTER TABLE ONLY council_reflections
    ADD CONSTRAINT council_reflections_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plans(id) ON DELETE CASCADE;

ALTER TABLE ONLY evaluations
    ADD CONSTRAINT evaluations_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plans(id) ON DELETE CASCADE;

ALTER TABLE ONLY ingest_events
    ADD CONSTRAINT ingest_events_document_id_fkey FOREIGN KEY (document_id) REFERENCES documents(id) ON DELETE SET NULL;

ALTER TABLE ONLY initiatives
    ADD CONSTRAINT initiatives_issue_id_fkey FOREIGN KEY (issue_id) REFERENCES issues(id) ON DELETE CASCADE;

ALTER TABLE ONLY initiatives
    ADD CONSTRAINT initiatives_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plans(id) ON DELETE CASCADE;

ALTER TABLE ONLY initiatives
    ADD CONSTRAINT initiatives_strategy_id_fkey FOREIGN KEY (strategy_id) REFERENCES strategies(id) ON DELETE CASCADE;

ALTER TABLE ONLY issues
    ADD CONSTRAINT issues_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plans(id) ON DELETE CASCADE;

ALTER TABLE ONLY plan_texts
    ADD CONSTRAINT plan_texts_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plans(id) ON DELETE CASCADE;

ALTER TABLE ONLY plans
    ADD CONSTRAINT plans_document_id_fkey FOREIGN KEY (document_id) REFERENCES documents(id) ON DELETE CASCADE;

ALTER TABLE ONLY reforms
    ADD CONSTRAINT reforms_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plans(id) ON DELETE CASCADE;

ALTER TABLE ONLY strategies
    ADD CONSTRAINT strategies_issue_id_fkey FOREIGN KEY (issue_id) REFERENCES issues(id) ON DELETE CASCADE;


-- the organisations as 011 listed them (parse/orgs.tsv then)
INSERT INTO orgs (name, kind, category, aliases, note) VALUES
	('北区', 'ward', 'ward', '{}', NULL),
	('都島区', 'ward', 'ward', '{}', NULL),
	('福島区', 'ward', 'ward', '{}', NULL),
	('此花区', 'ward', 'ward', '{}', NULL),
	('中央区', 'ward', 'ward', '{}', NULL),
	('西区', 'ward', 'ward', '{}', NULL),
	('港区', 'ward', 'ward', '{}', NULL),
	('大正区', 'ward', 'ward', '{}', NULL),
	('天王寺区', 'ward', 'ward', '{}', NULL),
	('浪速区', 'ward', 'ward', '{}', NULL),
	('西淀川区', 'ward', 'ward', '{}', NULL),
	('淀川区', 'ward', 'ward', '{}', NULL),
	('東淀川区', 'ward', 'ward', '{}', NULL),
	('東成区', 'ward', 'ward', '{}', NULL),
	('生野区', 'ward', 'ward', '{}', NULL),
	('旭区', 'ward', 'ward', '{}', NULL),
	('城東区', 'ward', 'ward', '{}', NULL),
	('鶴見区', 'ward', 'ward', '{}', NULL),
	('阿倍野区', 'ward', 'ward', '{}', NULL),
	('住之江区', 'ward', 'ward', '{}', NULL),
	('住吉区', 'ward', 'ward', '{}', NULL),
	('東住吉区', 'ward', 'ward', '{}', NULL),
	('平野区', 'ward', 'ward', '{}', NULL),
	('西成区', 'ward', 'ward', '{}', NULL),
	('市長室', NULL, 'office', '{}', NULL),
	('政策企画室', NULL, 'office', '{}', NULL),
	('危機管理室', NULL, 'office', '{}', NULL),
	('人事室', NULL, 'office', '{}', NULL),
	('会計室', NULL, 'office', '{}', NULL),
	('ICT戦略室', NULL, 'office', '{}', 'former; succeeded by デジタル統括室'),
	('デジタル統括室', NULL, 'office', '{}', NULL),
	('経済戦略局', 'bureau', 'bureau', '{}', NULL),
	('総務局', 'bureau', 'bureau', '{}', NULL),
	('都市交通局', 'bureau', 'bureau', '{}', NULL),
	('市民局', 'bureau', 'bureau', '{}', NULL),
	('財政局', 'bureau', 'bureau', '{}', NULL),
	('契約管財局', 'bureau', 'bureau', '{}', NULL),
	('都市整備局', 'bureau', 'bureau', '{}', NULL),
	('都市計画局', 'bureau', 'bureau', '{}', 'former; succeeded by 計画調整局'),
	('計画調整局', 'bureau', 'bureau', '{}', NULL),
	('福祉局', 'bureau', 'bureau', '{}', NULL),
	('健康局', 'bureau', 'bureau', '{}', NULL),
	('こども青少年局', 'bureau', 'bureau', '{}', NULL),
	('環境局', 'bureau', 'bureau', '{}', NULL),
	('水道局', 'bureau', 'bureau', '{}', NULL),
	('建設局', 'bureau', 'bureau', '{}', NULL),
	('港湾局', 'bureau', 'bureau', '{}', 'former; succeeded by 大阪港湾局'),
	('大阪港湾局', 'bureau', 'bureau', '{}', NULL),
	('消防局', 'bureau', 'bureau', '{}', NULL),
	('交通局', 'bureau', 'bureau', '{}', 'former'),
	('副首都推進局', 'bureau', 'bureau', '{}', NULL),
	('IR推進局', 'bureau', 'bureau', '{}', NULL),
	('教育委員会事務局', 'bureau', 'secretariat', '{}', 'the board of education''s secretariat'),
	('行政委員会事務局', 'bureau', 'secretariat', '{}', 'the administrative committees'' secretariat'),
	('選挙管理委員会事務局', 'bureau', 'secretariat', '{}', 'former; merged into 行政委員会事務局'),
	('人事委員会事務局', 'bureau', 'secretariat', '{}', 'former; merged into 行政委員会事務局'),
	('監査委員事務局', 'bureau', 'secretariat', '{}', 'former; merged into 行政委員会事務局'),
	('市会事務局', 'bureau', 'secretariat', '{大阪市会事務局}', 'the city council''s secretariat'),
	('中央卸売市場', NULL, 'other', '{}', NULL);
