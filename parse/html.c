/*
 * html.c: HTML to the parser's line-oriented text.  Whole pages go through
 * libxml2's HTML parser and an iterative DOM walk (blocks -> lines, table
 * rows -> tab-separated cells, script/style/nav dropped); inline fragments
 * inside text layouts (<p>, <ul>, <b>, &amp;) are stripped by a scanner.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "sbuf.h"
#include "html.h"

#define HTML_SNIFF 4096

/* Whether one of the page tags (<!doctype <html <head <body, or the
 * table/heading markup a TSV cell fragment has not: <table <h1 <h2) starts
 * at s[i] == '<', followed by '>', white space, '/' or the end. */
static int
html_page_tag_at(const char *s, size_t n, size_t i)
{
	static const char *const tags[] = { "<!doctype", "<html", "<head",
	    "<body", "<table", "<h1", "<h2" };
	size_t k;
	char c1 = i + 1 < n ? (char)(s[i + 1] | 0x20) : 0;

	for (k = 0; k < sizeof(tags) / sizeof(tags[0]); k++) {
		size_t l = strlen(tags[k]);
		char c;

		/* the second character first (tags are lower case, and
		 * '!' | 0x20 is '!'): most '<' start none of them */
		if (c1 != tags[k][1] || i + l > n ||
		    strncasecmp(s + i, tags[k], l) != 0)
			continue;
		c = i + l < n ? s[i + l] : '>';
		if (c == '>' || c == ' ' || c == '\t' || c == '\n' ||
		    c == '\r' || c == '/')
			return 1;
	}
	return 0;
}

/* One memchr pass over the sniffed prefix for all the tags (was: one
 * pass per tag). */
int
html_is_page(const char *s, size_t n, const char *content_type)
{
	size_t lim = n < HTML_SNIFF ? n : HTML_SNIFF, i = 0;
	const char *lt;

	(void)content_type;
	for (; i < lim && (lt = memchr(s + i, '<', lim - i)) != NULL; i++) {
		i = (size_t)(lt - s);
		if (html_page_tag_at(s, lim, i))
			return 1;
	}
	return 0;
}

/* ---- whole pages ----------------------------------------------------- */

enum { BRK_NONE, BRK_SPACE, BRK_LINE, BRK_PARA };

struct html_out {
	struct sbuf *b;
	int	 brk;		/* pending break before the next text */
	int	 cell;		/* depth of td/th */
	int	 cells_in_row;	/* cells emitted in the current row */
	int	 pre;
};

static void
html_break(struct html_out *o, int brk)
{
	if (o->cell > 0 && brk > BRK_SPACE)
		brk = BRK_SPACE;
	if (brk > o->brk)
		o->brk = brk;
}

static void
html_flush_break(struct html_out *o)
{
	if (o->b->len == 0) {
		o->brk = BRK_NONE;
		return;
	}
	switch (o->brk) {
	case BRK_SPACE:
		sbuf_addc(o->b, ' ');
		break;
	case BRK_LINE:
		sbuf_addc(o->b, '\n');
		break;
	case BRK_PARA:
		sbuf_add(o->b, "\n\n", 2);
		break;
	default:
		break;
	}
	o->brk = BRK_NONE;
}

static void
html_text(struct html_out *o, const char *t)
{
	size_t i, n = strlen(t);
	int ws = 0;

	for (i = 0; i < n; i++) {
		char c = t[i];
		if (!o->pre && (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f')) {
			ws = 1;
			continue;
		}
		if (o->pre && c == '\n') {
			html_break(o, BRK_LINE);
			continue;
		}
		if (c == '\t')
			c = ' ';
		if (ws) {
			html_break(o, BRK_SPACE);
			ws = 0;
		}
		html_flush_break(o);
		sbuf_addc(o->b, c);
	}
	if (ws)
		html_break(o, BRK_SPACE);
}

static int
html_name_in(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcasecmp(name, *list) == 0)
			return 1;
	return 0;
}

