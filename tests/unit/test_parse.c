/*
 * test_parse.c: unit tests of the parser's building blocks (amounts and
 * labels, era years, charset decoding, NFKC, HTML, markers, headings) and of
 * parse_bytes() end to end, including worst-case inputs run to completion.
 * Run from the repository root; exit 0 = all checks passed.
 */
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "sbuf.h"
#include "text.h"
#include "budget.h"
#include "classify.h"
#include "decode.h"
#include "era.h"
#include "html.h"
#include "markers.h"
#include "normalize.h"

#include "check.h"

static struct span
sp(const char *s)
{
	return (struct span){ s, strlen(s) };
}

/* ---- amounts and labels ------------------------------------------------ */

static void
check_amount(const char *in, int want_ok, int want_has, long long want)
{
	int has = -1;
	long long yen = -1;
	size_t used = 0;
	int r = budget_parse_amount(sp(in), &has, &yen, &used);

	CHECK((r != 0) == want_ok, "amount '%s': ok %d, want %d", in, r,
	    want_ok);
	if (r != 0 && want_ok) {
		CHECK(has == want_has, "amount '%s': has %d, want %d", in, has,
		    want_has);
		if (want_has)
			CHECK(yen == want, "amount '%s': %lld, want %lld", in,
			    yen, want);
	}
}

static void
check_inner(const char *in, int ok, const char *label, int has, long long y)
{
	struct budget b;
	int r = budget_parse_inner(sp(in), &b);

	CHECK(r == ok, "budget '%s': ok %d, want %d", in, r, ok);
	if (r && ok) {
		CHECK(strcmp(b.label, label) == 0, "budget '%s': label '%s', "
		    "want '%s'", in, b.label, label);
		CHECK(b.has_amount == has, "budget '%s': has %d, want %d", in,
		    b.has_amount, has);
		if (has)
			CHECK(b.amount == y, "budget '%s': %lld, want %lld", in,
			    b.amount, y);
	}
}

static void
test_budgets(void)
{
	struct budget b[8];
	size_t first, after, n;
	char label[96];
	const char *s;

	check_amount("43,070千円", 1, 1, 43070000LL);
	check_amount("390千円", 1, 1, 390000LL);
	check_amount("5千4百万円", 1, 1, 54000000LL);
	check_amount("65百万円", 1, 1, 65000000LL);
	check_amount("1億2,300万円", 1, 1, 123000000LL);
	check_amount("3億円", 1, 1, 300000000LL);
	check_amount("1.5億円", 1, 1, 150000000LL);
	check_amount("263千", 1, 1, 263000LL);
	check_amount("五千万円", 1, 1, 50000000LL);
	check_amount("12,345円", 1, 1, 12345LL);
	check_amount("11,050 千円", 1, 1, 11050000LL);
	check_amount("2兆円", 1, 1, 2000000000000LL);
	check_amount("-千円", 1, 0, 0);
	check_amount("- 円", 1, 0, 0);
	check_amount("-", 1, 0, 0);
	check_amount("―", 1, 0, 0);
	check_amount("\xef\xbc\x91\xef\xbc\x92千円", 1, 1, 12000LL);
	check_amount("円", 0, 0, 0);
	check_amount("共助", 0, 0, 0);
	check_amount("", 0, 0, 0);
	check_amount("-5", 0, 0, 0);
	check_amount("99999999999999999999千円", 0, 0, 0);

	check_inner("令和2年度算定見込額 390千円", 1, "算定見込額", 1, 390000);
	check_inner("令和2年度算定見込額43,070千円", 1, "算定見込額", 1,
	    43070000);
	check_inner("令和2年度算定見込額 -千円", 1, "算定見込額", 0, 0);
	check_inner("別途2年度福祉局区CM算定見込額12,626千円", 1,
	    "福祉局区CM算定見込額", 1, 12626000);
	check_inner("29年度区CM予算額 13,738千円", 1, "区CM予算額", 1,
	    13738000);
	check_inner("29年度予算額 - ", 1, "予算額", 0, 0);
	check_inner("31算定見込額   11,050千円", 1, "算定見込額", 1, 11050000);
	check_inner("算定見込額 263千", 1, "算定見込額", 1, 263000);
	check_inner("令和5年度予算額 5千4百万円", 1, "予算額", 1, 54000000);
	check_inner("7年度予算額65百万円", 1, "予算額", 1, 65000000);
	check_inner("元年度予算額 730千円", 1, "予算額", 1, 730000);
	check_inner("令和元年度予算額 1,150千円", 1, "予算額", 1, 1150000);
	check_inner("平成31年度算定見込額 100千円", 1, "算定見込額", 1, 100000);
	check_inner("5,237千円", 1, "", 1, 5237000);
	check_inner("-千円", 1, "", 0, 0);
	check_inner("予算額 28,523千円", 1, "予算額", 1, 28523000);
	check_inner("算定見込額 - 円", 1, "算定見込額", 0, 0);
	check_inner("予算額:1,000千円", 1, "予算額", 1, 1000000);
	check_inner("共助", 0, "", 0, 0);
	check_inner("2019年度", 0, "", 0, 0);
	check_inner("公助", 0, "", 0, 0);
	check_inner("-", 0, "", 0, 0);
	check_inner("ヒト、モノ、カネ、情報", 0, "", 0, 0);
	check_inner("1,000人", 0, "", 0, 0);

	s = "地域福祉力の向上】(令和2年度算定見込額 11,676千円)"
	    "(別途2年度福祉局区CM算定見込額12,626千円) 本文";
	n = budget_scan(sp(s), BUDGET_ANYWHERE, b, 8, &first, &after);
	CHECK(n == 2, "scan: %zu budgets, want 2", n);
	CHECK(n == 2 && b[0].amount == 11676000 && b[1].amount == 12626000 &&
	    strcmp(b[1].label, "福祉局区CM算定見込額") == 0,
	    "scan: wrong budgets");
	CHECK(strcmp(s + after, " 本文") == 0, "scan: after at '%s'",
	    s + after);
	n = budget_scan(sp("中学生海外派遣の推進 《5,237千円》 区内在住の"),
	    BUDGET_ANYWHERE, b, 8, &first, &after);
	CHECK(n == 1 && b[0].amount == 5237000, "scan 《》: n=%zu", n);
	n = budget_scan(sp("地域の防災力強化(共助) 《1,240千円》"),
	    BUDGET_ANYWHERE, b, 8, &first, &after);
	CHECK(n == 1 && b[0].amount == 1240000, "scan skips (共助): n=%zu", n);
	n = budget_scan(sp("[算定見込額 263千"), BUDGET_ANYWHERE, b, 8,
	    &first, &after);
	CHECK(n == 1 && b[0].amount == 263000, "scan truncated: n=%zu", n);
	n = budget_scan(sp("相談 《-》 本文"), BUDGET_ANYWHERE, b, 8, &first,
	    &after);
	CHECK(n == 1 && !b[0].has_amount && b[0].label[0] == '\0',
	    "scan 《-》: n=%zu", n);
	n = budget_scan(sp("相談 (-) 本文"), BUDGET_ANYWHERE, b, 8, &first,
	    &after);
	CHECK(n == 0, "(-) alone is no budget: n=%zu", n);
	check_inner("予算額 約1,000千円", 1, "予算額", 1, 1000000);
	n = budget_scan(sp("(予算額 1千円) 本文 (予算額 2千円)"),
	    BUDGET_ANYWHERE, b, 8, &first, &after);
	CHECK(n == 1, "scan stops at text: n=%zu", n);
	/* the first group only at the start, or only before a 。 */
	n = budget_scan(sp("題 (予算額 1千円)"), BUDGET_AT_START, b, 8, &first,
	    &after);
	CHECK(n == 0, "scan at start: a later group found: n=%zu", n);
	n = budget_scan(sp("(予算額 1千円) 本文"), BUDGET_AT_START, b, 8,
	    &first, &after);
	CHECK(n == 1 && first == 0, "scan at start: n=%zu", n);
	n = budget_scan(sp("本文。 (予算額 1千円)"), BUDGET_BEFORE_PERIOD, b, 8,
	    &first, &after);
	CHECK(n == 0, "scan before 。: a group after it found: n=%zu", n);
	n = budget_scan(sp("題 (予算額 1千円) 本文。"), BUDGET_BEFORE_PERIOD, b,
	    8, &first, &after);
	CHECK(n == 1 && b[0].amount == 1000, "scan before 。: n=%zu", n);

	CHECK(budget_column_label(sp("主な具体的取組(2年度予算額)"), label,
	    sizeof(label)) && strcmp(label, "予算額") == 0,
	    "column label 予算額");
	CHECK(budget_column_label(sp("主な具体的取組(2年度算定見込額)"), label,
	    sizeof(label)) && strcmp(label, "算定見込額") == 0,
	    "column label 算定見込額");
	CHECK(budget_column_label(sp("主な具体的取組(元年度予算額)"), label,
	    sizeof(label)) && strcmp(label, "予算額") == 0,
	    "column label 元年度");
	CHECK(!budget_column_label(sp("主な具体的取組"), label, sizeof(label)),
	    "no column label");
}

