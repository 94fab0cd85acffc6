/*
 * classify.c: recognises whole-line headings (目標, 使命, 運営の基本的な考え方,
 * 経営課題 section, 市政改革, 自己評価, 区政会議, 問合せ先), the title line,
 * the head line, site chrome (noise), and words of non-plan documents.
 * Headings are short lines; long lines are always text.
 */
#include <string.h>

#include "text.h"
#include "era.h"
#include "keywords.h"
#include "classify.h"

#define HEADING_MAX_CP 60

struct classify_word {
	const char *w;
	size_t	 n;
};
#define CW(s)	{ s, sizeof(s) - 1 }

/* Whether s starts with w. */
static inline int
classify_starts(struct span s, const struct classify_word *w)
{
	return s.n >= w->n && text_same(s.p, w->w, w->n);
}

/* Removes one pair of surrounding 【】/≪≫/[]/〈〉/「」… and a leading
 * ◆/■/●. */
static struct span
classify_unwrap(struct span s)
{
	static const struct classify_word lead[] = { CW("◆"), CW("■"),
	    CW("●"), CW("◇"), CW("□"), CW("▼"), CW("▶"), CW("◎") };
	static const struct classify_word pairs[][2] = {
	    { CW("【"), CW("】") }, { CW("≪"), CW("≫") }, { CW("["), CW("]") },
	    { CW("《"), CW("》") }, { CW("〔"), CW("〕") }, { CW("〈"), CW("〉") },
	    { CW("「"), CW("」") }, { CW("『"), CW("』") } };
	size_t i;
	unsigned char c0, c1;

	s = text_trim(s);
	c0 = s.n ? (unsigned char)s.p[0] : 0;
	c1 = s.n > 1 ? (unsigned char)s.p[1] : 0;
	/* every mark is E2 96 xx / E2 97 xx, every bracket [ / E2 89 xx /
	 * E3 80 xx: nothing else can start here */
	if (!(c0 == '[' || (c0 == 0xE2 && (c1 == 0x96 || c1 == 0x97 ||
	    c1 == 0x89)) || (c0 == 0xE3 && c1 == 0x80)))
		return s;
	for (i = 0; c0 == 0xE2 && c1 != 0x89 &&
	    i < sizeof(lead) / sizeof(lead[0]); i++)
		if (classify_starts(s, &lead[i])) {
			s = text_trim(text_skip(s, lead[i].n));
			break;
		}
	/* no opener is a prefix of another, and their last bytes differ:
	 * that byte picks the one pair worth comparing */
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct classify_word *o = &pairs[i][0], *c = &pairs[i][1];

		if (s.n < o->n || s.p[o->n - 1] != o->w[o->n - 1])
			continue;
		if (classify_starts(s, o) && s.n >= c->n &&
		    text_same(s.p + s.n - c->n, c->w, c->n)) {
			s = text_skip(s, o->n);
			s.n -= c->n;
			s = text_trim(s);
		}
		break;
	}
	return s;
}

/* Whether p reads as an organisation's name: at most 16 code points, no
 * white space or punctuation, ending the way Osaka City's organisations
 * end (此花区, 建設局, 政策企画室, 教育委員会…, 中央卸売市場). */
static int
classify_org_like(struct span p)
{
	static const char *const ends[] = { "区", "局", "室", "本部",
	    "委員会", "区役所", "市場", "所属", NULL };
	size_t i, adv;

	if (p.n == 0 || text_cp_count(p) > 16)
		return 0;
	for (i = 0; i < p.n; i += adv) {
		uint32_t cp = text_cp(p.p + i, p.n - i, &adv);
		if (text_is_space_cp(cp) || cp == 0x3002 || cp == 0x3001 ||
		    cp == 0x30FB || cp == '(' || cp == ')' || cp == ':')
			return 0;
	}
	for (i = 0; ends[i] != NULL; i++)
		if (text_ends(p, ends[i]))
			return 1;
	return 0;
}

/* Skips "令和2年度 " and an owner: 区の / 局の / 区・局の / 所属の, or an
 * organisation's own name and の (此花区の目標, 建設局の使命). */
