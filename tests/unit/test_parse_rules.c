/*
 * test_parse_rules.c: the parser's rules for pages nobody tuned it to, one
 * at a time: year labels with a gloss in the other calendar, organisation
 * names matched to Osaka City's (parse/orgs.tsv), headings that carry the
 * organisation's name or are written as list items, the not-a-plan verdict
 * and the evidence it names, and the warnings of a parsed plan.
 * Run from the repository root; exit 0 = all checks passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "text.h"
#include "classify.h"
#include "era.h"
#include "org.h"

#include "check.h"

static struct span
sp(const char *s)
{
	return (struct span){ s, strlen(s) };
}

/* ---- year labels ---------------------------------------------------------- */

static void
check_year(const char *in, int year, const char *label, const char *rest)
{
	struct year_label yl;
	int ok = era_find_year(sp(in), &yl);

	CHECK(ok && yl.year == year && strcmp(yl.label, label) == 0 &&
	    text_starts(text_trim(yl.rest), rest), "%s: %d %s rest '%.*s'", in,
	    yl.year, yl.label, (int)yl.rest.n, yl.rest.p);
}

static void
test_year_glosses(void)
{
	check_year("2019年度(平成31年度)此花区運営方針", 2019, "2019年度", "此花区");
	check_year("2019年度(令和元年度) 北区運営方針", 2019, "2019年度", "北区");
	check_year("令和元年度(2019年度) 旭区運営方針", 2019, "令和元年度", "旭区");
	check_year("平成31年度(令和元年度)西区運営方針", 2019, "平成31年度", "西区");
	check_year("2020(令和2)年度 建設局運営方針", 2020, "2020年度", "建設局");
	check_year("令和元(2019)年度 港区運営方針", 2019, "令和元年度", "港区");
	check_year("令和2年度 西区運営方針", 2020, "令和2年度", "西区");
	/* a parenthesis that is no year stays in the text */
	check_year("2021年度(案)城東区運営方針", 2021, "2021年度", "(案)");
	{
		int y = 0, m = 0, d = 0;
		CHECK(era_parse_date(sp("2019年(平成31年)4月1日"), &y, &m, &d) &&
		    y == 2019 && m == 4 && d == 1, "date with an era gloss");
		CHECK(era_parse_date(sp("平成31年(2019年)3月29日"), &y, &m, &d) &&
		    y == 2019 && m == 3 && d == 29, "era date with a gloss");
		CHECK(era_parse_date(sp("2019(平成31)年4月1日"), &y, &m, &d) &&
		    y == 2019 && m == 4, "gloss before 年");
	}
}

/* ---- organisations ------------------------------------------------------- */

static void
check_org(const char *printed, enum org_how how, const char *canonical,
    const char *name)
{
	struct org_match m;

	org_match(sp(printed), &m);
	CHECK(m.how == how, "%s: how %d, want %d", printed, (int)m.how,
	    (int)how);
	if (canonical == NULL)
		CHECK(m.entry == NULL, "%s: unknown expected, got %s", printed,
		    m.entry ? m.entry->name : "");
	else
		CHECK(m.entry != NULL && strcmp(m.entry->name, canonical) == 0,
		    "%s: canonical %s, want %s", printed,
		    m.entry ? m.entry->name : "(none)", canonical);
	CHECK(m.name.n == strlen(name) && memcmp(m.name.p, name, m.name.n) == 0,
	    "%s: name '%.*s', want '%s'", printed, (int)m.name.n, m.name.p, name);
}