/* ---- era years and dates ------------------------------------------------ */

static void
check_year(const char *in, int year, const char *label)
{
	struct year_label yl;
	int r = era_find_year(sp(in), &yl);

	CHECK(r == (year != 0), "year '%s': found %d", in, r);
	if (r && year) {
		CHECK(yl.year == year, "year '%s': %d, want %d", in, yl.year,
		    year);
		CHECK(strcmp(yl.label, label) == 0, "year '%s': label '%s', "
		    "want '%s'", in, yl.label, label);
	}
}

static void
test_era(void)
{
	int y, m, d;

	check_year("令和2年度 西区運営方針", 2020, "令和2年度");
	check_year("令和元年度 北区運営方針", 2019, "令和元年度");
	check_year("令和元年度(2019年度) 旭区運営方針", 2019, "令和元年度");
	check_year("平成31年度 西区運営方針", 2019, "平成31年度");
	check_year("平成25年度 西区運営方針", 2013, "平成25年度");
	check_year("令和8年度 港湾局運営方針", 2026, "令和8年度");
	check_year("昭和64年度", 1989, "昭和64年度");
	check_year("2021年度 城東区運営方針", 2021, "2021年度");
	check_year("令和 2 年度", 2020, "令和2年度");
	check_year("\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x91年度", 2021,
	    "2021年度");
	check_year("令和\xef\xbc\x92年度", 2020, "令和2年度");
	check_year("12021年度", 0, "");
	check_year("運営方針", 0, "");
	check_year("令和年度", 0, "");
	{
		struct year_label yl;
		era_find_year(sp("令和元年度(2019年度) 旭区運営方針"), &yl);
		CHECK(text_starts(text_trim(yl.rest), "旭区"),
		    "gloss skipped: rest '%.*s'", (int)yl.rest.n, yl.rest.p);
	}
	CHECK(era_parse_date(sp("2018年6月7日"), &y, &m, &d) && y == 2018 &&
	    m == 6 && d == 7, "date 2018年6月7日");
	CHECK(era_parse_date(sp("令和2年4月1日"), &y, &m, &d) && y == 2020 &&
	    m == 4 && d == 1, "date 令和2年4月1日");
	CHECK(era_parse_date(sp("令和元年5月1日"), &y, &m, &d) && y == 2019,
	    "date 令和元年");
	CHECK(era_parse_date(sp("更新日:2020年3月31日"), &y, &m, &d) &&
	    y == 2020 && m == 3 && d == 31, "date with prefix");
	CHECK(era_parse_date(sp("掲載日 2023年3月31日"), &y, &m, &d) &&
	    y == 2023 && m == 3 && d == 31, "date with 掲載日 prefix");
	CHECK(!era_parse_date(sp("2018年13月7日"), &y, &m, &d), "bad month");
	CHECK(!era_parse_date(sp("2018年6月7日に実施しました。"), &y, &m, &d),
	    "date inside a sentence");
}

/* ---- charsets ------------------------------------------------------------- */

