/*
 * org.h: Osaka City's organisations as the parser knows them (the table
 * generated from parse/orgs.tsv) and the matching of a printed name to one
 * of them (org.c).
 */
#ifndef PLANQ_PARSE_ORG_H
#define PLANQ_PARSE_ORG_H

#include "internal.h"

#include <stddef.h>

#include "text.h"

struct org_entry {
	const char *name;	/* canonical name */
	const char *kind;	/* plan JSON org.kind: "ward", "bureau" or NULL */
	const char *category;	/* ward, bureau, office, secretariat, other */
	const char *aliases;	/* other printed forms, comma-separated, or NULL */
};

/* generated from parse/orgs.tsv (mk/orgs-table.sh) */
extern const struct org_entry org_table[];
extern const size_t org_table_len;

enum org_how {
	ORG_UNKNOWN = 0,	/* not in the table */
	ORG_EXACT,		/* the name or an alias, as printed */
	ORG_NOISE,		/* a known name followed only by noise (度, の…) */
};

struct org_match {
	enum org_how how;
	const struct org_entry *entry;	/* NULL when ORG_UNKNOWN */
	struct span name;	/* the part of the printed name that matched
				 * (the whole of it unless ORG_NOISE) */
};

/* Matches a printed organisation name (e.g. the text between a title's
 * year and 運営方針): exactly, also after a leading 大阪市, then as a known
 * name followed only by noise.  Always fills *m. */
void	org_match(struct span printed, struct org_match *m);

#endif