static int
html_attr_has(xmlNode *n, const char *attr, const char *const *words)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
	int hit = 0;

	if (v == NULL)
		return 0;
	for (; *words != NULL && !hit; words++)
		if (strcasestr((const char *)v, *words) != NULL)
			hit = 1;
	xmlFree(v);
	return hit;
}

/* Whether a subtree holds the page's contact block (bounded scan). */
static int
html_has_contact(xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);
	int hit;

	if (t == NULL)
		return 0;
	hit = strstr((const char *)t, "問合せ") != NULL ||
	    strstr((const char *)t, "問い合わせ") != NULL;
	xmlFree(t);
	return hit;
}

static int
html_skip(xmlNode *n)
{
	static const char *const drop[] = { "script", "style", "noscript",
	    "template", "iframe", "object", "embed", "svg", "nav", "head",
	    "select", "button", "textarea", "map", "canvas", "video", "audio",
	    NULL };
	static const char *const noisy[] = { "breadcrumb", "topicpath",
	    "pankuzu", "gnav", "globalnav", "global-nav", "global_nav",
	    "localnav", "sidenav", "side-nav", "side_nav", "skip", NULL };
	static const char *const nav[] = { "navigation", NULL };

	static const char *const foot[] = { "footer", NULL };

	if (html_name_in((const char *)n->name, drop))
		return 1;
	if ((strcasecmp((const char *)n->name, "footer") == 0 ||
	    html_attr_has(n, "id", foot) || html_attr_has(n, "class", foot)) &&
	    !html_has_contact(n))
		return 1;	/* site footer, unless it holds the contact */
	if (html_attr_has(n, "role", nav))
		return 1;
	return html_attr_has(n, "class", noisy) || html_attr_has(n, "id", noisy);
}

static int
html_block_level(const char *name)
{
	static const char *const blocks[] = { "p", "div", "section", "article",
	    "main", "aside", "header", "footer", "ul", "ol", "li", "dl", "dt",
	    "dd", "blockquote", "pre", "address", "figure", "figcaption",
	    "form", "fieldset", "center", "hr", "caption", "table", "body",
	    "html", "legend", "details", "summary", "td", "th", NULL };

	if ((name[0] == 'h' || name[0] == 'H') && name[1] >= '1' &&
	    name[1] <= '6' && name[2] == '\0')
		return 2;
	return html_name_in(name, blocks) ? 1 : 0;
}

/* A cell that holds headings or another table lays the page out: it is
 * not a data cell.  The search is bounded, so it stays linear overall. */
static int
html_layout_cell(xmlNode *td)
{
	xmlNode *cur = td->children;
	int budget = 4096;

	while (cur != NULL && budget-- > 0) {
		if (cur->type == XML_ELEMENT_NODE) {
			const char *nm = (const char *)cur->name;
			if (strcasecmp(nm, "table") == 0 ||
			    html_block_level(nm) == 2)
				return 1;
			if (cur->children != NULL) {
				cur = cur->children;
				continue;
			}
		}
		while (cur != NULL && cur != td && cur->next == NULL)
			cur = cur->parent;
		if (cur == NULL || cur == td)
			return 0;
		cur = cur->next;
	}
	return cur != NULL;	/* budget exhausted: a big cell */
}

static int
html_is_cell(xmlNode *n)
{
	const char *name = (const char *)n->name;

	return (strcasecmp(name, "td") == 0 || strcasecmp(name, "th") == 0) &&
	    !html_layout_cell(n);
}