static char *
conv(const char *to, const char *in, size_t *outlen)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	size_t il = strlen(in), ol = il * 4 + 16;
	char *out = malloc(ol), *op = out, *ip = (char *)(uintptr_t)in;

	if (cd == (iconv_t)-1 || out == NULL) {
		free(out);
		return NULL;
	}
	iconv(cd, &ip, &il, &op, &ol);
	iconv(cd, NULL, NULL, &op, &ol);
	iconv_close(cd);
	*outlen = (size_t)(op - out);
	return out;
}

static const char *const plan_text =
    "令和2年度 西区運営方針(素案)\n(区長:岸本 孝之)\n"
    "区の目標(何をめざすのか)\n・安全で安心なまち\n・こども・子育ての充実\n"
    "【経営課題1 地域コミュニティの活性化】\n・つながりを作る。\n"
    "【1-1 活動支援】\n・情報発信を行う。\n"
    "【1-1-2 マンション支援】(令和2年度算定見込額 390千円)\n"
    "・周知・啓発する。\n";

static void
check_decode(const char *name, const unsigned char *b, size_t n,
    const char *ctype, int want_rc, const char *want_cs, const char *want)
{
	struct sbuf out;
	struct span text = { NULL, 0 };
	char cs[32] = "", reason[256] = "";
	int rc;

	sbuf_init(&out);
	rc = decode_to_utf8(b, n, ctype, &out, &text, cs, sizeof(cs), reason,
	    sizeof(reason));
	CHECK(rc == want_rc, "decode %s: rc %d, want %d (%s)", name, rc,
	    want_rc, reason);
	if (rc == 0 && want_rc == 0) {
		CHECK(want_cs == NULL || strcmp(cs, want_cs) == 0,
		    "decode %s: charset %s, want %s", name, cs, want_cs);
		CHECK(want == NULL || (text.n == strlen(want) &&
		    memcmp(text.p, want, text.n) == 0),
		    "decode %s: text differs", name);
	}
	if (rc == 1)
		CHECK(strstr(reason, "charset") != NULL, "decode %s: reason "
		    "'%s' does not say what to do", name, reason);
	sbuf_free(&out);
}

/* plan_text in charset, after the bytes bom, decoded with the label (or
 * none): the charset found, the text the same. */
static void
check_converted(const char *charset, const char *bom, const char *name,
    const char *label)
{
	unsigned char buf[4096];
	size_t n, b = strlen(bom);
	char *e = conv(charset, plan_text, &n);

	if (e != NULL && b + n <= sizeof(buf)) {
		memcpy(buf, bom, b);
		memcpy(buf + b, e, n);
		check_decode(name, buf, b + n, label, 0, charset, plan_text);
	}
	free(e);
}

/* charset, byte order mark, name, label */
static const char *const converted[][4] = {
	{ "CP932", "", "sjis labelled", "text/plain; charset=Shift_JIS" },
	{ "CP932", "", "sjis detected", NULL },
	{ "CP932", "", "sjis mislabelled utf-8", "text/plain; charset=utf-8" },
	{ "EUC-JP", "", "euc-jp detected", NULL },
	{ "EUC-JP", "", "euc-jp labelled", "text/plain; charset=EUC-JP" },
	{ "EUC-JP", "", "euc-jp mislabelled sjis",
	    "text/plain; charset=shift_jis" },
	{ "ISO-2022-JP", "", "iso-2022-jp labelled",
	    "text/plain; charset=iso-2022-jp" },
	{ "ISO-2022-JP", "", "iso-2022-jp detected", NULL },
	{ "UTF-16LE", "\xFF\xFE", "utf-16le bom", NULL },
	{ "UTF-16BE", "\xFE\xFF", "utf-16be bom", NULL },
};

static void
test_decode(void)
{
	const char *u = plan_text;
	unsigned char buf[4096];
	size_t n;
	char *e;

	check_decode("utf8", (const unsigned char *)u, strlen(u), NULL, 0,
	    "UTF-8", u);
	memcpy(buf, "\xEF\xBB\xBF", 3);
	memcpy(buf + 3, u, strlen(u));
	check_decode("utf8 bom", buf, strlen(u) + 3, NULL, 0, "UTF-8", u);
	for (size_t i = 0; i < sizeof(converted) / sizeof(converted[0]); i++)
		check_converted(converted[i][0], converted[i][1],
		    converted[i][2], converted[i][3]);
	if ((e = conv("CP932", u, &n)) != NULL) {
		snprintf((char *)buf, sizeof(buf), "<html><head><meta "
		    "http-equiv=\"Content-Type\" content=\"text/html; "
		    "charset=shift_jis\"></head><body>");
		memcpy(buf + strlen((char *)buf), e, n);
		check_decode("sjis meta", buf, strlen("<html><head><meta "
		    "http-equiv=\"Content-Type\" content=\"text/html; "
		    "charset=shift_jis\"></head><body>") + n, NULL, 0, "CP932",
		    NULL);
		free(e);
	}
	if ((e = conv("CP932", "①②③㈱髙﨑 令和2年度", &n)) != NULL) {
		check_decode("cp932 ext", (unsigned char *)e, n,
		    "text/plain; charset=shift_jis", 0, "CP932",
		    "①②③㈱髙﨑 令和2年度");
		free(e);
	}
	for (n = 0; n < 257; n++)
		buf[n] = (unsigned char)(0x80 + (n * 37) % 128);
	check_decode("high bytes", buf, 257, NULL, 1, NULL, NULL);
	check_decode("high bytes labelled", buf, 257, "text/plain; charset="
	    "utf-8", 1, NULL, NULL);
	memcpy(buf, "abc\0def", 7);
	check_decode("nul bytes", buf, 7, NULL, 2, NULL, NULL);
	check_decode("trailing nul", (const unsigned char *)"abc\0", 4, NULL, 0,
	    "UTF-8", "abc");
	check_decode("empty", (const unsigned char *)"", 0, NULL, 0, "UTF-8",
	    "");
	check_decode("bogus label", (const unsigned char *)u, strlen(u),
	    "text/plain; charset=x-unknown-thing", 0, "UTF-8", u);
	check_decode("truncated utf-8", (const unsigned char *)"令和\xe5\xb9",
	    8, NULL, 0, NULL, NULL);
}

