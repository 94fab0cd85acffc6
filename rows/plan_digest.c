/*
 * plan_digest.c: jsonb's text of a JSON text, and its SHA-256 (see
 * plan_digest.h).  A recursive descent over the text, writing as it reads:
 * an array's elements go straight to the output; an object's members are
 * written to a scratch buffer of its own first (key, then value), and
 * copied out in jsonb's key order once the object is read.  The rules
 * followed are PostgreSQL's: lengthCompareJsonbString (shorter keys first,
 * then memcmp), uniqueifyJsonbObject (of equal keys the last one stays),
 * JsonbToCString (", " and ": "), escape_json (\" \\ \b \f \n \r \t, other
 * bytes below 0x20 as \u00xx, everything else as is: what lib/jsontext.c
 * writes for Jansson, with lower-case hex digits) and numeric_in/out
 * (the number's digits at the scale it was written with, the exponent
 * applied: 1.50 stays 1.50, 1.5e-3 is 0.0015, -0 is 0).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "jsontext.h"
#include "plan_digest.h"

/* deeper than any plan, as deep as PostgreSQL's stack would go */
#define DIGEST_MAX_DEPTH	1000
/* numeric_in refuses larger exponents */
#define DIGEST_MAX_EXPONENT	1000

struct digest_in {
	const char	*p, *end;
	int		 depth;
};

/* An object's member in its scratch buffer: key bytes, then value text. */
struct digest_member {
	size_t	 key, key_len, val, val_len;
	size_t	 n;		/* position in the object */
};

static int	digest_value(struct digest_in *in, struct sbuf *out);

static void
digest_space(struct digest_in *in)
{
	while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' ||
	    *in->p == '\n' || *in->p == '\r'))
		in->p++;
}

/* After white space, the byte c: taken (1) when it comes next, else left
 * where it is (0). */
static int
digest_take(struct digest_in *in, char c)
{
	digest_space(in);
	if (in->p < in->end && *in->p == c) {
		in->p++;
		return 1;
	}
	return 0;
}

