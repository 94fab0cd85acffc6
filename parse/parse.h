/*
 * parse.h: the parser library's public face.  Bytes of a fetched 運営方針
 * document in, the plan (shared/spec/plan-json.md) out: as its JSON text
 * and as flat records (lib/plandoc.h) that its database rows are written
 * from, and, when asked for, as a Jansson object.  No I/O, no global
 * state: everything a call allocates is owned by the parse_result it fills
 * and released by parse_result_clear().
 */
#ifndef PLANQ_PARSE_H
#define PLANQ_PARSE_H

#include <stddef.h>
#include <jansson.h>

#include "plandoc.h"

/* Bumped whenever the parser's output can change for the same input; stored
 * beside every parsed document so `planq reparse` knows what is stale. */
#define PARSER_VERSION "1.1.0"

enum parse_status {
	PARSE_PLAN = 0,		/* plan holds the parsed plan (is_plan true) */
	PARSE_NOT_PLAN,		/* decoded fine, but not a plan; reason says why
				 * and names the evidence weighed */
	PARSE_UNDECODABLE,	/* bytes are not text in any charset we accept */
};

struct parse_result {
	enum parse_status status;
	char	 reason[256];	/* human-readable, empty for PARSE_PLAN */
	char	 charset[32];	/* charset the body was decoded from */
	json_t	*plan;		/* owned; PARSE_PLAN: the plan object, its
				 * "warnings" included, read back from json
				 * (only with PARSE_TREE, else NULL);
				 * PARSE_NOT_PLAN:
				 * {"is_plan":false,"reason":…,"evidence":…};
				 * PARSE_UNDECODABLE: NULL */
	char	*json;		/* owned; PARSE_PLAN: the plan's JSON text,
				 * compact, keys in the spec's order (what
				 * the worker stores); else NULL */
	size_t	 json_len;
	struct plandoc *doc;	/* owned; PARSE_PLAN: the plan's records,
				 * for its rows (rows/plan_rows.h); else
				 * NULL */
};

/* parse_bytes_flags(): also give a plan as a Jansson object (plan). */
#define PARSE_TREE	1u

/*
 * Decodes and parses one document.  content_type is the envelope's value
 * (e.g. "text/html; charset=shift_jis") or NULL.  Returns 0 with *out
 * filled in every case the input decides (plan, not a plan, undecodable);
 * returns -1 only when memory ran out (out->reason says so).
 * parse_bytes() is parse_bytes_flags() with PARSE_TREE; the worker asks
 * for the text and the records only (flags 0), which is the fast way.
 */
int	parse_bytes(const void *bytes, size_t len, const char *content_type,
	    struct parse_result *out);
int	parse_bytes_flags(const void *bytes, size_t len,
	    const char *content_type, unsigned flags, struct parse_result *out);

/*
 * What a parsed plan's "warnings" list can say (docs/PLAN-JSON.md): each
 * entry is {"code": …, "detail": …}.  The codes are stable, so a store or
 * a metric may count by them; a new kind of doubt gets a new code.
 */
enum parse_warning {
	PARSE_WARN_NO_TITLE = 0,	/* a fragment: no 運営方針 title */
	PARSE_WARN_NO_FISCAL_YEAR,	/* a title without a 年度 */
	PARSE_WARN_NO_ORG,		/* a title without an organisation */
	PARSE_WARN_ORG_UNKNOWN,		/* not one of Osaka City's (orgs.tsv) */
	PARSE_WARN_ORG_NAME_NOISE,	/* a known org printed with noise */
	PARSE_WARN_NO_GOALS,		/* expected sections that are missing */
	PARSE_WARN_NO_MISSIONS,
	PARSE_WARN_NO_POLICIES,
	PARSE_WARN_NO_ISSUES,
	PARSE_WARN_ISSUE_WITHOUT_STRATEGIES,
	PARSE_WARN_INITIATIVE_WITHOUT_BUDGET,
	PARSE_WARN_BUDGET_UNLABELLED,
	PARSE_WARN_TRUNCATED,		/* the document looks cut off */
	PARSE_WARN_COUNT
};

/* The code of w as the JSON writes it ("org_unknown"); NULL if out of
 * range. */
const char *parse_warning_code(enum parse_warning w);

/* Releases what parse_bytes() put in *r; safe to call twice. */
void	parse_result_clear(struct parse_result *r);

#endif
