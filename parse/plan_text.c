/*
 * plan_text.c: a plan's records (lib/plandoc.h) as its JSON text, in one
 * pass, in the spec's key order (shared/spec/plan-json.md): the header,
 * the lists, the issues with their strategies, initiatives and budgets,
 * the reforms, evaluation, council figures, contact and warnings.  Strings
 * and numbers go through lib/jsontext.c, which writes what json_dumps
 * wrote of the Jansson tree this replaced (compact, keys in order, reals
 * to 15 digits); tests/unit/test_parse_identity.c holds the bytes to that.
 */
#include <string.h>

#include "jsontext.h"
#include "plan_text.h"

/* An element of a list: the comma before all but the first, then the
 * object's opening up to its first key. */
#define plan_text_open(b, first, lit) do {				\
	if (!(first))							\
		jsontext_lit((b), ",");					\
	jsontext_lit((b), lit);						\
} while (0)

static void
plan_text_str(struct sbuf *b, const struct plandoc *d, struct pd_str s)
{
	if (s.off < 0)
		jsontext_lit(b, "null");
	else
		jsontext_string(b, plandoc_bytes(d, s), s.len);
}

static void
plan_text_int(struct sbuf *b, struct pd_int v)
{
	if (v.set)
		jsontext_int(b, v.v);
	else
		jsontext_lit(b, "null");
}

static void
plan_text_org(struct sbuf *b, const struct plandoc *d)
{
	if (!d->has_org) {
		jsontext_lit(b, "null");
		return;
	}
	jsontext_lit(b, "{\"name\":");
	plan_text_str(b, d, d->org_name);
	jsontext_lit(b, ",\"kind\":");
	plan_text_str(b, d, d->org_kind);
	jsontext_lit(b, ",\"printed_name\":");
	plan_text_str(b, d, d->org_printed);
	jsontext_lit(b, ",\"canonical_name\":");
	plan_text_str(b, d, d->org_canonical);
	jsontext_lit(b, "}");
}

static void
plan_text_header(struct sbuf *b, const struct plandoc *d)
{
	jsontext_lit(b, "{\"is_plan\":true,\"title\":");
	plan_text_str(b, d, d->title);
	jsontext_lit(b, ",\"org\":");
	plan_text_org(b, d);
	jsontext_lit(b, ",\"fiscal_year\":");
	plan_text_int(b, d->fiscal_year);
	jsontext_lit(b, ",\"fiscal_year_label\":");
	plan_text_str(b, d, d->year_label);
	jsontext_lit(b, ",\"stage\":");
	plan_text_str(b, d, d->stage);
	jsontext_lit(b, ",\"head\":");
	if (d->has_head) {
		jsontext_lit(b, "{\"role\":");
		plan_text_str(b, d, d->head_role);
		jsontext_lit(b, ",\"name\":");
		plan_text_str(b, d, d->head_name);
		jsontext_lit(b, "}");
	} else
		jsontext_lit(b, "null");
	jsontext_lit(b, ",\"published_on\":");
	plan_text_str(b, d, d->published_on);
	jsontext_lit(b, ",\"page_id\":");
	plan_text_str(b, d, d->page_id);
}

static void
plan_text_list(struct sbuf *b, const struct plandoc *d, enum pd_list k)
{
	const struct pd_array *a = &d->lists[k];

	jsontext_lit(b, "[");
	for (size_t i = 0; i < a->n; i++) {
		if (i > 0)
			jsontext_lit(b, ",");
		plan_text_str(b, d, *PD_AT(*a, struct pd_str, i));
	}
	jsontext_lit(b, "]");
}

static void
plan_text_budgets(struct sbuf *b, const struct plandoc *d,
    const struct pd_initiative *x)
{
	jsontext_lit(b, "[");
	for (int32_t i = 0; i < x->nbudgets; i++) {
		const struct pd_budget *o = PD_AT(d->budgets, struct pd_budget,
		    x->budget0 + i);

		plan_text_open(b, i == 0, "{\"label\":");
		plan_text_str(b, d, o->label);
		jsontext_lit(b, ",\"amount_yen\":");
		plan_text_int(b, o->amount_yen);
		jsontext_lit(b, "}");
	}
	jsontext_lit(b, "]");
}

/* The keys a strategy and an initiative share, in their order: an
 * element of a list up to the key of its own list after them. */
static inline void
plan_text_item(struct sbuf *b, const struct plandoc *d, int first,
    struct pd_str code, struct pd_str title, struct pd_str body)
{
	plan_text_open(b, first, "{\"code\":");
	plan_text_str(b, d, code);
	jsontext_lit(b, ",\"title\":");
	plan_text_str(b, d, title);
	jsontext_lit(b, ",\"body\":");
	plan_text_str(b, d, body);
}

static void
plan_text_initiatives(struct sbuf *b, const struct plandoc *d,
    struct pd_chain c)
{
	jsontext_lit(b, "[");
	for (int32_t k = c.head; k != PD_NONE;) {
		const struct pd_initiative *x = PD_AT(d->initiatives,
		    struct pd_initiative, k);

		plan_text_item(b, d, k == c.head, x->code, x->title,
		    x->body);
		jsontext_lit(b, ",\"budgets\":");
		plan_text_budgets(b, d, x);
		jsontext_lit(b, "}");
		k = x->next;
	}
	jsontext_lit(b, "]");
}

