/*
 * plandoc.h: a parsed plan as flat records, what the parser builds
 * (parse/build_*.c) and what the plan's JSON text (parse/plan_text.c) and
 * its database rows (rows/plan_rows_doc.c) are written from, without a
 * tree of allocated objects in between.  It is in lib/ because the parser
 * writes it and rows/ reads it.
 *
 * Every string's bytes live in one buffer (chars); a record names a string
 * by offset and length, so records stay valid while the buffer grows.  A
 * list of records is an array; the lists an item can be appended to after
 * others were (an issue's strategies, a strategy's or an issue's
 * initiatives) are chains of indices through their arrays, in the order
 * the JSON writes them.  An initiative's budgets are consecutive in their
 * array (only the newest initiative receives budgets).
 *
 * Ownership: a plandoc owns its arrays and chars; plandoc_free() releases
 * them.  A failed allocation sets oom and later additions are no-ops, so a
 * builder checks once at the end.
 */
#ifndef PLANQ_PLANDOC_H
#define PLANQ_PLANDOC_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

#define PD_NONE		(-1)	/* no record / the end of a chain */
#define PD_WARN_MAX	16	/* at least PARSE_WARN_COUNT (parse.h) */

/* A string: bytes chars[off, off + len), or JSON null when off < 0. */
struct pd_str {
	int64_t	 off;
	size_t	 len;
};

/* A chain of records through one array, in insertion order. */
struct pd_chain {
	int32_t	 head, tail;
	int32_t	 count;
};

/* A number that may be null. */
struct pd_int {
	int	 set;
	long long v;
};

struct pd_budget {
	struct pd_str label;
	struct pd_int amount_yen;
};

struct pd_initiative {
	struct pd_str code, title, body;
	int32_t	 budget0, nbudgets;	/* consecutive in budgets[] */
	int32_t	 next;			/* in its parent's chain */
};

struct pd_strategy {
	struct pd_str code, title, body;
	struct pd_chain initiatives;
	int32_t	 prev, next;		/* in its issue's chain */
};

struct pd_issue {
	struct pd_int number;
	struct pd_str title, summary;
	struct pd_chain strategies;
	struct pd_chain initiatives;	/* the issue's own */
};

struct pd_reform {
	struct pd_str title, ref, body;
};

struct pd_warning {
	const char *code;		/* static */
	struct pd_str detail;
};

/* A growable array of records of one type. */
struct pd_array {
	void	*p;
	size_t	 n, cap;
};

enum pd_list { PD_GOALS, PD_MISSIONS, PD_POLICIES, PD_LISTS };

struct plandoc {
	struct sbuf chars;
	double	 ratio_percent;		/* when has_ratio */
	/* header */
	struct pd_str title, year_label, stage, published_on, page_id;
	struct pd_str org_name, org_kind, org_printed, org_canonical;
	struct pd_str head_role, head_name;
	/* the end of the plan */
	struct pd_str achievements, challenges;
	struct pd_str office, phone, fax, address;
	struct pd_int fiscal_year;
	struct pd_int council[4];	/* total, fixed, priority, base yen */
	/* lists: struct pd_str each */
	struct pd_array lists[PD_LISTS];
	struct pd_array issues;		/* struct pd_issue */
	struct pd_array strategies;	/* struct pd_strategy */
	struct pd_array initiatives;	/* struct pd_initiative */
	struct pd_array budgets;	/* struct pd_budget */
	struct pd_array reforms;	/* struct pd_reform */
	struct pd_warning warnings[PD_WARN_MAX];
	/* which objects the plan has (each is null in the JSON when not) */
	int	 has_org, has_head, has_evaluation, has_council, has_ratio,
		 has_contact;
	int	 nwarnings;
	int	 oom;
};

void	plandoc_init(struct plandoc *d);
void	plandoc_free(struct plandoc *d);
/* Copies n bytes into chars: the string, or null when s is NULL. */
struct pd_str plandoc_str(struct plandoc *d, const char *s, size_t n);
/* A null string. */
static inline struct pd_str
pd_null(void)
{
	return (struct pd_str){ -1, 0 };
}
/* The bytes of a string (not NUL-terminated), NULL for null. */
static inline const char *
plandoc_bytes(const struct plandoc *d, struct pd_str s)
{
	return s.off < 0 ? NULL : d->chars.p + s.off;
}
/* A new zeroed record at the end of a (size bytes each); its index, or
 * PD_NONE (and oom) when memory ran out. */
int32_t	plandoc_push(struct plandoc *d, struct pd_array *a, size_t size);
/* Record i of an array of T. */
#define PD_AT(arr, T, i)	(&((T *)(arr).p)[(i)])

#endif