static int
digest_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits after "\u"; -1 if not. */
static long
digest_u4(struct digest_in *in)
{
	long v = 0;

	if (in->end - in->p < 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		int h = digest_hex(in->p[k]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	in->p += 4;
	return v;
}

/* A \u escape (after the "\u"), a surrogate pair as one character; jsonb
 * refuses \u0000 and lone surrogates. */
static int
digest_unicode(struct digest_in *in, struct sbuf *b)
{
	long c = digest_u4(in), lo;

	if (c <= 0 || (c >= 0xdc00 && c <= 0xdfff))
		return -1;
	if (c >= 0xd800 && c <= 0xdbff) {
		if (in->end - in->p < 2 || in->p[0] != '\\' || in->p[1] != 'u')
			return -1;
		in->p += 2;
		lo = digest_u4(in);
		if (lo < 0xdc00 || lo > 0xdfff)
			return -1;
		c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
	}
	sbuf_add_cp(b, (unsigned long)c);
	return 0;
}

/* One escape after the backslash, its character into b. */
static int
digest_escape(struct digest_in *in, struct sbuf *b)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *at;

	if (in->p >= in->end)
		return -1;
	if (*in->p == 'u') {
		in->p++;
		return digest_unicode(in, b);
	}
	if ((at = memchr(from, *in->p, sizeof(from) - 1)) == NULL)
		return -1;
	sbuf_addc(b, to[at - from]);
	in->p++;
	return 0;
}

/* A string's characters (after its opening quote) into b, unescaped. */
static int
digest_string_bytes(struct digest_in *in, struct sbuf *b)
{
	while (in->p < in->end) {
		const char *run = in->p;

		while (in->p < in->end && *in->p != '"' && *in->p != '\\' &&
		    (unsigned char)*in->p >= 0x20)
			in->p++;
		sbuf_add(b, run, (size_t)(in->p - run));
		if (in->p >= in->end || (unsigned char)*in->p < 0x20)
			return -1;
		if (*in->p++ == '"')
			return b->oom ? -1 : 0;
		if (digest_escape(in, b) != 0)
			return -1;
	}
	return -1;
}

/*
 * A string value (after its opening quote), re-escaped into out.  Most
 * plan strings hold no escape: up to the closing quote no byte needs one,
 * so jsonb prints the very bytes read, which are copied as they stand
 * (the quotes included) instead of unescaped and escaped again.
 */
static int
digest_string(struct digest_in *in, struct sbuf *out)
{
	size_t plain = jsontext_plain_prefix(in->p, (size_t)(in->end - in->p));
	struct sbuf s;
	int rc;

	if (in->p + plain < in->end && in->p[plain] == '"') {
		sbuf_add(out, in->p - 1, plain + 2);
		in->p += plain + 1;
		return out->oom ? -1 : 0;
	}
	sbuf_init(&s);
	rc = digest_string_bytes(in, &s);
	if (rc == 0)
		jsontext_string_hex(out, s.p ? s.p : "", s.len,
		    JSONTEXT_HEX_LOWER);
	sbuf_free(&s);
	return rc;
}

/* A run of digits; their count. */
static size_t
digest_digits(struct digest_in *in)
{
	const char *s = in->p;

	while (in->p < in->end && *in->p >= '0' && *in->p <= '9')
		in->p++;
	return (size_t)(in->p - s);
}

/* The exponent after 'e'; -1 when missing or beyond numeric's range. */
static int
digest_exponent(struct digest_in *in, long *exp)
{
	int neg = 0;
	size_t n;
	const char *d;

	*exp = 0;
	if (in->p < in->end && (*in->p == '+' || *in->p == '-'))
		neg = *in->p++ == '-';
	d = in->p;
	if ((n = digest_digits(in)) == 0)
		return -1;
	for (size_t k = 0; k < n; k++) {
		*exp = *exp * 10 + (d[k] - '0');
		if (*exp > DIGEST_MAX_EXPONENT)
			return -1;
	}
	if (neg)
		*exp = -*exp;
	return 0;
}

/* zeros into out */
static void
digest_zeros(struct sbuf *out, long n)
{
	for (long k = 0; k < n; k++)
		sbuf_addc(out, '0');
}

/*
 * digits (ndig, no point) times 10^-frac, as numeric_out prints it: no
 * leading zeros before the point (one "0" if nothing else), exactly frac
 * digits after it when frac > 0, zeros appended when frac < 0.
 */
static void
digest_decimal(struct sbuf *out, const char *digits, size_t ndig, long frac,
    int neg)
{
	size_t lead = 0, nint;

	while (lead < ndig && digits[lead] == '0')
		lead++;
	if (neg && lead < ndig)
		sbuf_addc(out, '-');
	if (frac <= 0) {
		if (lead == ndig)
			sbuf_addc(out, '0');
		else {
			sbuf_add(out, digits + lead, ndig - lead);
			digest_zeros(out, -frac);
		}
		return;
	}
	nint = ndig > (size_t)frac ? ndig - (size_t)frac : 0;
	if (lead >= nint)
		sbuf_addc(out, '0');
	else
		sbuf_add(out, digits + lead, nint - lead);
	sbuf_addc(out, '.');
	if ((size_t)frac > ndig)
		digest_zeros(out, frac - (long)ndig);
	sbuf_add(out, digits + nint, ndig - nint);
}

/* A number, as JSON's grammar has it, written as numeric_out would. */
static int
digest_number(struct digest_in *in, struct sbuf *out)
{
	struct sbuf digits;
	const char *ip, *fp = NULL;
	size_t ni, nf = 0;
	long exp = 0;
	int neg = 0;

	if (in->p < in->end && *in->p == '-')
		neg = (in->p++, 1);
	ip = in->p;
	if ((ni = digest_digits(in)) == 0 || (ni > 1 && *ip == '0'))
		return -1;
	if (in->p < in->end && *in->p == '.') {
		fp = ++in->p;
		if ((nf = digest_digits(in)) == 0)
			return -1;
	}
	if (in->p < in->end && (*in->p == 'e' || *in->p == 'E')) {
		in->p++;
		if (digest_exponent(in, &exp) != 0)
			return -1;
	}
	sbuf_init(&digits);
	sbuf_add(&digits, ip, ni);
	if (nf > 0)
		sbuf_add(&digits, fp, nf);
	if (!digits.oom)
		digest_decimal(out, digits.p, digits.len, (long)nf - exp, neg);
	sbuf_free(&digits);
	return digits.oom ? -1 : 0;
}

static int
digest_literal(struct digest_in *in, struct sbuf *out, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(in->end - in->p) < n || memcmp(in->p, lit, n) != 0)
		return -1;
	in->p += n;
	sbuf_add(out, lit, n);
	return 0;
}

static int
digest_array(struct digest_in *in, struct sbuf *out)
{
	sbuf_addc(out, '[');
	if (digest_take(in, ']')) {
		sbuf_addc(out, ']');
		return 0;
	}
	for (int first = 1;; first = 0) {
		if (!first)
			sbuf_add(out, ", ", 2);
		if (digest_value(in, out) != 0)
			return -1;
		digest_space(in);
		if (in->p >= in->end)
			return -1;
		if (*in->p++ == ']')
			break;
		if (in->p[-1] != ',')
			return -1;
	}
	sbuf_addc(out, ']');
	return 0;
}

/* jsonb's key order; equal keys by position (the last is kept). */
static const char *digest_sort_base;