static void
test_orgs(void)
{
	static const char *const wards[] = { "北区", "都島区", "福島区",
	    "此花区", "中央区", "西区", "港区", "大正区", "天王寺区", "浪速区",
	    "西淀川区", "淀川区", "東淀川区", "東成区", "生野区", "旭区",
	    "城東区", "鶴見区", "阿倍野区", "住之江区", "住吉区", "東住吉区",
	    "平野区", "西成区", NULL };
	size_t i, nwards = 0;

	for (i = 0; wards[i] != NULL; i++)
		check_org(wards[i], ORG_EXACT, wards[i], wards[i]);
	for (i = 0; i < org_table_len; i++)
		if (strcmp(org_table[i].category, "ward") == 0) {
			nwards++;
			CHECK(org_table[i].kind != NULL &&
			    strcmp(org_table[i].kind, "ward") == 0,
			    "%s: a ward's kind is ward", org_table[i].name);
		}
	CHECK(nwards == 24, "orgs.tsv lists %zu wards, want 24", nwards);
	check_org("建設局", ORG_EXACT, "建設局", "建設局");
	check_org("行政委員会事務局", ORG_EXACT, "行政委員会事務局",
	    "行政委員会事務局");
	check_org("大阪市会事務局", ORG_EXACT, "市会事務局", "大阪市会事務局");
	check_org("大阪市建設局", ORG_EXACT, "建設局", "大阪市建設局");
	check_org("西成区度", ORG_NOISE, "西成区", "西成区");
	check_org("港区の", ORG_NOISE, "港区", "港区");
	check_org("都島区役所", ORG_NOISE, "都島区", "都島区");
	check_org("建設局 度", ORG_NOISE, "建設局", "建設局");
	/* the longest known name: 西淀川区 is not 西区 + noise */
	check_org("西淀川区度", ORG_NOISE, "西淀川区", "西淀川区");
	check_org("東住吉区", ORG_EXACT, "東住吉区", "東住吉区");
	/* anything but noise after a known name: unknown, kept as printed */
	check_org("北区役所総務課", ORG_UNKNOWN, NULL, "北区役所総務課");
	check_org("テスト区", ORG_UNKNOWN, NULL, "テスト区");
	check_org("大阪市立中央図書館", ORG_UNKNOWN, NULL, "大阪市立中央図書館");
	{
		struct org_match m;
		org_match(sp("政策企画室"), &m);
		CHECK(m.entry != NULL && m.entry->kind == NULL,
		    "an office (室) has kind null, as the spec says");
	}
}

/* ---- headings ------------------------------------------------------------- */

static void
test_headings(void)
{
	CHECK(classify_line(sp("此花区の目標(何をめざすのか)")) == LINE_GOALS,
	    "goals with the ward's name");
	CHECK(classify_line(sp("此花区の使命(どのような役割を担うのか)")) ==
	    LINE_MISSIONS, "missions with the ward's name");
	CHECK(classify_line(sp("平成25年度 東住吉区運営の基本的な考え方")) ==
	    LINE_POLICIES, "policies with year and ward");
	CHECK(classify_line(sp("建設局の目標")) == LINE_GOALS, "bureau goals");
	CHECK(classify_line(sp("教育委員会事務局の使命")) == LINE_MISSIONS,
	    "secretariat missions");
	CHECK(classify_line(sp("此花区長の方針")) == LINE_POLICIES,
	    "the head's policy with the ward's name");
	CHECK(classify_line(sp("此花区の目標を達成するため、地域の皆さまと連携して"
	    "取り組みを進めていきます。")) == LINE_TEXT, "a sentence is text");
	/* list items */
	CHECK(classify_line(sp("• 区の目標(何をめざすのか)")) == LINE_GOALS,
	    "bulleted goals heading");
	CHECK(classify_line(sp("・区の使命")) == LINE_MISSIONS,
	    "bulleted bare missions heading");
	CHECK(classify_line(sp("- 重点的に取り組む主な経営課題")) == LINE_ISSUES,
	    "bulleted issues heading");
	CHECK(classify_line(sp("1. 区の目標(何をめざすのか)")) == LINE_GOALS,
	    "enumerated goals heading");
	CHECK(classify_line(sp("(2) 区の使命(どのような役割を担うのか)")) ==
	    LINE_MISSIONS, "enumerated missions heading");
	CHECK(classify_line(sp("・目標年次までに待機児童をゼロにする")) == LINE_TEXT,
	    "a goal item starting with 目標 stays text");
	CHECK(classify_line(sp("・区の目標の実現に向けて")) == LINE_TEXT,
	    "an item mentioning the goal stays text");
	CHECK(classify_line(sp("1 はじめに")) == LINE_TEXT, "numbered text");
	/* other brackets around a heading */
	CHECK(classify_line(sp("〈此花区の目標(何をめざすのか)〉")) == LINE_GOALS,
	    "angle brackets");
	CHECK(classify_line(sp("「区の使命」")) == LINE_MISSIONS, "corner brackets");
	CHECK(classify_line(sp("■ 教育委員会事務局の目標")) == LINE_GOALS,
	    "square mark and a secretariat");
	CHECK(classify_item_mark(sp("(3) 区運営")) == strlen("(3) "),
	    "enumerator length");
	CHECK(classify_item_mark(sp("1-1-1 取組")) == 0, "a code is no enumerator");
}

/* ---- verdicts and warnings ---------------------------------------------- */

static json_t *
parse_text(const char *s, struct parse_result *r)
{
	CHECK(parse_bytes(s, strlen(s), NULL, r) == 0, "parse_bytes: %s",
	    r->reason);
	return r->plan;
}

