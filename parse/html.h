/*
 * html.h: stage 2, HTML pages and inline HTML fragments to the parser's
 * line-oriented text (html.c).
 */
#ifndef PLANQ_PARSE_HTML_H
#define PLANQ_PARSE_HTML_H

#include "internal.h"

#include <stddef.h>

struct sbuf;

int	html_is_page(const char *s, size_t n, const char *content_type);
/* Whole page -> lines: blocks on their own lines (blank line between),
 * table rows on one line with cells separated by tabs.  0 / -1 OOM. */
int	html_page_to_text(const char *s, size_t n, struct sbuf *out);
/* Text with inline fragments (<p>, <ul>, <b>, &amp;) -> text; tags become
 * a space, line structure and tabs are kept. */
void	html_strip_inline(const char *s, size_t n, struct sbuf *out);

#endif