static struct span
classify_skip_owner(struct span s)
{
	static const char *const owners[] = { "区・局の", "区局の", "区の",
	    "局の", "所属の", "室の", "本部の", "事務局の", "委員会の", NULL };
	struct year_label yl;
	const char *no;
	size_t i;

	if (era_year_at(s, &yl))
		s = text_skip_spaces(yl.rest);
	for (i = 0; owners[i] != NULL; i++)
		if (text_starts(s, owners[i]))
			return text_skip(s, strlen(owners[i]));
	no = text_find(s, "の");
	if (no != NULL && classify_org_like((struct span){ s.p,
	    (size_t)(no - s.p) }))
		return text_skip(s, (size_t)(no - s.p) + strlen("の"));
	return s;
}

/* 区長の方針 / 局長の方針 / 所属長の方針 / 此花区長の方針 at the start of o. */
static int
classify_head_policy(struct span o)
{
	const char *p = text_find(o, "長の方針");

	if (p == NULL)
		return 0;
	if (text_starts(o, "区・局長の方針"))
		return 1;
	return classify_org_like((struct span){ o.p, (size_t)(p - o.p) });
}

static int
classify_has(struct span s, const char *lit)
{
	return text_find(s, lit) != NULL;
}

/* A site-chrome word: at least CLASSIFY_NOISE_MIN bytes (the build stops
 * otherwise), so that the scan can hash eight bytes at every position. */
#define CLASSIFY_NOISE_MIN	8
#define NW(s)	{ s, sizeof(s) - 1 + 0 * sizeof(char[sizeof(s) > \
	    CLASSIFY_NOISE_MIN ? 1 : -1]) }
static const struct classify_word noise_words[] = {
	NW("ページの先頭です"), NW("メニューの終端です"), NW("本文ここから"),
	NW("本文ここまで"), NW("ここから本文です"), NW("ここまで本文です"),
	NW("Adobe Acrobat"), NW("Adobe Reader"), NW("Acrobat Reader"),
	NW("PDFファイルを閲覧"), NW("PDF形式のファイルを"),
	NW("別ウィンドウで開"), NW("SNSリンク"), NW("でシェア"),
	NW("でツイート"), NW("LINEで送る"),
	NW("探している情報が見つからない"), NW("このページを印刷"),
	NW("ページの先頭へ"), NW("メール送信フォーム"), NW("よくあるご質問"),
	NW("サイトマップ"), NW("このページの先頭"), NW("Get Adobe"),
	NW("ダウンロード(無償)"), NW("JavaScriptが無効"),
	NW("トップページ >"), NW("ホーム >"), NW("現在位置"), NW("パンくず"),
	NW("読み上げ"), NW("文字サイズ"), NW("Language"), NW("閲覧支援"),
	NW("ヘッダーメニュー"), NW("フッターメニュー"),
	{ NULL, 0 }
};

/* Sub-headings of an item's indicator/evaluation columns: what follows is
 * not the item's description. */
static int
classify_stop(struct span u)
{
	static const struct classify_word stops[] = { CW("アウトカム指標"),
	    CW("プロセス指標"), CW("撤退・再構築基準"), CW("中間振り返り"),
	    CW("業績目標"), CW("戦略のアウトカム"), CW("具体的取組のアウトカム") };
	size_t i;

	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		if (classify_starts(u, &stops[i]))
			return 1;
	return 0;
}

#define CLASSIFY_NWORDS	(sizeof(noise_words) / sizeof(noise_words[0]) - 1)

/* Whether s contains a noise word, by sampling: every word is at least
 * CLASSIFY_NOISE_MIN (8) bytes long, so any occurrence covers a whole
 * 4-byte window starting at one of its first five offsets, and one of any
 * five consecutive positions is a multiple of five.  The scan hashes the
 * four bytes at every fifth position of s; the set holds the hashes of
 * each word's windows at offsets 0..4, chained per hash to (word, offset)
 * entries, and a hit checks the word at that position minus the offset.
 * A word matched anywhere starts at a character start (its first byte is
 * not a continuation byte), so this is the same test as hashing every
 * character start, with a fifth of the probes. */