static void
plan_text_strategies(struct sbuf *b, const struct plandoc *d,
    struct pd_chain c)
{
	jsontext_lit(b, "[");
	for (int32_t k = c.head; k != PD_NONE;) {
		const struct pd_strategy *s = PD_AT(d->strategies,
		    struct pd_strategy, k);

		plan_text_item(b, d, k == c.head, s->code, s->title,
		    s->body);
		jsontext_lit(b, ",\"initiatives\":");
		plan_text_initiatives(b, d, s->initiatives);
		jsontext_lit(b, "}");
		k = s->next;
	}
	jsontext_lit(b, "]");
}

static void
plan_text_issues(struct sbuf *b, const struct plandoc *d)
{
	jsontext_lit(b, "[");
	for (size_t i = 0; i < d->issues.n; i++) {
		const struct pd_issue *o = PD_AT(d->issues, struct pd_issue, i);

		plan_text_open(b, i == 0, "{\"number\":");
		plan_text_int(b, o->number);
		jsontext_lit(b, ",\"title\":");
		plan_text_str(b, d, o->title);
		jsontext_lit(b, ",\"summary\":");
		plan_text_str(b, d, o->summary);
		jsontext_lit(b, ",\"strategies\":");
		plan_text_strategies(b, d, o->strategies);
		jsontext_lit(b, ",\"initiatives\":");
		plan_text_initiatives(b, d, o->initiatives);
		jsontext_lit(b, "}");
	}
	jsontext_lit(b, "]");
}

static void
plan_text_reforms(struct sbuf *b, const struct plandoc *d)
{
	jsontext_lit(b, "[");
	for (size_t i = 0; i < d->reforms.n; i++) {
		const struct pd_reform *o = PD_AT(d->reforms, struct pd_reform,
		    i);

		plan_text_open(b, i == 0, "{\"title\":");
		plan_text_str(b, d, o->title);
		jsontext_lit(b, ",\"ref\":");
		plan_text_str(b, d, o->ref);
		jsontext_lit(b, ",\"body\":");
		plan_text_str(b, d, o->body);
		jsontext_lit(b, "}");
	}
	jsontext_lit(b, "]");
}

static void
plan_text_council(struct sbuf *b, const struct plandoc *d)
{
	static const char *const keys[4] = { "{\"total_yen\":",
	    ",\"fixed_yen\":", ",\"priority_yen\":", ",\"base_yen\":" };

	if (!d->has_council) {
		jsontext_lit(b, "null");
		return;
	}
	for (int k = 0; k < 4; k++) {
		jsontext_put(b, keys[k], strlen(keys[k]));
		plan_text_int(b, d->council[k]);
	}
	jsontext_lit(b, ",\"ratio_percent\":");
	if (d->has_ratio)
		jsontext_real(b, d->ratio_percent);
	else
		jsontext_lit(b, "null");
	jsontext_lit(b, "}");
}

static void
plan_text_ends(struct sbuf *b, const struct plandoc *d)
{
	jsontext_lit(b, ",\"evaluation\":");
	if (d->has_evaluation) {
		jsontext_lit(b, "{\"achievements\":");
		plan_text_str(b, d, d->achievements);
		jsontext_lit(b, ",\"challenges\":");
		plan_text_str(b, d, d->challenges);
		jsontext_lit(b, "}");
	} else
		jsontext_lit(b, "null");
	jsontext_lit(b, ",\"council_reflection\":");
	plan_text_council(b, d);
	jsontext_lit(b, ",\"contact\":");
	if (d->has_contact) {
		jsontext_lit(b, "{\"office\":");
		plan_text_str(b, d, d->office);
		jsontext_lit(b, ",\"phone\":");
		plan_text_str(b, d, d->phone);
		jsontext_lit(b, ",\"fax\":");
		plan_text_str(b, d, d->fax);
		jsontext_lit(b, ",\"address\":");
		plan_text_str(b, d, d->address);
		jsontext_lit(b, "}");
	} else
		jsontext_lit(b, "null");
}

static void
plan_text_warnings(struct sbuf *b, const struct plandoc *d)
{
	jsontext_lit(b, ",\"warnings\":[");
	for (int i = 0; i < d->nwarnings; i++) {
		plan_text_open(b, i == 0, "{\"code\":");
		jsontext_string(b, d->warnings[i].code,
		    strlen(d->warnings[i].code));
		jsontext_lit(b, ",\"detail\":");
		plan_text_str(b, d, d->warnings[i].detail);
		jsontext_lit(b, "}");
	}
	jsontext_lit(b, "]}");
}

void
plan_text_write(const struct plandoc *d, struct sbuf *b)
{
	plan_text_header(b, d);
	jsontext_lit(b, ",\"goals\":");
	plan_text_list(b, d, PD_GOALS);
	jsontext_lit(b, ",\"missions\":");
	plan_text_list(b, d, PD_MISSIONS);
	jsontext_lit(b, ",\"policies\":");
	plan_text_list(b, d, PD_POLICIES);
	jsontext_lit(b, ",\"issues\":");
	plan_text_issues(b, d);
	jsontext_lit(b, ",\"reforms\":");
	plan_text_reforms(b, d);
	plan_text_ends(b, d);
	plan_text_warnings(b, d);
}