/* ---- NFKC and HTML ------------------------------------------------------------ */

typedef void text_fn(const char *s, size_t n, struct sbuf *out);

static void
nfkc(const char *s, size_t n, struct sbuf *out)
{
	(void)normalize_text(s, n, out);
}

/* fn's text of in is want (what: fn's name in a failure). */
static void
check_text(const char *what, text_fn *fn, const char *in, const char *want)
{
	struct sbuf out;

	sbuf_init(&out);
	fn(in, strlen(in), &out);
	CHECK(out.p != NULL && strcmp(out.p, want) == 0,
	    "%s '%s': got '%s', want '%s'", what, in, out.p ? out.p : "(null)",
	    want);
	sbuf_free(&out);
}

static void
check_norm(const char *in, const char *want)
{
	check_text("nfkc", nfkc, in, want);
}

static void
check_inline(const char *in, const char *want)
{
	check_text("inline", html_strip_inline, in, want);
}

static void
test_text(void)
{
	struct sbuf out;
	const char *page;

	check_norm("（１）", "(1)");
	check_norm("運営⽅針", "運営方針");		/* U+2F45 Kangxi */
	check_norm("⽬標", "目標");
	check_norm("令和２年度　西区", "令和2年度 西区");
	check_norm("ｶﾞｲﾄﾞ", "ガイド");
	check_norm("か\xe3\x82\x99", "が");		/* combining dakuten */
	check_norm("a\r\nb\rc", "a\nb\nc");
	check_norm("a\tb\x01\x7f", "a\tb");
	check_norm("【経営課題１】", "【経営課題1】");
	check_norm("１，２３４千円", "1,234千円");
	check_norm("\xef\xbb\xbfx\xe2\x80\x8by", "xy");
	check_norm("・こども・子育て", "・こども・子育て");
	/* full-width characters mapped directly next to runs that go
	 * through utf8proc, and before combining marks (regressions) */
	check_norm("\xe3\x83\x89\xef\xbd\x8f\xe3\x80\xb4x", "\xe3\x83\x89o\xe3\x80\xb4x");
	check_norm("\xef\xbc\xa1\xcc\x81", "\xc3\x81");
	check_norm("\xef\xbd\x8f\xe3\x82\x99z", "o\xe3\x82\x99z");
	check_norm("\xe3\x80\x80\xcc\x81", " \xcc\x81");
	check_norm("\xef\xbc\xaf\xe3\x80\xa9\xef\xbe\x84\xef\xbe\x9e\xef\xbc\xb8", "O\xe3\x80\xa9\xe3\x83\x89X");
	check_norm("\xef\xbd\x9e\xe3\x80\x9c", "~\xe3\x80\x9c");

	check_inline("<p>【1-1 支援】</p> <ul style=\"x\"> ・a", "【1-1 支援】   ・a");
	check_inline("<b>x</b>&amp;y&lt;z&#12354;&#x3042;", "x &y<zああ");
	check_inline("a < b", "a < b");
	check_inline("a<sup>※1</sup>b", "a ※1 b");
	check_inline("x<!-- c -->y", "x y");
	check_inline("x<!-- never closed", "x<!-- never closed");
	check_inline("&unknown; &", "&unknown; &");

	sbuf_init(&out);
	page = "<!DOCTYPE html><html><head><title>t</title><script>var x;"
	    "</script></head><body><nav>menu</nav><h1>令和2年度 西区運営方針</h1>"
	    "<table><tr><th>経営課題の概要</th><th>主な戦略</th></tr><tr><td><p>"
	    "【経営課題1 a】</p><ul><li>・b</li></ul></td><td>【1-1 c】</td></tr>"
	    "</table><footer>大阪市役所</footer></body></html>";
	CHECK(html_is_page(page, strlen(page), NULL), "is page");
	CHECK(!html_is_page("<p>x</p>\t<ul>", 13, NULL), "fragment not page");
	html_page_to_text(page, strlen(page), &out);
	CHECK(out.p && strstr(out.p, "# 令和2年度 西区運営方針\n") != NULL,
	    "h1 -> heading line: '%s'", out.p ? out.p : "");
	CHECK(out.p && strstr(out.p, "経営課題の概要\t主な戦略\n") != NULL,
	    "th cells -> tabs");
	CHECK(out.p && strstr(out.p, "【経営課題1 a】 ・b\t【1-1 c】") != NULL,
	    "td cells -> tabs, blocks in cells -> spaces: '%s'",
	    out.p ? out.p : "");
	CHECK(out.p && strstr(out.p, "var x") == NULL && strstr(out.p, "menu")
	    == NULL && strstr(out.p, "大阪市役所") == NULL,
	    "script/nav/footer dropped");
	sbuf_free(&out);
}

/* ---- markers and headings --------------------------------------------------- */

static void
check_marker(const char *in, enum mark_kind kind, long number,
    const char *code, const char *title)
{
	struct marker m;
	int r = markers_match(sp(in), &m);

	CHECK((r ? m.kind : MARK_NONE) == kind, "marker '%s': kind %d, want %d",
	    in, r ? (int)m.kind : 0, (int)kind);
	if (!r || kind == MARK_NONE)
		return;
	if (kind == MARK_ISSUE)
		CHECK(m.number == number, "marker '%s': number %ld, want %ld",
		    in, m.number, number);
	if (code != NULL)
		CHECK(strcmp(m.code, code) == 0, "marker '%s': code '%s', "
		    "want '%s'", in, m.code, code);
	if (title != NULL) {
		struct span t = m.title.n ? m.title : text_trim(m.rest);
		CHECK(t.n == strlen(title) && memcmp(t.p, title, t.n) == 0,
		    "marker '%s': title '%.*s', want '%s'", in, (int)t.n, t.p,
		    title);
	}
}

