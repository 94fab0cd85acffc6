/*
 * parse.c: parse_bytes() orchestration: decode -> (HTML page -> text, or
 * inline fragment stripping) -> NFKC -> plan_build (the plan's records) ->
 * the plan-or-not verdict (verdict.c) -> the plan's warnings (diag.c) ->
 * its JSON text (plan_text.c), and the Jansson object read back from that
 * text when asked for.  Owns struct parse_result's contents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "sbuf.h"
#include "decode.h"
#include "diag.h"
#include "html.h"
#include "normalize.h"
#include "plan_build.h"
#include "plan_text.h"
#include "verdict.h"

/* {"is_plan": false, "reason": …[, "evidence": …]}; evidence (owned by
 * the call) is NULL when there was no text to weigh. */
static void
parse_not_plan(struct parse_result *out, const char *reason, json_t *evidence)
{
	out->status = PARSE_NOT_PLAN;
	snprintf(out->reason, sizeof(out->reason), "%s", reason);
	out->plan = json_object();
	if (out->plan != NULL) {
		json_object_set_new(out->plan, "is_plan", json_false());
		json_object_set_new(out->plan, "reason", json_string(reason));
		if (evidence != NULL)
			json_object_set_new(out->plan, "evidence", evidence);
	} else
		json_decref(evidence);
}

static void
parse_result_free(struct parse_result *r)
{
	json_decref(r->plan);
	r->plan = NULL;
	free(r->json);
	r->json = NULL;
	r->json_len = 0;
	plandoc_free(r->doc);
	free(r->doc);
	r->doc = NULL;
}

static int
parse_oom(struct parse_result *out)
{
	parse_result_free(out);
	snprintf(out->reason, sizeof(out->reason),
	    "out of memory while parsing");
	return -1;
}

/* The plan's text from its records, and its Jansson object if asked. */
static int
parse_plan_out(struct parse_result *out, unsigned flags)
{
	struct sbuf b;

	sbuf_init(&b);
	if (sbuf_reserve(&b, 4096 + out->doc->chars.len * 2) != 0)
		return -1;
	plan_text_write(out->doc, &b);
	if (b.oom) {
		sbuf_free(&b);
		return -1;
	}
	out->json_len = b.len;
	out->json = sbuf_steal(&b);
	if (out->json == NULL)
		return -1;
	if (flags & PARSE_TREE) {
		out->plan = json_loadb(out->json, out->json_len,
		    JSON_ALLOW_NUL, NULL);
		if (out->plan == NULL)
			return -1;
	}
	return 0;
}

static int
parse_text(const char *text, size_t n, unsigned flags,
    struct parse_result *out)
{
	struct plan_stats st;
	struct verdict v;
	size_t i;

	for (i = 0; i < n; i++)
		if (text[i] != ' ' && text[i] != '\n' && text[i] != '\t')
			break;
	if (i == n) {
		parse_not_plan(out, "document is empty (no text after "
		    "decoding and removing markup)", NULL);
		return out->plan ? 0 : parse_oom(out);
	}
	if ((out->doc = malloc(sizeof(*out->doc))) == NULL)
		return parse_oom(out);
	plandoc_init(out->doc);
	if (plan_build(text, n, &st, out->doc) != 0)
		return parse_oom(out);
	verdict_decide(&st, &v);
	if (!v.is_plan) {
		parse_result_free(out);
		parse_not_plan(out, v.reason, verdict_evidence(&st));
		return out->plan ? 0 : parse_oom(out);
	}
	if (diag_add_warnings(out->doc, &st, &v) != 0 ||
	    parse_plan_out(out, flags) != 0)
		return parse_oom(out);
	out->status = PARSE_PLAN;
	out->reason[0] = '\0';
	return 0;
}

int
parse_bytes(const void *bytes, size_t len, const char *content_type,
    struct parse_result *out)
{
	return parse_bytes_flags(bytes, len, content_type, PARSE_TREE, out);
}

int
parse_bytes_flags(const void *bytes, size_t len, const char *content_type,
    unsigned flags, struct parse_result *out)
{
	struct sbuf utf8, plain, norm;
	struct span text;
	int rc;

	memset(out, 0, sizeof(*out));
	if (bytes == NULL)
		len = 0;
	sbuf_init(&utf8);
	sbuf_init(&plain);
	sbuf_init(&norm);
	rc = decode_to_utf8(bytes ? bytes : (const void *)"", len,
	    content_type, &utf8, &text, out->charset, sizeof(out->charset),
	    out->reason, sizeof(out->reason));
	if (rc != 0) {
		sbuf_free(&utf8);
		if (rc < 0)
			return parse_oom(out);
		if (rc == 2) {		/* binary junk: not a plan */
			char why[sizeof(out->reason)];
			snprintf(why, sizeof(why), "%s", out->reason);
			parse_not_plan(out, why, NULL);
			return out->plan ? 0 : parse_oom(out);
		}
		out->status = PARSE_UNDECODABLE;
		return 0;
	}
	if (text.n > 0 && html_is_page(text.p, text.n, content_type))
		rc = html_page_to_text(text.p, text.n, &plain);
	else {
		html_strip_inline(text.p, text.n, &plain);
		rc = plain.oom ? -1 : 0;
	}
	sbuf_free(&utf8);
	if (rc == 0)
		rc = normalize_text(plain.p ? plain.p : "", plain.len, &norm);
	sbuf_free(&plain);
	if (rc != 0) {
		sbuf_free(&norm);
		return parse_oom(out);
	}
	rc = parse_text(norm.p ? norm.p : "", norm.len, flags, out);
	sbuf_free(&norm);
	return rc;
}

void
parse_result_clear(struct parse_result *r)
{
	if (r == NULL)
		return;
	parse_result_free(r);
	r->reason[0] = '\0';
}
