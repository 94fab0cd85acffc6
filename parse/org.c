/*
 * org.c: matches a printed organisation name to the reference list
 * (org_table, from parse/orgs.tsv).  First the whole name, or an alias
 * (also after a leading 大阪市); then the longest known name that starts
 * the printed one when all that follows it is noise: 度 or の (typos such as
 * 西区度), 役所 (西区役所 is the ward's office) and white space.  Anything
 * else is unknown: the caller keeps the printed name and flags it.
 */
#include <string.h>

#include "org.h"

/* Whether the first n bytes of s equal the NUL-terminated name. */
static int
org_equals(const char *name, size_t len, struct span s)
{
	return len == s.n && memcmp(name, s.p, len) == 0;
}

/* Calls back for the name and each alias of e: 1 as soon as fn does. */
static int
org_each_name(const struct org_entry *e,
    int (*fn)(const char *, size_t, void *), void *arg)
{
	const char *a = e->aliases;

	if (fn(e->name, strlen(e->name), arg))
		return 1;
	while (a != NULL && *a != '\0') {
		size_t n = strcspn(a, ",");
		if (n > 0 && fn(a, n, arg))
			return 1;
		a += n;
		if (*a == ',')
			a++;
	}
	return 0;
}

static int
org_is_exact(const char *name, size_t len, void *arg)
{
	return org_equals(name, len, *(const struct span *)arg);
}

/* The noise a typo or a longer form leaves after a known name. */
static int
org_only_noise(struct span s)
{
	static const char *const noise[] = { "度", "の", "役所", NULL };
	size_t i;

	for (s = text_trim(s); s.n > 0; s = text_trim(s)) {
		for (i = 0; noise[i] != NULL; i++)
			if (text_starts(s, noise[i]))
				break;
		if (noise[i] == NULL)
			return 0;
		s = text_skip(s, strlen(noise[i]));
	}
	return 1;
}

struct org_prefix {
	struct span printed;
	size_t	 best;		/* length of the longest known prefix */
};

static int
org_try_prefix(const char *name, size_t len, void *arg)
{
	struct org_prefix *p = arg;

	if (len > p->best && len < p->printed.n &&
	    memcmp(name, p->printed.p, len) == 0 &&
	    org_only_noise(text_skip(p->printed, len)))
		p->best = len;
	return 0;
}

/* Exact, then known name + noise, over s. */
static int
org_match_span(struct span s, struct org_match *m)
{
	struct org_prefix p = { s, 0 };
	size_t i;

	for (i = 0; i < org_table_len; i++)
		if (org_each_name(&org_table[i], org_is_exact, &s)) {
			m->how = ORG_EXACT;
			m->entry = &org_table[i];
			m->name = s;
			return 1;
		}
	for (i = 0; i < org_table_len; i++) {
		size_t before = p.best;
		org_each_name(&org_table[i], org_try_prefix, &p);
		if (p.best > before)
			m->entry = &org_table[i];
	}
	if (p.best == 0)
		return 0;
	m->how = ORG_NOISE;
	m->name = (struct span){ s.p, p.best };
	return 1;
}

void
org_match(struct span printed, struct org_match *m)
{
	struct span s = text_trim(printed);

	memset(m, 0, sizeof(*m));
	m->name = s;
	if (org_match_span(s, m))
		return;
	if (text_starts(s, "大阪市") &&
	    org_match_span(text_trim(text_skip_lit(s, "大阪市")), m)) {
		if (m->how == ORG_EXACT)
			m->name = s;	/* 大阪市建設局: printed form kept */
		return;
	}
	memset(m, 0, sizeof(*m));
	m->name = s;
}