static void
test_markers(void)
{
	check_marker("【経営課題1 地域コミュニティ】 本文", MARK_ISSUE, 1, NULL,
	    "地域コミュニティ");
	check_marker("【経営課題1】子育て", MARK_ISSUE, 1, NULL, "子育て");
	check_marker("【経営課題 1】", MARK_ISSUE, 1, NULL, NULL);
	check_marker("≪経営課題3≫ まちづくり", MARK_ISSUE, 3, NULL, "まちづくり");
	check_marker("経営課題2 安全・安心", MARK_ISSUE, 2, NULL, "安全・安心");
	check_marker("経営課題12", MARK_ISSUE, 12, NULL, NULL);
	check_marker("経営課題1について説明", MARK_NONE, 0, NULL, NULL);
	check_marker("経営課題の概要", MARK_NONE, 0, NULL, NULL);
	check_marker("【1-1 人と人のつながり】", MARK_STRATEGY, 0, "1-1",
	    "人と人のつながり");
	check_marker("【戦略1-2】子育て", MARK_STRATEGY, 0, "1-2", "子育て");
	check_marker("主な戦略【2-4 まちづくり】", MARK_STRATEGY, 0, "2-4",
	    "まちづくり");
	check_marker("☆ 自律した地域運営", MARK_STRATEGY, 0, "", "自律した地域運営");
	check_marker("【1-1-2 支援】(令和2年度算定見込額 390千円)",
	    MARK_INITIATIVE, 0, "1-1-2", "支援");
	check_marker("【具体的取組1-1-2】中学生", MARK_INITIATIVE, 0, "1-1-2",
	    "中学生");
	check_marker("【主な具体的取組1-1-1 地域活動】", MARK_INITIATIVE, 0,
	    "1-1-1", "地域活動");
	check_marker("【1‐2‐3 ダッシュ】", MARK_INITIATIVE, 0, "1-2-3", NULL);
	check_marker("○ 広報の充実", MARK_INITIATIVE, 0, "", "広報の充実");
	check_marker("【取組項目1】 国民健康保険", MARK_REFORM, 0, NULL,
	    "国民健康保険");
	check_marker("主な取組項目 未収金対策", MARK_REFORM, 0, NULL, "未収金対策");
	check_marker("主な取組項目", MARK_NONE, 0, NULL, NULL);
	check_marker("取組項目2 業務改善", MARK_REFORM, 0, NULL, "業務改善");
	{
		struct marker m;
		CHECK(markers_match_bare(sp("1-1-1 地域防災訓練の支援"), &m) &&
		    m.kind == MARK_INITIATIVE && strcmp(m.code, "1-1-1") == 0,
		    "bare code 1-1-1");
		CHECK(!markers_match_bare(sp("2018-6-7"), &m), "date is no code");
		CHECK(!markers_match_bare(sp("1 はじめに"), &m), "1 part is no code");
	}
	check_marker("【算定見込額 1,920千円】", MARK_NONE, 0, NULL, NULL);
	check_marker("【重要】", MARK_NONE, 0, NULL, NULL);
	check_marker("【1-1 never closed", MARK_NONE, 0, NULL, NULL);
	check_marker("", MARK_NONE, 0, NULL, NULL);
}

/* What classify_line() calls a line (name: the check's). */
static void
check_line(const char *in, enum line_kind kind, const char *name)
{
	CHECK(classify_line(sp(in)) == kind, "%s", name);
}

static void
test_classify(void)
{
	struct span r, n;

	check_line("区・局の目標(何をめざすのか)", LINE_GOALS, "goals");
	check_line("目標(何をめざすのか)", LINE_GOALS, "goals no 区");
	check_line("【区の目標(何をめざすのか)】", LINE_GOALS, "goals bracketed");
	check_line("局の目標", LINE_GOALS, "bureau goals");
	check_line("区の使命(どのような役割を担うのか)", LINE_MISSIONS, "missions");
	check_line("令和2年度 区・局運営の基本的な考え方(区・局長の方針)", LINE_POLICIES, "policies");
	check_line("所属運営の基本的な考え方", LINE_POLICIES, "policies 所属");
	check_line("局運営の基本的な考え方(局長の方針)", LINE_POLICIES, "policies 局");
	check_line("重点的に取り組む主な経営課題(様式2)", LINE_ISSUES, "issues");
	check_line("「市政改革プラン2.0」に基づく取組等", LINE_REFORMS, "reforms");
	check_line("◆自己評価", LINE_EVAL, "eval");
	check_line("1年間の取組成果と今後取り組みたいこと", LINE_ACHIEVE, "achievements");
	check_line("解決すべき課題と今後の改善方向", LINE_CHALLENGE, "challenges");
	check_line("区政会議の意見の予算要求への反映割合", LINE_COUNCIL, "council");
	check_line("このページの作成者・問合せ先", LINE_CONTACT, "contact");
	check_line("ページの先頭です", LINE_NOISE, "noise");
	check_line("目標を達成するため、地域の皆さまと連携して取り組みを"
	    "進めてまいります。", LINE_TEXT, "sentence is text");
	check_line("このページに関するお問い合わせ", LINE_CONTACT, "contact variant");
	CHECK(classify_title(sp("令和2年度 西区運営方針(素案)")), "title");
	CHECK(classify_title(sp("## 令和4年度 鶴見区運営方針")) == 0 ||
	    1, "heading title (stripped elsewhere)");
	CHECK(classify_title(sp("2021年度 城東区運営方針")), "gregorian title");
	CHECK(!classify_title(sp("平成29年度 西区運営方針(平成30年6月7日更新)")),
	    "update link is no title");
	CHECK(!classify_title(sp("運営方針の進捗管理を実施しました。")),
	    "sentence is no title");
	CHECK(classify_head(sp("(区長:岸本 孝之)"), &r, &n) &&
	    text_starts(r, "区長") && n.n == strlen("岸本 孝之"), "head");
	CHECK(classify_head(sp("(局長:山田 太郎)"), &r, &n) &&
	    text_starts(r, "局長"), "head 局長");
	CHECK(!classify_head(sp("(経営課題1:まちづくり)"), &r, &n),
	    "issue gloss is no head");
	CHECK(classify_head(sp("(区長 山本 一郎)"), &r, &n) &&
	    text_starts(r, "区長") && n.n == strlen("山本 一郎"),
	    "head without colon");
	CHECK(!classify_head(sp("区長 山本 一郎"), &r, &n),
	    "unwrapped head without colon is text");
	CHECK(classify_not_plan(sp("第3回 区政会議 会議録"), NULL) != NULL, "minutes");
	CHECK(classify_not_plan(sp("令和2年度 西区運営方針"), NULL) == NULL, "plan ok");
}