#define CLASSIFY_NOISE_Q	4
#define CLASSIFY_NOISE_STEP	(CLASSIFY_NOISE_MIN - CLASSIFY_NOISE_Q + 1)
_Static_assert(CLASSIFY_NWORDS * CLASSIFY_NOISE_STEP <
    sizeof(((struct classify_noise *)0)->next), "struct classify_noise too "
    "small for noise_words");
_Static_assert(sizeof(((struct classify_noise *)0)->head) == 4096,
    "classify_hash4 gives 12 bits");

static unsigned
classify_hash4(const unsigned char *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	return (unsigned)((w * 0x9E3779B1u) >> 20);
}

void
classify_noise_init(struct classify_noise *cn)
{
	size_t k, j, e = 0;

	memset(cn->head, 0, sizeof(cn->head));
	for (k = 0; k < CLASSIFY_NWORDS; k++)
		for (j = 0; j < CLASSIFY_NOISE_STEP; j++) {
			unsigned h = classify_hash4((const unsigned char *)
			    noise_words[k].w + j);
			cn->word[e] = (unsigned char)k;
			cn->off[e] = (unsigned char)j;
			cn->next[e] = cn->head[h];
			cn->head[h] = (unsigned char)(e + 1);
			e++;
		}
}

/* Whether a word of the chain from entry e (+ 1) is at offset i of s
 * minus the entry's offset.  Not inlined: most windows have no chain, and
 * inlined it costs the scan's loop its registers. */
static __attribute__((noinline)) int
classify_noise_chain(const struct classify_noise *cn, struct span s,
    size_t i, unsigned e)
{
	const unsigned char *u = (const unsigned char *)s.p;

	while (e != 0) {
		const struct classify_word *w = &noise_words[cn->word[e - 1]];
		size_t off = cn->off[e - 1];

		/* the word's first CLASSIFY_NOISE_MIN bytes in place first,
		 * which hold the window (off < CLASSIFY_NOISE_STEP): half
		 * the entries a hash leads to are another four bytes of the
		 * same hash, and nearly all the others differ within those
		 * eight bytes (on m500, 1,449 of 40,014 get to the rest) */
		if (off <= i && w->n <= s.n - (i - off) &&
		    memcmp(u + i - off, w->w, CLASSIFY_NOISE_MIN) == 0 &&
		    memcmp(u + i - off + CLASSIFY_NOISE_MIN, w->w +
		    CLASSIFY_NOISE_MIN, w->n - CLASSIFY_NOISE_MIN) == 0)
			return 1;
		e = cn->next[e - 1];
	}
	return 0;
}

static int
classify_noise(const struct classify_noise *cn, struct span s)
{
	const unsigned char *u = (const unsigned char *)s.p;
	size_t i;

	if (s.n < CLASSIFY_NOISE_MIN)
		return 0;
	for (i = 0; i <= s.n - CLASSIFY_NOISE_Q; i += CLASSIFY_NOISE_STEP) {
		unsigned e = cn->head[classify_hash4(u + i)];

		if (e != 0 && classify_noise_chain(cn, s, i, e))
			return 1;
	}
	return 0;
}

enum line_kind
classify_line(struct span s)
{
	struct classify_noise cn;

	classify_noise_init(&cn);
	return classify_line_ctx(&cn, s);
}

