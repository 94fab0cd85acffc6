/*
 * parse_internal.h: declarations shared by the parser's translation units
 * (the .c files of workers/parse).  Nothing here is public: that is parse.h.
 */
#ifndef PLANQ_PARSE_INTERNAL_H
#define PLANQ_PARSE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <jansson.h>

/* ---- sbuf.c: growable byte buffer, always NUL-terminated ------------- */
struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 oom;		/* an allocation failed; contents truncated */
};

void	sbuf_init(struct sbuf *b);
void	sbuf_free(struct sbuf *b);
void	sbuf_reset(struct sbuf *b);
int	sbuf_reserve(struct sbuf *b, size_t extra);
void	sbuf_add(struct sbuf *b, const char *s, size_t n);
void	sbuf_addc(struct sbuf *b, char c);
void	sbuf_adds(struct sbuf *b, const char *s);
/* Appends s (n bytes) with runs of white space collapsed to one space,
 * separated from existing content by one space. */
void	sbuf_add_words(struct sbuf *b, const char *s, size_t n);
char	*sbuf_steal(struct sbuf *b);	/* caller frees; b is reset */

/* ---- text.c: UTF-8 helpers over (pointer, length) spans --------------- */
struct span {
	const char *p;
	size_t	 n;
};

/*
 * Word-at-a-time scans: 8 bytes of text in a uint64_t.  Non-zero when some
 * byte of w equals c, or is below c (c <= 0x80): the classic (x - 0x01..)
 * & ~x & 0x80.. test, exact as a yes/no.
 */
#define SWAR_ONES	0x0101010101010101ULL
#define SWAR_HIGH	(SWAR_ONES << 7)
static inline uint64_t
swar_has_byte(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (SWAR_ONES * c);

	return (x - SWAR_ONES) & ~x & SWAR_HIGH;
}
static inline uint64_t
swar_has_below(uint64_t w, unsigned char c)
{
	return (w - SWAR_ONES * c) & ~w & SWAR_HIGH;
}

/* Decodes the code point at s (valid UTF-8 assumed, n > 0 bytes left);
 * *adv gets its length.  Inline: it is on every hot path. */
static inline uint32_t
text_cp(const char *s, size_t n, size_t *adv)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n == 0) {
		*adv = 0;
		return 0;
	}
	if (u[0] < 0x80) {
		*adv = 1;
		return u[0];
	}
	if ((u[0] & 0xF0) == 0xE0 && n >= 3) {
		*adv = 3;
		return ((uint32_t)(u[0] & 0x0F) << 12) |
		    ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
	}
	if ((u[0] & 0xE0) == 0xC0 && n >= 2) {
		*adv = 2;
		return ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
	}
	if ((u[0] & 0xF8) == 0xF0 && n >= 4) {
		*adv = 4;
		return ((uint32_t)(u[0] & 0x07) << 18) |
		    ((uint32_t)(u[1] & 0x3F) << 12) |
		    ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
	}
	*adv = 1;
	return 0xFFFD;
}

int	text_is_space_cp(uint32_t cp);
struct span text_trim_slow(struct span s);
const char *text_find(struct span s, const char *lit);

/* Strips white space (ASCII, U+3000, NBSP) at both ends.  Inline: most
 * spans have none, which the first and last byte tell. */
static inline struct span
text_trim(struct span s)
{
	static const unsigned char edge[256] = {
		['\t'] = 3, ['\n'] = 3, ['\v'] = 1, ['\f'] = 1, ['\r'] = 3,
		[' '] = 3, [0xC2] = 1, [0xE3] = 1,	/* may start a space */
		[0x80] = 2, [0xA0] = 2,			/* may end one */
	};

	if (s.n == 0 || ((edge[(unsigned char)s.p[0]] & 1) == 0 &&
	    (edge[(unsigned char)s.p[s.n - 1]] & 2) == 0))
		return s;
	return text_trim_slow(s);
}

/* Prefix/suffix tests and skips, inline so strlen(literal) folds; the
 * first byte is compared before memcmp is called. */
static inline int
text_starts(struct span s, const char *lit)
{
	size_t l = strlen(lit);

	return s.n >= l && (l == 0 || s.p[0] == lit[0]) &&
	    memcmp(s.p, lit, l) == 0;
}

static inline int
text_ends(struct span s, const char *lit)
{
	size_t l = strlen(lit);

	return s.n >= l && (l == 0 || s.p[s.n - 1] == lit[l - 1]) &&
	    memcmp(s.p + s.n - l, lit, l) == 0;
}

static inline struct span
text_skip(struct span s, size_t nbytes)
{
	if (nbytes > s.n)
		nbytes = s.n;
	s.p += nbytes;
	s.n -= nbytes;
	return s;
}