static void
html_open(struct html_out *o, xmlNode *n)
{
	const char *name = (const char *)n->name;
	int lv = html_block_level(name);

	if (strcasecmp(name, "tr") == 0 && o->cell == 0) {
		html_break(o, BRK_LINE);
		o->cells_in_row = 0;
	} else if (html_is_cell(n)) {
		if (o->cell == 0) {
			if (o->cells_in_row > 0) {
				o->brk = BRK_NONE;
				sbuf_addc(o->b, '\t');
			} else
				html_break(o, BRK_LINE);
			o->cells_in_row++;
		} else
			html_break(o, BRK_SPACE);
		o->cell++;
	} else if (strcasecmp(name, "br") == 0)
		html_break(o, BRK_LINE);
	else if (strcasecmp(name, "pre") == 0) {
		html_break(o, BRK_PARA);
		o->pre++;
	} else if (lv == 2 && o->cell == 0) {
		int k, level = name[1] - '0';
		html_break(o, BRK_PARA);
		html_flush_break(o);
		for (k = 0; k < level; k++)
			sbuf_addc(o->b, '#');
		sbuf_addc(o->b, ' ');
	} else if (lv)
		html_break(o, BRK_PARA);
}

static void
html_close(struct html_out *o, xmlNode *n)
{
	const char *name = (const char *)n->name;

	if (html_is_cell(n)) {
		if (o->cell > 0)
			o->cell--;
		if (o->cell > 0)
			html_break(o, BRK_SPACE);
		else
			o->brk = BRK_NONE;
	} else if (strcasecmp(name, "tr") == 0 && o->cell == 0) {
		o->brk = BRK_NONE;
		html_break(o, BRK_LINE);
		o->cells_in_row = 0;
	} else if (strcasecmp(name, "table") == 0 && o->cell == 0) {
		o->cells_in_row = 0;
		html_break(o, BRK_PARA);
	} else if (strcasecmp(name, "pre") == 0) {
		if (o->pre > 0)
			o->pre--;
		html_break(o, BRK_PARA);
	} else if (html_block_level(name))
		html_break(o, BRK_PARA);
}

int
html_page_to_text(const char *s, size_t n, struct sbuf *out)
{
	struct html_out o = { out, BRK_NONE, 0, 0, 0 };
	htmlDocPtr doc;
	xmlNode *root, *cur;

	if (n > INT_MAX)
		n = INT_MAX;
	doc = htmlReadMemory(s, (int)n, NULL, "UTF-8", HTML_PARSE_RECOVER |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
	    HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT);
	if (doc == NULL) {
		/* not parseable at all: fall back to the inline stripper */
		html_strip_inline(s, n, out);
		return out->oom ? -1 : 0;
	}
	root = xmlDocGetRootElement(doc);
	cur = root;
	while (cur != NULL) {
		int descend = 0;

		if (cur->type == XML_ELEMENT_NODE) {
			if (!html_skip(cur)) {
				html_open(&o, cur);
				descend = cur->children != NULL;
				if (!descend)
					html_close(&o, cur);
			}
		} else if (cur->type == XML_TEXT_NODE ||
		    cur->type == XML_CDATA_SECTION_NODE) {
			if (cur->content != NULL)
				html_text(&o, (const char *)cur->content);
		}
		if (descend) {
			cur = cur->children;
			continue;
		}
		while (cur != NULL && cur != root && cur->next == NULL) {
			cur = cur->parent;
			if (cur != NULL && cur->type == XML_ELEMENT_NODE)
				html_close(&o, cur);
		}
		if (cur == NULL || cur == root)
			break;
		cur = cur->next;
	}
	sbuf_addc(out, '\n');
	xmlFreeDoc(doc);
	return out->oom ? -1 : 0;
}

/* ---- inline fragments ------------------------------------------------- */