/* Section headings told by the words they contain (kw: keywords_scan). */
static enum line_kind
classify_section(struct span u, size_t cps, unsigned kw)
{
	if ((kw & KW_PAGE_AUTHOR) || (cps <= 24 && (kw & KW_PAGE) &&
	    (kw & KW_TOI)) || (cps <= 12 && (kw & (KW_TOI_SAKI | KW_OTOI))))
		return LINE_CONTACT;
	if ((kw & KW_KUSEI) && (kw & KW_HANEI))
		return LINE_COUNCIL;
	if ((kw & KW_SHISEI) && (kw & (KW_TORIKUMI | KW_YOSHIKI3)))
		return LINE_REFORMS;
	if (text_starts(u, "自己評価") && cps <= 8)
		return LINE_EVAL;
	if (classify_stop(u))
		return LINE_NOISE;	/* indicator tables end a body */
	if (text_starts(u, "1年間の取組成果") || text_starts(u, "取組成果と"))
		return LINE_ACHIEVE;
	if (text_starts(u, "解決すべき課題") || (cps <= 24 &&
	    text_starts(u, "課題と") && (kw & KW_KAIZEN)))
		return LINE_CHALLENGE;
	if (cps <= 40 && (((kw & KW_JUTEN) && (kw & KW_KEIEI)) ||
	    text_starts(u, "主な経営課題")))
		return LINE_ISSUES;
	if (cps <= 6 && text_starts(u, "計画"))
		return LINE_PLAN;
	if (text_starts(u, "経営課題の概要") || text_starts(u, "取組内容") ||
	    (cps <= 6 && (text_starts(u, "主な戦略") ||
	    text_starts(u, "主な取組項目"))) ||
	    (text_starts(u, "主な具体的取組") && cps <= 24 &&
	    !text_find(u, "【")))
		return LINE_COLHEAD;
	return LINE_TEXT;
}

/* 目標 / 使命 / 運営の基本的な考え方 headings (after a year and an owner). */
static enum line_kind
classify_plan_heading(struct span u, size_t cps)
{
	struct span o = classify_skip_owner(u);

	if (text_starts(o, "目標") && (cps <= 24 ||
	    classify_has(o, "めざす") || classify_has(o, "目指す")))
		return LINE_GOALS;
	if (text_starts(o, "使命") && (cps <= 24 ||
	    classify_has(o, "役割")))
		return LINE_MISSIONS;
	if (classify_has(o, "運営の基本的な考え方") ||
	    text_starts(o, "運営方針の基本的な考え方") ||
	    (classify_head_policy(o) && cps <= 20))
		return LINE_POLICIES;
	return LINE_TEXT;
}

size_t
classify_item_mark_at(struct span u)
{
	/* the marks by their first byte (none is a prefix of another, so
	 * the order does not matter): a line that starts with kana (E3)
	 * tries two, not fifteen */
	static const struct classify_word marks_e3[] = { CW("・"), CW("〇") };
	static const struct classify_word marks[] = { CW("•"),
	    CW("‣"), CW("◦"), CW("▪"), CW("▫"), CW("○"), CW("◯"),
	    CW("➢"), CW("➤"), CW("►"), CW("- "), CW("* "), CW("+ ") };
	static const struct classify_word romans[] = { CW("III"), CW("II"),
	    CW("IV"), CW("I"), CW("V") };
	struct span t = u;
	size_t i, n = 0;
	unsigned char c0 = u.n ? (unsigned char)u.p[0] : 0;
	int d;

	/* every mark starts E2 or E3, or is "- ", "* ", "+ " */
	if (c0 == 0xE3) {
		for (i = 0; i < sizeof(marks_e3) / sizeof(marks_e3[0]); i++)
			if (classify_starts(u, &marks_e3[i]))
				return u.n - text_skip_spaces(text_skip(u,
				    marks_e3[i].n)).n;
	} else if (c0 == 0xE2 || c0 == '-' || c0 == '*' || c0 == '+')
		/* the marks' first bytes are all alike: their last byte
		 * first, which tells most of them apart */
		for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
			if (u.n >= marks[i].n && u.p[marks[i].n - 1] ==
			    marks[i].w[marks[i].n - 1] &&
			    classify_starts(u, &marks[i]))
				return u.n - text_skip_spaces(text_skip(u,
				    marks[i].n)).n;
	t = text_skip_lit(t, "(");
	while (n < t.n && n < 2 && text_is_digit_cp((unsigned char)t.p[n], &d))
		n++;
	if (n == 0 && t.n > 0 && (t.p[0] == 'I' || t.p[0] == 'V'))
		for (i = 0; n == 0 && i < sizeof(romans) / sizeof(romans[0]);
		    i++)
			if (classify_starts(t, &romans[i]))
				n = romans[i].n;
	if (n == 0)
		return 0;
	t = text_skip(t, n);
	if (text_starts(t, ".") || text_starts(t, ")"))
		t = text_skip(t, 1);
	else if (!text_starts(t, " "))
		return 0;
	return u.n - text_skip_spaces(t).n;
}

