/*
 * parse.h: the parser library's public face.  Bytes of a fetched 運営方針
 * document in, the plan as a Jansson object (shared/spec/plan-json.md)
 * out.  No I/O, no global state: everything a call allocates is owned by the
 * parse_result it fills and released by parse_result_clear().
 */
#ifndef PLANQ_PARSE_H
#define PLANQ_PARSE_H

#include <stddef.h>
#include <jansson.h>

/* Bumped whenever the parser's output can change for the same input; stored
 * beside every parsed document so `planq reparse` knows what is stale. */
#define PARSER_VERSION "1.0.0"

enum parse_status {
	PARSE_PLAN = 0,		/* plan holds the parsed plan (is_plan true) */
	PARSE_NOT_PLAN,		/* decoded fine, but not a plan; reason says why */
	PARSE_UNDECODABLE,	/* bytes are not text in any charset we accept */
};

struct parse_result {
	enum parse_status status;
	char	 reason[256];	/* human-readable, empty for PARSE_PLAN */
	char	 charset[32];	/* charset the body was decoded from */
	json_t	*plan;		/* owned; PARSE_PLAN: the plan object;
				 * PARSE_NOT_PLAN: {"is_plan":false,"reason":…};
				 * PARSE_UNDECODABLE: NULL */
};

/*
 * Decodes and parses one document.  content_type is the envelope's value
 * (e.g. "text/html; charset=shift_jis") or NULL.  Returns 0 with *out
 * filled in every case the input decides (plan, not a plan, undecodable);
 * returns -1 only when memory ran out (out->reason says so).
 */
int	parse_bytes(const void *bytes, size_t len, const char *content_type,
	    struct parse_result *out);

/* Releases what parse_bytes() put in *r; safe to call twice. */
void	parse_result_clear(struct parse_result *r);

#endif