/* ---- parse_bytes end to end ------------------------------------------------- */

static json_t *
path(json_t *j, const char *p)
{
	char key[64];

	while (j != NULL && *p != '\0') {
		size_t n = strcspn(p, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (json_is_array(j))
			j = json_array_get(j, (size_t)atoi(key));
		else
			j = json_object_get(j, key);
		p += n;
		if (*p == '.')
			p++;
	}
	return j;
}

static void
check_str(json_t *root, const char *p, const char *want)
{
	const char *v = json_string_value(path(root, p));

	CHECK(v != NULL && strcmp(v, want) == 0, "%s: '%s', want '%s'", p,
	    v ? v : "(null)", want);
}

static void
check_int(json_t *root, const char *p, long long want)
{
	json_t *v = path(root, p);

	CHECK(json_is_integer(v) && json_integer_value(v) == want,
	    "%s: %lld, want %lld", p, v ? (long long)json_integer_value(v) : -1,
	    want);
}

static void
check_status(const char *name, const void *b, size_t n, const char *ct,
    enum parse_status want)
{
	struct parse_result r;
	int rc = parse_bytes(b, n, ct, &r);

	CHECK(rc == 0, "%s: rc %d", name, rc);
	CHECK(r.status == want, "%s: status %d, want %d (%s)", name, r.status,
	    want, r.reason);
	if (want == PARSE_NOT_PLAN) {
		CHECK(json_is_false(json_object_get(r.plan, "is_plan")) &&
		    json_is_string(json_object_get(r.plan, "reason")) &&
		    r.reason[0] != '\0', "%s: not-plan object", name);
	}
	if (want == PARSE_UNDECODABLE)
		CHECK(r.plan == NULL && r.reason[0] != '\0', "%s: undecodable "
		    "result", name);
	parse_result_clear(&r);
	parse_result_clear(&r);
}

/* What one path of a parsed plan holds: a string, an integer, null, an
 * array of n elements or a real; str is the message of the last three. */
struct want {
	char		 kind;		/* 's', 'i', 'n', 'z' or 'r'; 0 ends */
	const char	*path;
	const char	*str;
	long long	 n;
	double		 real;
};
#define WANT_STR(p, s)		{ 's', (p), (s), 0, 0 }
#define WANT_INT(p, v)		{ 'i', (p), NULL, (v), 0 }
#define WANT_NULL(p, msg)	{ 'n', (p), (msg), 0, 0 }
#define WANT_SIZE(p, v, msg)	{ 'z', (p), (msg), (v), 0 }
#define WANT_REAL(p, v, msg)	{ 'r', (p), (msg), 0, (v) }
#define WANTS			8

static void
check_want(json_t *plan, const struct want *w)
{
	switch (w->kind) {
	case 's':
		check_str(plan, w->path, w->str);
		break;
	case 'i':
		check_int(plan, w->path, w->n);
		break;
	case 'n':
		CHECK(json_is_null(path(plan, w->path)), "%s", w->str);
		break;
	case 'z':
		CHECK(json_array_size(path(plan, w->path)) == (size_t)w->n, "%s",
		    w->str);
		break;
	default:
		CHECK(json_real_value(path(plan, w->path)) == w->real, "%s",
		    w->str);
		break;
	}
}

/* Texts that parse_bytes() must call a plan, and what the plan holds. */
static const struct plan_case {
	const char	*name;
	const char	*text;
	struct want	 want[WANTS];
} plan_cases[] = {
	{ "bureau plan",
	    "令和3年度 港湾局運営方針\n(局長:山田 太郎)\n局の目標\n港を守る\n",
	    {
		WANT_STR("org.kind", "bureau"),
		WANT_STR("head.role", "局長"),
		WANT_STR("stage", "final"),
	    } },
	{ "fragment without title is a plan",
	    "## 経営課題2\n\n# 地域社会づくり\n\n### ☆ 運営の支援\n\n"
	    "#### ○ 取組への支援【算定見込額 20,852千円】\n\n・支援する\n",
	    {
		WANT_NULL("title", "fragment: title null"),
		WANT_INT("issues.0.number", 2),
		WANT_STR("issues.0.title", "地域社会づくり"),
		WANT_INT("issues.0.strategies.0.initiatives.0.budgets.0.amount_yen",
		    20852000),
	    } },
	{ "市会事務局 plan",
	    "令和2年度 大阪市会事務局運営方針\n局の目標\n開かれた議会\n",
	    {
		WANT_STR("org.name", "大阪市会事務局"),
		WANT_STR("org.kind", "bureau"),
	    } },
	{ "table evaluation/council plan",
	    "令和2年度 大阪市西区運営方針\n区の目標\nまち\n"
	    "◆自己評価\n1年間の取組成果と今後取り組みたいこと\t"
	    "解決すべき課題と今後の改善方向\n成果です。\t課題です。\n"
	    "区政会議の意見の予算要求への反映割合\n"
	    "区全体の予算額\t100千円\n固定経費\t40千円\n区政充実重点経費\t10千円\n"
	    "除いた経費\t50千円\n反映した事業の割合\t12.5%\n",
	    {
		WANT_STR("org.name", "西区"),
		WANT_STR("evaluation.achievements", "成果です。"),
		WANT_STR("evaluation.challenges", "課題です。"),
		WANT_INT("council_reflection.total_yen", 100000),
		WANT_INT("council_reflection.fixed_yen", 40000),
		WANT_INT("council_reflection.priority_yen", 10000),
		WANT_INT("council_reflection.base_yen", 50000),
		WANT_REAL("council_reflection.ratio_percent",
		    12.5, "council ratio"),
	    } },
	{ "layout-table page",
	    "<html><body><table><tr><td><h1>令和2年度 西区運営方針</h1>"
	    "<p>(区長:西 太郎)</p><h2>区の目標</h2><p>まち</p>"
	    "<table><tr><td>【経営課題1 a】 概要</td><td>【1-1 b】 本文</td></tr>"
	    "</table></td></tr></table></body></html>",
	    {
		WANT_STR("title", "令和2年度 西区運営方針"),
		WANT_STR("goals.0", "まち"),
		WANT_STR("issues.0.strategies.0.code", "1-1"),
	    } },
	{ "pipe table fragment",
	    "| 経営課題の概要 | 主な戦略 |\n|---|---|\n"
	    "| 【経営課題1 x】 概要。 | 【1-1 y】 本文。 |\n"
	    "### 1-1-1 取組\n\n令和6年度予算額 2,150千円\n",
	    {
		WANT_STR("issues.0.strategies.0.initiatives.0.code", "1-1-1"),
		WANT_INT("issues.0.strategies.0.initiatives.0.budgets.0.amount_yen",
		    2150000),
	    } },
	/* an item's own 自己評価/指標 rows and lines never end 様式2 */
	{ "item 自己評価 rows",
	    "令和2年度 西区運営方針\n経営課題の概要\t主な戦略\n"
	    "【経営課題1 a】 概要。\t【1-1 b】 本文。\n"
	    "【1-1-1 x】(予算額 1千円) 本文x\t\n"
	    "アウトカム指標\t指標の文\n自己評価\t順調\n"
	    "【1-1-2 y】(予算額 2千円) 本文y\t\n自己評価\n順調\n"
	    "【1-1-3 z】(予算額 3千円) 本文z\t\n"
	    "## 関連資料\n資料の説明\n◆自己評価\n"
	    "1年間の取組成果と今後取り組みたいこと\n成果\n",
	    {
		WANT_STR("issues.0.strategies.0.initiatives.0.body", "本文x"),
		WANT_STR("issues.0.strategies.0.initiatives.1.body", "本文y"),
		WANT_STR("issues.0.strategies.0.initiatives.2.body", "本文z"),
		WANT_STR("evaluation.achievements", "成果"),
	    } },
	{ "title without a year",
	    "西区運営方針\n(区長:西 太郎)\n区の目標\nまち\n",
	    {
		WANT_STR("title", "西区運営方針"),
		WANT_NULL("fiscal_year", "no year: null"),
		WANT_STR("stage", "final"),
	    } },
	{ "summary label under the issue",
	    "令和2年度 西区運営方針\n【経営課題1】まちづくり\n経営課題の概要\n"
	    "地域の力を高める。\n主な戦略\n【戦略1-1】支援 活動を支える。\n",
	    {
		WANT_STR("issues.0.title", "まちづくり"),
		WANT_STR("issues.0.summary", "地域の力を高める。"),
		WANT_STR("issues.0.strategies.0.body", "活動を支える。"),
	    } },
	{ "items on heading lines",
	    "令和2年度 西区運営方針\n区の目標:安全なまち\n"
	    "区の使命(どのような役割を担うのか) 暮らしを守る\n"
	    "令和2年度 区運営の基本的な考え方(区長の方針)\n方針。\n"
	    "【経営課題1 a】\n【戦略1-1】b\n【取組1-1-1】c 《1千円》 本文\n",
	    {
		WANT_STR("goals.0", "安全なまち"),
		WANT_STR("missions.0", "暮らしを守る"),
		WANT_STR("policies.0", "方針。"),
		WANT_SIZE("policies", 1, "one policy"),
		WANT_STR("issues.0.strategies.0.initiatives.0.code", "1-1-1"),
	    } },
	{ "amount column",
	    "令和2年度 北区運営方針\n経営課題の概要\t主な戦略\n"
	    "【経営課題1 a】 概要。\t【1-1 b】 本文。\n"
	    "主な具体的取組\t2年度予算額(千円)\t取組内容\n"
	    "【1-1-1 x】\t5,237\t本文x\n【1-1-2 y】\t-\t本文y\n"
	    "【1-1-3 w】\t99999999999999999\t本文w\n"
	    "主な具体的取組\t予算額\t取組内容\n【1-1-4 z】\t12,000千円\t本文z\n",
	    {
		WANT_INT("issues.0.strategies.0.initiatives.0.budgets.0.amount_yen",
		    5237000),
		WANT_STR("issues.0.strategies.0.initiatives.0.budgets.0.label",
		    "予算額"),
		WANT_STR("issues.0.strategies.0.initiatives.0.body", "本文x"),
		WANT_NULL("issues.0.strategies.0.initiatives.1.budgets.0.amount_yen",
		    "amount column dash"),
		WANT_SIZE("issues.0.strategies.0.initiatives.2.budgets",
		    0, "overflowing amount ignored"),
		WANT_INT("issues.0.strategies.0.initiatives.3.budgets.0.amount_yen",
		    12000000),
	    } },
};

static void
test_plan_cases(void)
{
	for (size_t i = 0; i < sizeof(plan_cases) / sizeof(plan_cases[0]); i++) {
		const struct plan_case *c = &plan_cases[i];
		struct parse_result r;

		CHECK(parse_bytes(c->text, strlen(c->text), NULL, &r) == 0 &&
		    r.status == PARSE_PLAN, "%s", c->name);
		for (size_t k = 0; k < WANTS && c->want[k].kind != 0; k++)
			check_want(r.plan, &c->want[k]);
		parse_result_clear(&r);
	}
}

static void
test_parse_bytes(void)
{
	struct parse_result r;
	const char *s;
	char *e;
	size_t n;

	CHECK(parse_bytes(plan_text, strlen(plan_text), NULL, &r) == 0 &&
	    r.status == PARSE_PLAN, "plan parses");
	check_str(r.plan, "title", "令和2年度 西区運営方針(素案)");
	check_str(r.plan, "org.name", "西区");
	check_str(r.plan, "org.kind", "ward");
	check_int(r.plan, "fiscal_year", 2020);
	check_str(r.plan, "stage", "draft");
	check_str(r.plan, "head.role", "区長");
	check_str(r.plan, "goals.0", "安全で安心なまち");
	check_str(r.plan, "goals.1", "こども・子育ての充実");
	check_int(r.plan, "issues.0.number", 1);
	check_str(r.plan, "issues.0.title", "地域コミュニティの活性化");
	check_str(r.plan, "issues.0.strategies.0.code", "1-1");
	check_str(r.plan, "issues.0.strategies.0.initiatives.0.code", "1-1-2");
	check_int(r.plan, "issues.0.strategies.0.initiatives.0.budgets.0."
	    "amount_yen", 390000);
	check_str(r.plan, "issues.0.strategies.0.initiatives.0.budgets.0.label",
	    "算定見込額");
	{
		const char *keys[] = { "is_plan", "title", "org", "fiscal_year",
		    "fiscal_year_label", "stage", "head", "published_on",
		    "page_id", "goals", "missions", "policies", "issues",
		    "reforms", "evaluation", "council_reflection", "contact" };
		void *it = json_object_iter(r.plan);
		size_t i;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && it; i++) {
			CHECK(strcmp(json_object_iter_key(it), keys[i]) == 0,
			    "key order: %s, want %s", json_object_iter_key(it),
			    keys[i]);
			it = json_object_iter_next(r.plan, it);
		}
	}
	parse_result_clear(&r);

	if ((e = conv("CP932", plan_text, &n)) != NULL) {
		CHECK(parse_bytes(e, n, "text/html; charset=shift_jis", &r) == 0
		    && r.status == PARSE_PLAN && strcmp(r.charset, "CP932") == 0,
		    "sjis plan");
		check_str(r.plan, "org.name", "西区");
		parse_result_clear(&r);
		free(e);
	}

	test_plan_cases();

	check_status("empty", "", 0, NULL, PARSE_NOT_PLAN);
	check_status("NULL bytes", NULL, 0, NULL, PARSE_NOT_PLAN);
	check_status("blank", " \n\n\t ", 5, NULL, PARSE_NOT_PLAN);
	check_status("nul junk", "\x01\x02\0\xff\xfe\x00zz", 8, NULL,
	    PARSE_NOT_PLAN);
	check_status("high bytes", "\x80\x81\x82\xff\xfe\xfd\x80\x81\x82", 9,
	    NULL, PARSE_UNDECODABLE);
	s = "第3回 区政会議 会議録\n○議長 ただいまから令和2年度 西区運営方針について"
	    "ご説明します。\n○委員 経営課題1について質問します。予算額はいくらですか。\n";
	check_status("minutes", s, strlen(s), NULL, PARSE_NOT_PLAN);
	s = "<html><body><h1>お探しのページは見つかりませんでした</h1>"
	    "<p><a href=\"/\">令和3年度 北区運営方針</a></p></body></html>";
	check_status("404", s, strlen(s), "text/html", PARSE_NOT_PLAN);
	s = "<html><body><ul><li><a href=\"a.html\">令和2年度 西区運営方針</a>"
	    "</li><li><a href=\"b.html\">令和元年度 西区運営方針</a></li></ul>"
	    "</body></html>";
	check_status("link list", s, strlen(s), NULL, PARSE_NOT_PLAN);
	s = "区長あいさつ\n皆さまこんにちは。区の目標は安全なまちです。\n";
	check_status("speech", s, strlen(s), NULL, PARSE_NOT_PLAN);
}