/* Whether a 目標/使命 heading is nothing but the heading (目標, 区の目標,
 * 目標(何をめざすのか), 目標:…): the only forms trusted on a list item. */
static int
classify_bare_heading(struct span v)
{
	struct span o = classify_skip_owner(v), rest;

	if (text_starts(o, "目標"))
		rest = text_skip_lit(o, "目標");
	else if (text_starts(o, "使命"))
		rest = text_skip_lit(o, "使命");
	else
		return 1;	/* 運営の基本的な考え方 / …長の方針 */
	rest = text_trim(rest);
	return rest.n == 0 || text_starts(rest, "(") || text_starts(rest, ":");
}

/* A heading written as a list item (• 区の目標(何をめざすのか), 1 使命):
 * only the unmistakable ones count, the rest is an item's text. */
static enum line_kind
classify_item_heading(struct span v)
{
	size_t cps = text_cp_count(v);
	unsigned kw;
	enum line_kind k;

	if (cps == 0 || cps > 40)
		return LINE_TEXT;
	kw = keywords_scan(v);
	k = classify_section(v, cps, kw);
	if (k == LINE_ISSUES || k == LINE_REFORMS || k == LINE_CONTACT ||
	    k == LINE_COUNCIL)
		return k;
	if (k != LINE_TEXT ||
	    !(kw & (KW_MOKUHYO | KW_SHIMEI | KW_HOSHIN | KW_KANGAE)))
		return LINE_TEXT;
	k = classify_plan_heading(v, cps);
	return k != LINE_TEXT && classify_bare_heading(v) ? k : LINE_TEXT;
}

enum line_kind
classify_line_ctx(const struct classify_noise *cn, struct span s)
{
	enum line_kind k;
	struct span u;
	size_t cps, mark;
	unsigned kw;
	int digit;

	if (s.n > 480)		/* > 160 code points: always body text */
		return LINE_TEXT;
	u = classify_unwrap(s);
	/* at most 120 bytes are at most 120 code points: counted only when
	 * needed (a list item's line is mostly decided before) */
	cps = u.n > 120 ? text_cp_count(u) : 0;
	if (cps > 120)
		return LINE_TEXT;
	if (cn != NULL && classify_noise(cn, u))
		return LINE_NOISE;
	if ((mark = classify_item_mark(u)) > 0) {
		/* a list item is a heading only in its unmistakable forms;
		 * an enumerated line may still be an ordinary one below */
		k = classify_item_heading(text_skip(u, mark));
		if (k != LINE_TEXT || !text_is_digit_cp((unsigned char)u.p[0],
		    &digit))
			return k;
	}
	if (u.n <= 120)
		cps = text_cp_count(u);
	if (cps == 0 || cps > HEADING_MAX_CP)
		return LINE_TEXT;
	kw = keywords_scan(u);
	k = classify_section(u, cps, kw);
	if (k != LINE_TEXT || cps > 40)
		return k;
	if (!(kw & (KW_MOKUHYO | KW_SHIMEI | KW_HOSHIN | KW_KANGAE)))
		return LINE_TEXT;
	return classify_plan_heading(u, cps);
}

