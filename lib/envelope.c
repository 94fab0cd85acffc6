/*
 * envelope.c: checks client envelopes (wire protocol v1) and writes replies.
 * Unknown keys are ignored so that clients can add fields; known keys must
 * have the right type.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"

#define ENVELOPE_MAX_STRING 4096

static const char *const envelope_string_keys[] = {
	"id", "source_url", "fetched_at", "content_type",
};

/*
 * "v" must be the number 1.  JSON has one number type, so 1.0 (what some
 * encoders write for every number) is 1 as well.
 */
static int
envelope_check_version(json_t *root, char *why, size_t whylen)
{
	json_t *v = json_object_get(root, "v");

	if (v == NULL) {
		snprintf(why, whylen, "envelope has no \"v\"; send {\"v\":1,…}");
		return -1;
	}
	if (!json_is_number(v)) {
		snprintf(why, whylen, "envelope \"v\" must be the number 1");
		return -1;
	}
	if (json_is_integer(v) &&
	    json_integer_value(v) != ENVELOPE_VERSION) {
		snprintf(why, whylen, "unsupported protocol version v=%lld; "
		    "this daemon speaks v=1", (long long)json_integer_value(v));
		return -1;
	}
	if (json_is_real(v) &&
	    json_real_value(v) != (double)ENVELOPE_VERSION) {
		snprintf(why, whylen, "unsupported protocol version v=%g; "
		    "this daemon speaks v=1", json_real_value(v));
		return -1;
	}
	return 0;
}

/* A string anywhere in val holds a NUL (\u0000): PostgreSQL's jsonb, where
 * the envelope is stored, cannot hold one. */
static int
envelope_has_nul(json_t *val)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_string(val))
		return strlen(json_string_value(val)) != json_string_length(val);
	if (json_is_array(val)) {
		json_array_foreach(val, i, item)
			if (envelope_has_nul(item))
				return 1;
	} else if (json_is_object(val)) {
		json_object_foreach(val, key, item)
			if (envelope_has_nul(item))
				return 1;
	}
	return 0;
}

static int
envelope_check_strings(json_t *root, char *why, size_t whylen)
{
	const char *key;
	json_t *val;

	for (size_t i = 0; i < sizeof(envelope_string_keys) /
	    sizeof(envelope_string_keys[0]); i++) {
		key = envelope_string_keys[i];
		val = json_object_get(root, key);

		if (val == NULL || json_is_null(val))
			continue;
		if (!json_is_string(val)) {
			snprintf(why, whylen, "envelope \"%s\" must be a "
			    "string", key);
			return -1;
		}
		if (json_string_length(val) > ENVELOPE_MAX_STRING) {
			snprintf(why, whylen, "envelope \"%s\" is longer than "
			    "%d bytes", key, ENVELOPE_MAX_STRING);
			return -1;
		}
	}
	json_object_foreach(root, key, val) {
		if (envelope_has_nul(val)) {
			snprintf(why, whylen, "envelope \"%.64s\" contains a NUL "
			    "character", key);
			return -1;
		}
	}
	return 0;
}

static const char *
envelope_get_string(json_t *root, const char *key)
{
	return json_string_value(json_object_get(root, key));
}

int
envelope_parse(const void *data, size_t len, struct envelope *env,
    char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *root;

	memset(env, 0, sizeof(*env));
	if (len == 0) {
		snprintf(why, whylen, "envelope frame is empty; the first frame "
		    "must be a JSON object such as {\"v\":1}");
		return -1;
	}
	/* NULs are let through the parser so that the check below can name
	 * the key that holds one */
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    &jerr);
	if (root == NULL) {
		snprintf(why, whylen, "envelope is not valid JSON (%s at "
		    "position %d); the first frame must be a JSON object",
		    jerr.text, jerr.position);
		return -1;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		snprintf(why, whylen, "envelope must be a JSON object, such as "
		    "{\"v\":1,\"id\":\"…\"}");
		return -1;
	}
	if (envelope_check_version(root, why, whylen) != 0 ||
	    envelope_check_strings(root, why, whylen) != 0) {
		json_decref(root);
		return -1;
	}
	env->root = root;
	env->id = envelope_get_string(root, "id");
	env->source_url = envelope_get_string(root, "source_url");
	env->fetched_at = envelope_get_string(root, "fetched_at");
	env->content_type = envelope_get_string(root, "content_type");
	return 0;
}

void
envelope_clear(struct envelope *env)
{
	json_decref(env->root);
	memset(env, 0, sizeof(*env));
}

char *
envelope_salvage_id(const void *data, size_t len)
{
	return envelope_salvage_string(data, len, "id");
}

char *
envelope_salvage_string(const void *data, size_t len, const char *key)
{
	json_t *root, *id;
	char *copy = NULL;

	root = json_loadb(data, len, JSON_ALLOW_NUL, NULL);
	if (root == NULL)
		return NULL;
	id = json_object_get(root, key);
	if (json_is_string(id) && json_string_length(id) <= ENVELOPE_MAX_STRING &&
	    !envelope_has_nul(id))
		copy = strdup(json_string_value(id));
	json_decref(root);
	return copy;
}

static json_t *
envelope_id_or_null(long long id)
{
	return id > 0 ? json_integer(id) : json_null();
}

/* The length of the valid UTF-8 sequence at s[0..n) (1 to 4), or 0: the
 * rules jansson checks (no overlong form, no surrogate, at most U+10FFFF). */
static size_t
envelope_utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/*
 * A reason as a JSON string, every byte that is not UTF-8 replaced by
 * U+FFFD.  Reasons quote what they refuse (jansson's "invalid token near
 * '…'" quotes the client's bytes) or are cut to a length (a worker's text
 * at JOBWIRE_REASON_MAX, maybe inside a character), and json_string()
 * refuses invalid UTF-8: the reply would go out without its reason.
 */
static json_t *
envelope_reason_string(const char *reason)
{
	const unsigned char *s = (const unsigned char *)reason;
	size_t n = strlen(reason), out = 0;
	char *buf;
	json_t *str;

	if ((buf = malloc(3 * n + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t len = envelope_utf8_len(s + i, n - i);

		if (len == 0) {
			memcpy(buf + out, "\xef\xbf\xbd", 3);	/* U+FFFD */
			out += 3;
			i++;
		} else {
			memcpy(buf + out, s + i, len);
			out += len;
			i += len;
		}
	}
	buf[out] = '\0';
	str = json_string(buf);
	free(buf);
	return str;
}

char *
envelope_reply(const char *id, const char *status, long long document_id,
    long long plan_id, const char *reason)
{
	json_t *reply;
	char *text = NULL;

	reply = json_object();
	if (reply == NULL)
		return NULL;
	/* every key or none: a reply without its reason is no answer */
	if (json_object_set_new(reply, "id", id ? json_string(id) :
	    json_null()) == 0 &&
	    json_object_set_new(reply, "status", json_string(status)) == 0 &&
	    json_object_set_new(reply, "document_id",
	    envelope_id_or_null(document_id)) == 0 &&
	    json_object_set_new(reply, "plan_id",
	    envelope_id_or_null(plan_id)) == 0 &&
	    json_object_set_new(reply, "reason", reason ?
	    envelope_reason_string(reason) : json_null()) == 0)
		text = json_dumps(reply, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(reply);
	return text;
}