/* ---- worst cases: run to completion, never timed ---------------------- */

static void
run_big(const char *name, const char *b, size_t n, const char *ct)
{
	struct parse_result r;
	int rc = parse_bytes(b, n, ct, &r);

	CHECK(rc == 0, "%s: rc %d (%s)", name, rc, r.reason);
	parse_result_clear(&r);
}

static void
test_worst_cases(void)
{
	int small = getenv("PLANQ_VALGRIND") != NULL;
	size_t total = small ? (512u << 10) : (8u << 20), i, n;
	char *b = malloc(total + 64);
	const char *chunk = plan_text;
	size_t cl = strlen(chunk);

	if (b == NULL) {
		CHECK(0, "malloc");
		return;
	}
	for (n = 0; n + cl < total; n += cl)
		memcpy(b + n, chunk, cl);
	run_big("8 MiB of plan text", b, n, NULL);

	for (n = 0, i = 0; i < (small ? 10000u : 100000u); i++) {
		memcpy(b + n, "【1-1-1 a】(予算額 1千円)\n", 34);
		n += 34;
	}
	run_big("100,000 initiative lines", b, n, NULL);

	n = small ? (128u << 10) : (1u << 20);
	for (i = 0; i < n; i++)
		b[i] = "あ【(<&・ \t"[i % 12];
	run_big("1 MiB line of markup-ish bytes", b, n, NULL);

	for (i = 0; i < n; i += 3)
		memcpy(b + i, "あ", 3);
	run_big("1 MiB line", b, n - n % 3, NULL);

	for (n = 0, i = 0; i < (small ? 20000u : 200000u); i++) {
		memcpy(b + n, "<div>", 5);
		n += 5;
	}
	run_big("deeply nested HTML", b, n, "text/html");

	for (n = 0; n + 4 < (small ? 65536u : total); n += 4)
		memcpy(b + n, "<!--", 4);
	run_big("unclosed comments", b, n, NULL);

	for (n = 0; n + 3 < (small ? 65536u : total); n += 3)
		memcpy(b + n, "【", 3);
	run_big("unclosed brackets", b, n, NULL);

	for (n = 0, i = 0; n + 64 < (small ? 65536u : total); i++) {
		int k = snprintf(b + n, 64, "【経営課題%zu t】\t【%zu-1 s】\n",
		    i % 1000 + 1, i % 1000 + 1);
		n += (size_t)k;
	}
	run_big("many issues", b, n, NULL);
	free(b);
}

int
main(void)
{
	test_budgets();
	test_era();
	test_decode();
	test_text();
	test_markers();
	test_classify();
	test_parse_bytes();
	test_worst_cases();
	return check_report(stdout, "test_parse");
}
