/*
 * plan_facts.c: a plan's fact row (see plan_facts.h): doc, parsed_sha256,
 * org_printed_name, warning_codes, in planq_plan_fact_row's order.  The
 * two read from the plan are what SQL's ->> gave of the JSON (p->'org'->>
 * 'printed_name' and each warning's ->>'code'; planq_plan_facts): a
 * string's characters, NULL for null or absent, NULL for the whole list
 * when warnings is not a list, and for any other value its jsonb text.
 */
#include <stdlib.h>
#include <string.h>

#include "plan_digest.h"
#include "plan_facts.h"
#include "plan_json.h"

/* v as ->> gives it, into b; *isnull for SQL NULL.  -1: out of memory. */
static int
facts_text(const json_t *v, struct sbuf *b, int *isnull)
{
	char *text;
	int rc;

	*isnull = v == NULL || json_is_null(v);
	if (*isnull)
		return 0;
	if (json_is_string(v)) {
		sbuf_add(b, json_string_value(v), json_string_length(v));
		return b->oom ? -1 : 0;
	}
	if ((text = plan_json_text(v, NULL)) == NULL)
		return -1;
	rc = plan_digest_text(text, strlen(text), b);
	free(text);
	return rc;
}

/* org.printed_name from the object. */
static int
facts_printed_json(struct pgarray *a, const json_t *plan)
{
	const json_t *org = json_object_get(plan, "org");
	struct sbuf b;
	int isnull, rc;

	sbuf_init(&b);
	rc = facts_text(json_is_object(org) ?
	    json_object_get(org, "printed_name") : NULL, &b, &isnull);
	if (rc == 0)
		pgarray_field_text(a, isnull ? NULL : b.p ? b.p : "", b.len);
	sbuf_free(&b);
	return rc;
}

/* The warnings' codes from the object: NULL when warnings is not a list. */
static int
facts_codes_json(struct pgarray *codes, const json_t *plan)
{
	const json_t *list = json_object_get(plan, "warnings");
	const json_t *w;
	size_t i;

	json_array_foreach(list, i, w) {
		struct sbuf b;
		int isnull, rc;

		sbuf_init(&b);
		rc = facts_text(json_is_object(w) ? json_object_get(w, "code") :
		    NULL, &b, &isnull);
		if (rc == 0)
			pgarray_add(codes, isnull ? NULL : b.p ? b.p : "", b.len);
		sbuf_free(&b);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* The warnings' codes from the records (always a list). */
static void
facts_codes_doc(struct pgarray *codes, const struct plandoc *d)
{
	for (int i = 0; i < d->nwarnings; i++)
		pgarray_add_str(codes, d->warnings[i].code);
}

/* The warning_codes field. */
static int
facts_codes(struct pgarray *a, const struct plandoc *rec, const json_t *plan)
{
	struct pgarray codes;
	const char *data;
	int len, rc = -1;

	if (rec == NULL && !json_is_array(json_object_get(plan, "warnings"))) {
		pgarray_field_typed(a, PGARRAY_TEXT_ARRAY, NULL, 0);
		return 0;
	}
	pgarray_init(&codes, PGARRAY_TEXT, 64);
	if (rec != NULL)
		facts_codes_doc(&codes, rec);
	else if (facts_codes_json(&codes, plan) != 0)
		goto done;
	if (pgarray_finish(&codes, &data, &len) == 0) {
		pgarray_field_typed(a, PGARRAY_TEXT_ARRAY, data, (size_t)len);
		rc = 0;
	}
done:
	pgarray_free(&codes);
	return rc;
}

int
plan_facts_add(struct pgarray *a, int doc, const char *json, size_t len,
    const struct plandoc *rec, const json_t *plan)
{
	unsigned char digest[PLAN_DIGEST_LEN];
	int32_t pos = doc;

	if (plan_digest(json, len, digest) != 0)
		return -1;
	pgarray_record_begin(a, PLAN_FACT_FIELDS);
	pgarray_field_int4(a, &pos);
	pgarray_field_typed(a, PGARRAY_BYTEA, digest, sizeof(digest));
	if (rec != NULL)
		pgarray_field_text(a, rec->has_org ?
		    plandoc_bytes(rec, rec->org_printed) : NULL,
		    rec->org_printed.len);
	else if (facts_printed_json(a, plan) != 0)
		return -1;
	if (facts_codes(a, rec, plan) != 0)
		return -1;
	pgarray_record_end(a);
	return a->failed ? -1 : 0;
}