int
classify_title(struct span s)
{
	static const char *const bad[] = { "更新", "履歴", "について", "一覧",
	    "ダウンロード", "PDF", "ファイル", ">", "|", "»", "をご覧", "です",
	    "。", "、", "http", "詳しく", "掲載", "リンク", NULL };
	struct year_label yl;
	const char *h;
	size_t i;

	if (s.n > 240 || text_find(s, "運営方針") == NULL)
		return 0;
	s = classify_unwrap(s);
	if (text_cp_count(s) > 60 || (h = text_find(s, "運営方針")) == NULL)
		return 0;
	for (i = 0; bad[i] != NULL; i++)
		if (classify_has(s, bad[i]))
			return 0;
	if (!era_find_year(s, &yl)) {
		/* no year: "西区運営方針" / "港湾局運営方針(素案)" alone */
		struct span org = text_trim((struct span){ s.p,
		    (size_t)(h - s.p) });
		struct span after = text_trim(text_skip(s, (size_t)(h - s.p) +
		    strlen("運営方針")));
		return text_cp_count(org) >= 2 && text_cp_count(org) <= 16 &&
		    (text_ends(org, "区") || text_ends(org, "局") ||
		    text_ends(org, "室")) && (after.n == 0 ||
		    (text_starts(after, "(") && text_cp_count(after) <= 6));
	}
	/* the year and the org come before 運営方針, or the year right after */
	return yl.start < (size_t)(h - s.p) || yl.start <= (size_t)(h - s.p) +
	    strlen("運営方針") + 3;
}

/* A known head role at the start of s followed by white space. */
static int
classify_role_prefix(struct span s, struct span *role)
{
	static const char *const roles[] = { "事務局長", "区長", "局長", "室長",
	    "所長", "本部長", "理事長", NULL };
	size_t i, l;

	for (i = 0; roles[i] != NULL; i++) {
		l = strlen(roles[i]);
		if (text_starts(s, roles[i]) && s.n > l && (s.p[l] == ' ' ||
		    s.p[l] == '\t')) {
			role->p = s.p;
			role->n = l;
			return 1;
		}
	}
	return 0;
}

int
classify_head(struct span s, struct span *role, struct span *name)
{
	const char *colon;
	struct span r, nm;
	size_t rc;

	int wrapped = 0;

	s = text_trim(s);
	if (text_starts(s, "(") && text_ends(s, ")")) {
		s = text_skip(s, 1);
		s.n--;
		s = text_trim(s);
		wrapped = 1;
	}
	colon = text_find(s, ":");
	if (colon != NULL) {
		r = text_trim((struct span){ s.p, (size_t)(colon - s.p) });
		nm = text_trim(text_skip(s, (size_t)(colon - s.p) + 1));
	} else if (wrapped && classify_role_prefix(s, &r)) {
		nm = text_trim(text_skip(s, r.n));	/* (区長 岸本 孝之) */
	} else
		return 0;
	rc = text_cp_count(r);
	if (rc < 2 || rc > 8 || !text_ends(r, "長") || nm.n == 0 ||
	    text_cp_count(nm) > 20)
		return 0;
	{
		size_t i, adv;
		int d;
		for (i = 0; i < nm.n; i += adv) {
			uint32_t cp = text_cp(nm.p + i, nm.n - i, &adv);
			if (text_is_digit_cp(cp, &d) || cp == 0x3002 ||
			    cp == 0x3001 || cp == '(' || cp == ')')
				return 0;
		}
	}
	*role = r;
	*name = nm;
	return 1;
}

const char *
classify_not_plan(struct span s, const char **word)
{
	static const struct {
		const char *word, *reason;
	} words[] = {
		{ "会議録", "council minutes (会議録), not a management plan" },
		{ "議事録", "minutes (議事録), not a management plan" },
		{ "議事要旨", "minutes (議事要旨), not a management plan" },
		{ "会議要旨", "minutes (会議要旨), not a management plan" },
		{ "あいさつ", "a greeting/speech (あいさつ), not a management plan" },
		{ "挨拶", "a greeting/speech (挨拶), not a management plan" },
		{ "将来ビジョン", "a vision page (将来ビジョン), not a management "
		    "plan" },
		{ "ページが見つかりません", "an error page (page not found)" },
		{ "お探しのページ", "an error page (page not found)" },
		{ "Not Found", "an error page (404 Not Found)" },
		{ "見つかりませんでした", "an error page (page not found)" },
	};
	size_t i;

	s = classify_unwrap(s);
	if (text_cp_count(s) > 40)
		return NULL;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (classify_has(s, words[i].word)) {
			if (word != NULL)
				*word = words[i].word;
			return words[i].reason;
		}
	return NULL;
}