static inline struct span
text_skip_lit(struct span s, const char *lit)
{
	return text_starts(s, lit) ? text_skip(s, strlen(lit)) : s;
}
struct span text_skip_spaces(struct span s);
/* Bytes at s before the first one below 0x21 (space, tab, newline, other
 * controls), n if none: a word at a time. */
size_t	text_word_len(const char *s, size_t n);
int	text_is_digit_cp(uint32_t cp, int *val);
size_t	text_cp_count(struct span s);
/* Strips leading Markdown heading marks, list markers and bold marks;
 * *level gets the heading level (0 when not a heading). */
struct span text_strip_heading(struct span s, int *level);
json_t	*text_json(struct span s);	/* collapsed white space, NULL if empty */

/* ---- decode.c: bytes in some charset -> valid UTF-8 ------------------- */
/* Returns 0 and fills out (UTF-8, no BOM) and charset; 1 when the bytes
 * are not text in any supported charset, 2 when they are binary data (NUL
 * bytes without a UTF-16 BOM/label); reason filled; -1 on OOM. */
int	decode_to_utf8(const unsigned char *bytes, size_t len,
	    const char *content_type, struct sbuf *out, char *charset,
	    size_t charsetsz, char *reason, size_t reasonsz);
int	decode_is_utf8(const unsigned char *s, size_t n);

/* ---- html.c: HTML pages and inline HTML fragments -> plain text ------- */
int	html_is_page(const char *s, size_t n, const char *content_type);
/* Whole page -> lines: blocks on their own lines (blank line between),
 * table rows on one line with cells separated by tabs.  0 / -1 OOM. */
int	html_page_to_text(const char *s, size_t n, struct sbuf *out);
/* Text with inline fragments (<p>, <ul>, <b>, &amp;) -> text; tags become
 * a space, line structure and tabs are kept. */
void	html_strip_inline(const char *s, size_t n, struct sbuf *out);

/* ---- normalize.c: NFKC and white space ------------------------------- */
/* NFKC-normalises valid UTF-8, maps CR/CRLF to LF, drops other control
 * characters except tab, U+3000 and NBSP become spaces.  0 / -1 OOM. */
int	normalize_text(const char *s, size_t n, struct sbuf *out);

/* ---- era.c: 年度 labels and dates ------------------------------------ */
struct year_label {
	int	 year;		/* Gregorian fiscal year, 0 if none */
	char	 label[40];	/* as printed, e.g. 令和2年度 / 2021年度 */
	size_t	 start;		/* offset of the label in the searched span */
	struct span rest;	/* text after the label (and a (2019年度) gloss) */
};
/* Finds the first 年度 label in s; 1 found, 0 not. */
int	era_find_year(struct span s, struct year_label *out);
/* The same, only for a label at the very start of s. */
int	era_year_at(struct span s, struct year_label *out);
/* Parses a whole-line date (2018年6月7日, 令和2年6月7日); 1 ok. */
int	era_parse_date(struct span s, int *y, int *m, int *d);

/* ---- budget.c: amounts ------------------------------------------------ */
struct budget {
	char	 label[96];	/* empty when the amount carries no label */
	int	 has_amount;	/* 0: printed dash / nothing */
	long long amount;	/* yen */
};
/* Parses an amount such as 43,070千円, 5千4百万円, 65百万円, -, - 円.
 * Returns 1 and fills *has, *yen and *used = bytes consumed; 0 if none. */
int	budget_parse_amount(struct span s, int *has, long long *yen,
	    size_t *used);
/* Parses the inside of a budget bracket (令和2年度算定見込額 390千円,
 * 別途2年度福祉局区CM算定見込額12,626千円, 5,237千円); 1 ok. */
int	budget_parse_inner(struct span s, struct budget *b);
/* Column heading label: 主な具体的取組(2年度予算額) -> 予算額; 1 ok. */
int	budget_column_label(struct span s, char *label, size_t labelsz);
/* A table header cell naming a budget column (2年度予算額(千円)): 1 with
 * the label and the unit of bare numbers below it (0: none printed). */
int	budget_header_cell(struct span s, char *label, size_t labelsz,
	    long long *unit);
/* Scans s for budget groups; stores up to max, returns count.  *title_end
 * gets the offset where the first budget group starts (s.n if none),
 * *after the offset just past the last one. */
size_t	budget_scan(struct span s, struct budget *out, size_t max,
	    size_t *first, size_t *after);

