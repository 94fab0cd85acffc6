/*
 * build_budgets.c: an initiative's budgets as the plan lists them.  Budgets
 * right after an item's title are read with the item (build_items.c); this
 * file takes the rest: a budget printed on a line or in a cell of its own
 * belongs to the item above, an amount cell under an amount column is read
 * in the column's unit, and an unlabelled amount takes the label of its
 * column heading (主な具体的取組(2年度予算額) -> 予算額).
 */
#include <string.h>

#include "build.h"

int32_t
build_budgets_add(struct build_state *pb, const struct budget *b, size_t nb)
{
	int32_t first = (int32_t)pb->doc->budgets.n;
	size_t i;

	for (i = 0; i < nb; i++) {
		int32_t k = plandoc_push(pb->doc, &pb->doc->budgets,
		    sizeof(struct pd_budget));
		const char *label = b[i].label[0] ? b[i].label :
		    pb->issues.col_label[0] ? pb->issues.col_label : NULL;
		struct pd_str l = build_cstr(pb, label);
		struct pd_budget *o;

		if (k == PD_NONE)
			break;
		o = PD_AT(pb->doc->budgets, struct pd_budget, k);
		o->label = l;
		o->amount_yen.set = b[i].has_amount;
		o->amount_yen.v = b[i].amount;
		pb->st->budgets++;
	}
	return first;
}

/* Takes the last strategy of issue out of its chain, if it is s. */
static void
build_budgets_unlink_last(struct build_state *pb, int32_t issue, int32_t s)
{
	struct pd_chain *c = &build_issue(pb, issue)->strategies;
	int32_t prev;

	if (c->count == 0 || c->tail != s)
		return;
	prev = build_strategy(pb, s)->prev;
	if (prev != PD_NONE)
		build_strategy(pb, prev)->next = PD_NONE;
	else
		c->head = PD_NONE;
	c->tail = prev;
	c->count--;
}

/* The open strategy had a budget and no initiatives: it was an item, so
 * it becomes an issue-level initiative with these budgets. */
static void
build_budgets_strategy_to_item(struct build_state *pb,
    const struct budget *b, size_t nb)
{
	int32_t issue = pb->issues.issue, s = pb->issues.strategy;
	const struct pd_strategy *o = build_strategy(pb, s);

	pb->st->items--;
	build_items_new_initiative(pb, (struct build_into){ issue, PD_NONE },
	    o->code, o->title, b, nb);
	build_budgets_unlink_last(pb, issue, s);
	pb->issues.strategy = PD_NONE;
	pb->tgt = T_INITIATIVE;
}

/* A budget printed on its own: belongs to the item above (the newest
 * initiative, so its budgets stay consecutive). */
static void
build_budgets_alone(struct build_state *pb, const struct budget *b,
    size_t nb)
{
	if (pb->tgt == T_INITIATIVE && pb->issues.item != PD_NONE) {
		int32_t first = build_budgets_add(pb, b, nb);
		struct pd_initiative *o = build_initiative(pb, pb->issues.item);

		if (o->nbudgets == 0)
			o->budget0 = first;
		o->nbudgets = (int32_t)pb->doc->budgets.n - o->budget0;
		return;
	}
	if (pb->tgt != T_STRATEGY || pb->issues.strategy == PD_NONE ||
	    pb->issues.issue == PD_NONE ||
	    build_strategy(pb, pb->issues.strategy)->initiatives.count > 0)
		return;
	build_budgets_strategy_to_item(pb, b, nb);
}

/* A table cell holding only an amount (5,237 / 12,000千円 / -) under an
 * initiative that has no budget yet: its budget, in the column's unit. */
static int
build_budgets_amount_cell(const struct build_state *pb, struct span s,
    struct budget *b)
{
	size_t used;
	int has, r;
	long long yen, unit = pb->issues.col_unit;

	if (pb->tgt != T_INITIATIVE || pb->issues.item == PD_NONE || s.n > 40 ||
	    build_initiative(pb, pb->issues.item)->nbudgets > 0)
		return 0;
	r = budget_parse_amount(s, &has, &yen, &used);
	if (r == 0 || used != s.n || (r == 2 && (unit == 0 ||
	    yen > 9000000000000000LL / unit)))
		return 0;
	memset(b, 0, sizeof(*b));
	b->has_amount = has;
	b->amount = r == 2 ? yen * unit : yen;
	return 1;
}

static int
build_budgets_opens_bracket(struct span s)
{
	return text_starts(s, "(") || text_starts(s, "【") ||
	    text_starts(s, "《") || text_starts(s, "≪") || text_starts(s, "[") ||
	    text_starts(s, "〔") || text_starts(s, "<") || text_starts(s, "〈");
}

int
build_budgets_segment(struct build_state *pb, struct span txt, int in_table)
{
	struct budget b[BUILD_MAX_BUDGETS];
	size_t first = 0, after = 0, nb = 0;

	/* a budget printed on its own: only text that starts with a bracket
	 * can be one */
	if (pb->sect == S_ISSUES && build_budgets_opens_bracket(txt))
		nb = budget_scan(txt, BUDGET_ANYWHERE, b, BUILD_MAX_BUDGETS,
		    &first, &after);
	if (nb == 0 && pb->sect == S_ISSUES &&
	    (pb->tgt == T_INITIATIVE || pb->tgt == T_STRATEGY) &&
	    txt.n <= 120 && budget_parse_inner(txt, &b[0]) &&
	    b[0].label[0] != '\0') {
		nb = 1;		/* 令和2年度予算額 1,000千円 */
		first = 0;
		after = txt.n;
	}
	if (nb == 0 && in_table && build_budgets_amount_cell(pb, txt, b)) {
		nb = 1;
		first = 0;
		after = txt.n;
	}
	if (nb == 0 || first != 0 || after != txt.n)
		return 0;
	build_budgets_alone(pb, b, nb);
	return 1;
}

void
build_budgets_header_row(struct build_state *pb, const struct span *cells,
    size_t nc)
{
	size_t k;

	pb->issues.col_unit = 0;
	for (k = 1; k < nc; k++)
		budget_header_cell(cells[k], pb->issues.col_label,
		    sizeof(pb->issues.col_label), &pb->issues.col_unit);
}