/* The codes of plan["warnings"], space-separated. */
static void
warning_codes(json_t *plan, char *buf, size_t bufsz)
{
	json_t *w;
	size_t i, n = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(plan, "warnings"), i, w)
		n += (size_t)snprintf(buf + n, n < bufsz ? bufsz - n : 0, "%s%s",
		    n ? " " : "", json_string_value(json_object_get(w, "code")));
}

static void
check_warnings(const char *name, const char *doc, const char *want)
{
	struct parse_result r;
	char got[512];

	parse_text(doc, &r);
	CHECK(r.status == PARSE_PLAN, "%s: a plan (%s)", name, r.reason);
	warning_codes(r.plan, got, sizeof(got));
	CHECK(strcmp(got, want) == 0, "%s: warnings '%s', want '%s'", name, got,
	    want);
	parse_result_clear(&r);
}

static void
test_warnings(void)
{
	static const char *const head = "令和2年度 西区運営方針\n(区長:山田 太郎)\n"
	    "区の目標\n・安全なまち\n区の使命\n・支える\n"
	    "区運営の基本的な考え方\n・進める。\n重点的に取り組む主な経営課題\n";
	char doc[2048];

	for (int w = 0; w < PARSE_WARN_COUNT; w++)
		CHECK(parse_warning_code((enum parse_warning)w) != NULL,
		    "warning %d has a code", w);
	CHECK(strcmp(parse_warning_code(PARSE_WARN_ORG_UNKNOWN),
	    "org_unknown") == 0, "stable code org_unknown");
	CHECK(parse_warning_code(PARSE_WARN_COUNT) == NULL, "out of range");

	snprintf(doc, sizeof(doc), "%s【経営課題1】防災 備える。\n"
	    "【戦略1-1】訓練 行う。\n【具体的取組1-1-1】訓練 (予算額 1千円) 行う。\n",
	    head);
	check_warnings("complete", doc, "");
	snprintf(doc, sizeof(doc), "%s【経営課題1】防災 備える。\n"
	    "【経営課題2】福祉 支える。\n【戦略2-1】見守り 行う。\n"
	    "【具体的取組2-1-1】見守り 《1,000千円》 行う。\n"
	    "【具体的取組2-1-2】相談 行う。\n", head);
	check_warnings("items", doc, "issue_without_strategies "
	    "initiative_without_budget budget_unlabelled");
	check_warnings("no year, no sections",
	    "西区運営方針\n(区長:山田 太郎)\n重点的に取り組む主な経営課題\n"
	    "【経営課題1】防災 備える。\n【戦略1-1】訓練 行う。\n",
	    "no_fiscal_year no_goals no_missions no_policies");
	check_warnings("fragment", "【経営課題3】防災 備える。\n【3-1 訓練】行う。\n"
	    "【3-1-1 訓練】(予算額 1千円) 行う。\n", "no_title");
}

static void
check_not_plan(const char *name, const char *doc, const char *words)
{
	struct parse_result r;

	parse_text(doc, &r);
	CHECK(r.status == PARSE_NOT_PLAN, "%s: not a plan", name);
	CHECK(strstr(r.reason, "weighed: title") != NULL &&
	    strstr(r.reason, words) != NULL, "%s: reason names the evidence: %s",
	    name, r.reason);
	CHECK(json_is_object(json_object_get(r.plan, "evidence")),
	    "%s: evidence object", name);
	parse_result_clear(&r);
}

static void
test_verdicts(void)
{
	struct parse_result r;

	check_not_plan("minutes", "第3回 区政会議 会議録\n○議長 開会します。\n",
	    "words 会議録");
	check_not_plan("cover page", "令和3年度 北区運営方針\n2021年4月1日\n"
	    "ページ番号:123\n令和3年度の運営方針を策定しました。\n",
	    "only a 運営方針 title");
	check_not_plan("prose", "今日はいい天気です。\n", "no plan structure");
	parse_text("令和3年度 北区運営方針\n2021年4月1日\nページ番号:123\n"
	    "運営方針は「施策の選択と集中」の全体像を示す方針です。\n", &r);
	CHECK(r.status == PARSE_PLAN, "a page cut after its introduction is a "
	    "plan: %s", r.reason);
	parse_result_clear(&r);
}

int
main(void)
{
	test_year_glosses();
	test_orgs();
	test_headings();
	test_warnings();
	test_verdicts();
	return check_report(stdout, "test_parse_rules");
}