/* ---- markers.c: what a segment of text is ----------------------------- */
enum mark_kind {
	MARK_NONE = 0,
	MARK_ISSUE,		/* 経営課題N */
	MARK_STRATEGY,		/* N-N, 戦略N-N, ☆ */
	MARK_INITIATIVE,	/* N-N-N, 具体的取組N-N-N, ○ */
	MARK_REFORM,		/* 取組項目N / 主な取組項目 title */
};
struct marker {
	enum mark_kind kind;
	int	 bracketed;	/* 【…】 style */
	int	 symbol;	/* ☆ / ○ style (no code) */
	long	 number;	/* issue number, -1 if none */
	char	 code[32];	/* "1-1" / "1-1-2" or "" */
	struct span title;	/* title inside the bracket, may be empty */
	struct span rest;	/* text after the marker */
};
/* Recognises a marker at the start of s. */
int	markers_match(struct span s, struct marker *m);
/* A bare code "1-1 title" / "1-1-2 title" (only trusted on headings). */
int	markers_match_bare(struct span s, struct marker *m);
/* Offset of the next bracketed marker in s at or after from (s.n if none). */
size_t	markers_next(struct span s, size_t from);

/* ---- keywords.c: heading words a line contains, in one pass ------------ */
enum {
	KW_PAGE_AUTHOR	= 1u << 0,	/* このページの作成者 */
	KW_PAGE		= 1u << 1,	/* このページ */
	KW_TOI		= 1u << 2,	/* 問合せ / 問い合わせ */
	KW_TOI_SAKI	= 1u << 3,	/* 問合せ先 / 問い合わせ先 */
	KW_OTOI		= 1u << 4,	/* お問い合わせ */
	KW_KUSEI	= 1u << 5,	/* 区政会議の意見 */
	KW_HANEI	= 1u << 6,	/* 反映 */
	KW_SHISEI	= 1u << 7,	/* 市政改革 */
	KW_TORIKUMI	= 1u << 8,	/* 取組 */
	KW_YOSHIKI3	= 1u << 9,	/* 様式3 */
	KW_KAIZEN	= 1u << 10,	/* 改善 */
	KW_JUTEN	= 1u << 11,	/* 重点的に取り組む */
	KW_KEIEI	= 1u << 12,	/* 経営課題 */
	KW_BRACKET	= 1u << 13,	/* 【 */
	KW_MOKUHYO	= 1u << 14,	/* 目標 */
	KW_SHIMEI	= 1u << 15,	/* 使命 */
	KW_HOSHIN	= 1u << 16,	/* 方針 */
	KW_KANGAE	= 1u << 17,	/* 考え方 */
};
/* The KW_ bits of the words that occur anywhere in s (valid UTF-8). */
unsigned keywords_scan(struct span s);

/* ---- classify.c: whole-line headings ---------------------------------- */
enum line_kind {
	LINE_TEXT = 0,
	LINE_GOALS,
	LINE_MISSIONS,
	LINE_POLICIES,
	LINE_ISSUES,		/* 重点的に取り組む主な経営課題 */
	LINE_REFORMS,		/* 市政改革…に基づく取組 */
	LINE_EVAL,		/* 自己評価 */
	LINE_ACHIEVE,		/* 1年間の取組成果… */
	LINE_CHALLENGE,		/* 解決すべき課題… */
	LINE_COUNCIL,		/* 区政会議の意見の予算要求への反映割合 */
	LINE_CONTACT,		/* このページの作成者・問合せ先 */
	LINE_PLAN,		/* ◆計画 */
	LINE_COLHEAD,		/* 経営課題の概要 / 主な戦略 / 主な取組項目… */
	LINE_NOISE,		/* site chrome: ページの先頭です, Adobe, SNS… */
	LINE_END,		/* footer: nothing after it is content */
};
/* The site-chrome words as a hashed set, built once per document. */
struct classify_noise {
	uint32_t set[128];
	unsigned wh[64];
};
void	classify_noise_init(struct classify_noise *cn);
/* cn NULL: no site-chrome check (table cells never hold chrome). */
enum line_kind classify_line_ctx(const struct classify_noise *cn,
	    struct span s);
enum line_kind classify_line(struct span s);	/* builds its own set */
/* Title line (年度 … 運営方針); 1 if s is one. */
int	classify_title(struct span s);
/* (区長:岸本 孝之): role and name spans; 1 ok. */
int	classify_head(struct span s, struct span *role, struct span *name);
/* Words that mark a non-plan document; returns a reason or NULL. */
const char *classify_not_plan(struct span s);

/* ---- plan_build.c: the state machine ---------------------------------- */
struct plan_stats {
	int	 has_title;
	int	 has_head;
	int	 sections;	/* goals/missions/policies with content */
	int	 issues;
	int	 items;		/* strategies + initiatives */
	int	 coded;		/* items with codes */
	int	 budgets;
	int	 reforms;
	const char *negative;	/* not-a-plan reason from early lines */
};
/* Builds the plan from normalised text; NULL on OOM. */
json_t	*plan_build(const char *text, size_t n, struct plan_stats *st);

#endif
