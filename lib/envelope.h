/*
 * envelope.h: the client envelope of wire protocol v1 (docs/PROTOCOL.md).
 * Validation happens once, in the daemon; the worker re-reads the fields it
 * needs.  Also builds the one-frame JSON reply every message gets.
 */
#ifndef PLANQ_ENVELOPE_H
#define PLANQ_ENVELOPE_H

#include <stddef.h>
#include <jansson.h>

#define ENVELOPE_VERSION 1

struct envelope {
	json_t		*root;		/* owned: the parsed envelope object */
	const char	*id;		/* borrowed from root; may be NULL */
	const char	*source_url;
	const char	*fetched_at;
	const char	*content_type;
};

/*
 * Parses and checks an envelope frame.  Returns 0 and fills *env, or -1 with
 * a reason a client operator can act on in why[].  On success the caller
 * owns env->root (envelope_clear releases it).
 */
int	envelope_parse(const void *data, size_t len, struct envelope *env,
	    char *why, size_t whylen);
void	envelope_clear(struct envelope *env);

/*
 * Best effort: the "id" of an envelope that failed validation, so that even
 * a rejection can be matched by the client.  Returns a malloc'd string or
 * NULL.
 */
char	*envelope_salvage_id(const void *data, size_t len);
/* The same for any string key ("source_url" for the log line). */
char	*envelope_salvage_string(const void *data, size_t len, const char *key);

/*
 * Builds the reply JSON (compact, UTF-8).  document_id/plan_id <= 0 are
 * written as null; reason may be NULL, and bytes of it that are not UTF-8
 * become U+FFFD.  Returns a malloc'd string, or NULL (out of memory, or an
 * id or status that is not UTF-8).
 */
char	*envelope_reply(const char *id, const char *status, long long document_id,
	    long long plan_id, const char *reason);

#endif