static int
digest_member_cmp(const void *a, const void *b)
{
	const struct digest_member *x = a, *y = b;
	int c;

	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	c = memcmp(digest_sort_base + x->key, digest_sort_base + y->key,
	    x->key_len);
	if (c != 0)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

/* After the byte c, one part of a member read into scratch by part();
 * where it stands there into *at and *len. */
static int
digest_part(struct digest_in *in, char c, struct sbuf *scratch,
    int (*part)(struct digest_in *, struct sbuf *), size_t *at, size_t *len)
{
	if (!digest_take(in, c))
		return -1;
	*at = scratch->len;
	if (part(in, scratch) != 0)
		return -1;
	*len = scratch->len - *at;
	return 0;
}

/* One "key": value into the scratch buffer, its place into m. */
static int
digest_member(struct digest_in *in, struct sbuf *scratch,
    struct digest_member *m)
{
	if (digest_part(in, '"', scratch, digest_string_bytes, &m->key,
	    &m->key_len) != 0 || digest_part(in, ':', scratch, digest_value,
	    &m->val, &m->val_len) != 0)
		return -1;
	return 0;
}

/* The members, sorted, into out. */
static void
digest_members_out(struct sbuf *out, const struct sbuf *scratch,
    struct digest_member *m, size_t n)
{
	int first = 1;

	digest_sort_base = scratch->p;
	qsort(m, n, sizeof(*m), digest_member_cmp);
	sbuf_addc(out, '{');
	for (size_t k = 0; k < n; k++) {
		if (k + 1 < n && m[k + 1].key_len == m[k].key_len &&
		    memcmp(scratch->p + m[k].key, scratch->p + m[k + 1].key,
		    m[k].key_len) == 0)
			continue;	/* a later one of the same key */
		if (!first)
			sbuf_add(out, ", ", 2);
		first = 0;
		jsontext_string_hex(out, scratch->p + m[k].key, m[k].key_len,
		    JSONTEXT_HEX_LOWER);
		sbuf_add(out, ": ", 2);
		sbuf_add(out, scratch->p + m[k].val, m[k].val_len);
	}
	sbuf_addc(out, '}');
}

/* Room for one more member in *m (of *cap). */
static int
digest_members_grow(struct digest_member **m, size_t n, size_t *cap)
{
	struct digest_member *grown;

	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 16;
	if ((grown = realloc(*m, *cap * sizeof(**m))) == NULL)
		return -1;
	*m = grown;
	return 0;
}

static int
digest_object(struct digest_in *in, struct sbuf *out)
{
	struct sbuf scratch;
	struct digest_member *m = NULL;
	size_t n = 0, cap = 0;
	int rc = -1;

	sbuf_init(&scratch);
	if (digest_take(in, '}')) {
		sbuf_add(out, "{}", 2);
		return 0;
	}
	for (;;) {
		if (digest_members_grow(&m, n, &cap) != 0 ||
		    digest_member(in, &scratch, &m[n]) != 0)
			goto done;
		m[n].n = n;
		n++;
		digest_space(in);
		if (in->p >= in->end)
			goto done;
		if (*in->p == '}')
			break;
		if (*in->p++ != ',')
			goto done;
	}
	in->p++;
	if (!scratch.oom) {
		digest_members_out(out, &scratch, m, n);
		rc = 0;
	}
done:
	free(m);
	sbuf_free(&scratch);
	return rc;
}

static int
digest_value(struct digest_in *in, struct sbuf *out)
{
	int rc;

	digest_space(in);
	if (in->p >= in->end || ++in->depth > DIGEST_MAX_DEPTH)
		return -1;
	switch (*in->p) {
	case '{': in->p++; rc = digest_object(in, out); break;
	case '[': in->p++; rc = digest_array(in, out); break;
	case '"': in->p++; rc = digest_string(in, out); break;
	case 't': rc = digest_literal(in, out, "true"); break;
	case 'f': rc = digest_literal(in, out, "false"); break;
	case 'n': rc = digest_literal(in, out, "null"); break;
	default: rc = digest_number(in, out); break;
	}
	in->depth--;
	return rc;
}

int
plan_digest_text(const char *json, size_t len, struct sbuf *out)
{
	struct digest_in in = { json, json + len, 0 };

	if (digest_value(&in, out) != 0)
		return -1;
	digest_space(&in);
	return in.p == in.end && !out->oom ? 0 : -1;
}

int
plan_digest(const char *json, size_t len, unsigned char out[PLAN_DIGEST_LEN])
{
	struct sbuf text;
	unsigned int n = 0;
	int rc = -1;

	sbuf_init(&text);
	if (plan_digest_text(json, len, &text) == 0 &&
	    EVP_Digest(text.p ? text.p : "", text.len, out, &n, EVP_sha256(),
	    NULL) == 1 && n == PLAN_DIGEST_LEN)
		rc = 0;
	sbuf_free(&text);
	return rc;
}