static size_t
html_entity(const char *s, size_t n, struct sbuf *out)
{
	static const struct {
		const char *name, *utf8;
	} ents[] = {
		{ "amp;", "&" }, { "lt;", "<" }, { "gt;", ">" },
		{ "quot;", "\"" }, { "apos;", "'" }, { "nbsp;", " " },
		{ "#39;", "'" }, { "ensp;", " " }, { "emsp;", " " },
		{ "thinsp;", " " }, { "times;", "\xC3\x97" },
		{ "yen;", "\xC2\xA5" }, { "copy;", "\xC2\xA9" },
		{ "hellip;", "\xE2\x80\xA6" }, { "middot;", "\xE3\x83\xBB" },
	};
	size_t i;

	for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		size_t l = strlen(ents[i].name);
		if (n >= l + 1 && memcmp(s + 1, ents[i].name, l) == 0) {
			sbuf_adds(out, ents[i].utf8);
			return l + 1;
		}
	}
	if (n >= 4 && s[1] == '#') {
		size_t k = 2;
		unsigned long cp = 0;
		int hex = 0, digits = 0;
		if (s[k] == 'x' || s[k] == 'X') {
			hex = 1;
			k++;
		}
		for (; k < n && k < 12; k++) {
			char c = s[k];
			int v;
			if (c >= '0' && c <= '9')
				v = c - '0';
			else if (hex && c >= 'a' && c <= 'f')
				v = c - 'a' + 10;
			else if (hex && c >= 'A' && c <= 'F')
				v = c - 'A' + 10;
			else
				break;
			cp = cp * (hex ? 16 : 10) + (unsigned long)v;
			digits++;
		}
		if (digits > 0 && k < n && s[k] == ';' && cp > 0 &&
		    cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
			if (cp < 0x20 && cp != '\t' && cp != '\n')
				cp = ' ';
			sbuf_add_cp(out, cp);
			return k + 1;
		}
	}
	sbuf_addc(out, '&');
	return 1;
}

/* Length of a tag starting at s[0] == '<', 0 if it is not a tag. */
static size_t
html_tag_len(const char *s, size_t n, int *no_comment_end)
{
	size_t i = 1, lim = n < 2048 ? n : 2048;
	char c;

	if (n >= 4 && memcmp(s, "<!--", 4) == 0) {
		const char *e = *no_comment_end ? NULL :
		    memmem(s + 4, n - 4, "-->", 3);
		if (e == NULL)
			*no_comment_end = 1;	/* none later either */
		return e ? (size_t)(e - s) + 3 : 0;
	}
	if (i < n && (s[i] == '/' || s[i] == '!'))
		i++;
	if (i >= n)
		return 0;
	c = s[i];
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		return 0;
	for (; i < lim; i++) {
		if (s[i] == '>')
			return i + 1;
		if (s[i] == '\n' || s[i] == '<')
			return 0;
	}
	return 0;
}

/* Offset of the first c at or after from in s[0..n), n if none. */
static size_t
html_next(const char *s, size_t from, size_t n, char c)
{
	const char *p = from < n ? memchr(s + from, c, n - from) : NULL;

	return p != NULL ? (size_t)(p - s) : n;
}

void
html_strip_inline(const char *s, size_t n, struct sbuf *out)
{
	size_t i = 0, run, next_lt, next_amp;
	int no_comment_end = 0;

	if (sbuf_reserve(out, n) != 0)
		return;
	next_lt = html_next(s, 0, n, '<');
	next_amp = html_next(s, 0, n, '&');
	while (i < n) {
		const char *lt = NULL;
		/* copy the plain run up to the next '<' or '&': each found by
		 * memchr and kept until passed, so no byte is searched twice
		 * for the same character */
		if (next_lt < i)
			next_lt = html_next(s, i, n, '<');
		if (next_amp < i)
			next_amp = html_next(s, i, n, '&');
		run = next_lt < next_amp ? next_lt : next_amp;
		sbuf_add(out, s + i, run - i);
		i = run;
		if (i >= n)
			break;
		if (s[i] == '&') {
			i += html_entity(s + i, n - i, out);
			continue;
		}
		lt = s + i;
		run = html_tag_len(lt, n - i, &no_comment_end);
		if (run == 0) {
			sbuf_addc(out, '<');
			i++;
			continue;
		}
		if (out->len > 0 && out->p[out->len - 1] != ' ' &&
		    out->p[out->len - 1] != '\t' && out->p[out->len - 1] != '\n')
			sbuf_addc(out, ' ');
		i += run;
	}
}
