-- 011_orgs_and_warnings: Osaka City's organisations as a table, and what a
-- parse doubted stored with each plan (parser 1.1.0, docs/PLAN-JSON.md).
--
-- orgs: the reference list parse/orgs.tsv, which the parser is built with
-- (mk/orgs-table.sh), as rows: name (canonical), kind (the plan JSON's
-- org.kind: ward, bureau, or NULL for offices and others), category,
-- aliases (other printed forms), note.  The rows below are the output of
-- `sh mk/orgs-sql.sh parse/orgs.tsv`; a change of the list is a new
-- migration holding that script's output again, and
-- tests/integration/test_sql_quality.sh fails while table and list differ.
--
-- plans.org_name is now the canonical name (org.canonical_name, or org.name
-- for an organisation the list does not know: rows/plan_rows.c), so a
-- typo'd page is a version of its ward's plan and every view groups it
-- there; plans.org_printed_name keeps the name as the page printed it.
-- plans.warning_codes: the codes of the plan's warnings, in their order
-- ('{}': none); NULL for a plan whose parser wrote no warnings (before
-- 1.1.0: `planq reparse` fills them).  Both are read from the stored plan
-- JSON by planq_store_plans (sql/functions/planq_store_plans.sql), here for
-- the plans already stored.  Plans stored before this migration keep the
-- org_name they were stored with until `planq reparse` re-parses them.

CREATE TABLE orgs (
	name		text PRIMARY KEY CONSTRAINT orgs_name_not_blank CHECK (name <> ''),
	kind		text CONSTRAINT orgs_kind_known CHECK (kind IN ('ward', 'bureau')),
	category	text NOT NULL CONSTRAINT orgs_category_known
			CHECK (category IN ('ward', 'bureau', 'office', 'secretariat', 'other')),
	aliases		text[] NOT NULL DEFAULT '{}',
	note		text
);
COMMENT ON TABLE orgs IS
	'Osaka City''s organisations that publish a 運営方針 (parse/orgs.tsv): canonical name, kind as in the plan JSON (ward, bureau, NULL), category (ward, bureau, office, secretariat, other), other printed forms; former organisations stay listed';

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
	('市会事務局', 'bureau', 'secretariat', string_to_array('大阪市会事務局', ','), 'the city council''s secretariat'),
	('中央卸売市場', NULL, 'other', '{}', NULL)
ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind,
	category = EXCLUDED.category, aliases = EXCLUDED.aliases,
	note = EXCLUDED.note;
DELETE FROM orgs WHERE name NOT IN (
	'北区',
	'都島区',
	'福島区',
	'此花区',
	'中央区',
	'西区',
	'港区',
	'大正区',
	'天王寺区',
	'浪速区',
	'西淀川区',
	'淀川区',
	'東淀川区',
	'東成区',
	'生野区',
	'旭区',
	'城東区',
	'鶴見区',
	'阿倍野区',
	'住之江区',
	'住吉区',
	'東住吉区',
	'平野区',
	'西成区',
	'市長室',
	'政策企画室',
	'危機管理室',
	'人事室',
	'会計室',
	'ICT戦略室',
	'デジタル統括室',
	'経済戦略局',
	'総務局',
	'都市交通局',
	'市民局',
	'財政局',
	'契約管財局',
	'都市整備局',
	'都市計画局',
	'計画調整局',
	'福祉局',
	'健康局',
	'こども青少年局',
	'環境局',
	'水道局',
	'建設局',
	'港湾局',
	'大阪港湾局',
	'消防局',
	'交通局',
	'副首都推進局',
	'IR推進局',
	'教育委員会事務局',
	'行政委員会事務局',
	'選挙管理委員会事務局',
	'人事委員会事務局',
	'監査委員事務局',
	'市会事務局',
	'中央卸売市場');

ALTER TABLE plans ADD COLUMN org_printed_name text,
                  ADD COLUMN warning_codes text[];
COMMENT ON COLUMN plans.org_name IS
	'the organisation''s canonical name (orgs.name); as printed (less 大阪市 and noise) when the reference list does not know it';
COMMENT ON COLUMN plans.org_printed_name IS
	'the organisation''s name exactly as the title printed it (org.printed_name)';
COMMENT ON COLUMN plans.warning_codes IS
	'codes of the parse''s warnings (docs/PLAN-JSON.md), in their order; {} none; NULL: parsed before warnings existed';

UPDATE plans
   SET org_printed_name = coalesce(parsed->'org'->>'printed_name', org_name),
       warning_codes = CASE WHEN jsonb_typeof(parsed->'warnings') = 'array' THEN
                       ARRAY(SELECT w.e->>'code'
                               FROM jsonb_array_elements(parsed->'warnings')
                                    WITH ORDINALITY AS w(e, n)
                              ORDER BY w.n) END;

-- `planq reparse --warned` and parse_quality look for plans with warnings
CREATE INDEX plans_warning_codes_idx ON plans USING gin (warning_codes);

-- A budget printed without a label (no label, no column heading) is a
-- budget with label null in the plan JSON, and the warning
-- budget_unlabelled; the schema refused such a plan whole.  It is stored,
-- label NULL (still never '').
ALTER TABLE budgets ALTER COLUMN label DROP NOT NULL;
