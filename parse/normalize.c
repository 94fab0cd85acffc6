/*
 * normalize.c: NFKC (utf8proc) and white-space/control clean-up of decoded
 * UTF-8.  Runs of code points that NFKC provably leaves alone (ASCII, kana,
 * CJK ideographs, common CJK punctuation) are copied; only the short runs
 * around other code points go through utf8proc, keeping this linear & fast.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "sbuf.h"
#include "text.h"
#include "normalize.h"

/* Symbols the plans print as bullets, marks and arrows (◆ ☆ ○ • ※ 〒 →
 * ―…): NFKC maps each to itself, its combining class is 0 and no code
 * point before it composes with it (checked against every BMP code point
 * with Python's unicodedata, Unicode 14), so utf8proc need not see it.
 * Before, each one cost a utf8proc_map call and its allocation. */
static int
normalize_safe_symbol(uint32_t cp)
{
	switch (cp) {
	case 0x2015: case 0x2022: case 0x203B: case 0x2190: case 0x2191:
	case 0x2192: case 0x2193: case 0x21D2: case 0x2500: case 0x2501:
	case 0x2502: case 0x2503: case 0x25A0: case 0x25A1: case 0x25B2:
	case 0x25B3: case 0x25BC: case 0x25BD: case 0x25C6: case 0x25C7:
	case 0x25CB: case 0x25CE: case 0x25CF: case 0x25EF: case 0x2605:
	case 0x2606: case 0x2666: case 0x266A: case 0x2713: case 0x2714:
	case 0x3012:
		return 1;
	default:
		return 0;
	}
}

/* Code points NFKC maps to themselves and that never compose with a
 * following code point in a way we care about. */
static int
normalize_safe(uint32_t cp)
{
	if (cp >= 0x20 && cp < 0x7F)
		return 1;
	if (cp == '\t' || cp == '\n')
		return 1;
	if (cp >= 0x4E00 && cp <= 0x9FFF)
		return 1;
	if ((cp >= 0x3041 && cp <= 0x3096) || cp == 0x309D || cp == 0x309E)
		return 1;
	if ((cp >= 0x30A1 && cp <= 0x30FE))
		return 1;
	if ((cp >= 0x3001 && cp <= 0x3003) || (cp >= 0x3005 && cp <= 0x3011) ||
	    (cp >= 0x3014 && cp <= 0x301C))
		return 1;
	return normalize_safe_symbol(cp);
}

/* Control and format characters: 0 keep, 1 drop, 2 newline, 3 space. */
static int
normalize_control(uint32_t cp)
{
	if (cp == '\t' || cp == '\n')
		return 0;
	if (cp == '\r' || cp == 0x2028 || cp == 0x2029 || cp == 0x85)
		return 2;
	if (cp == '\f' || cp == '\v')
		return 3;
	if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
		return 1;
	if (cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x2060 ||
	    cp == 0xFEFF || cp == 0x00AD)
		return 1;
	return 0;
}

/* Combining marks that could compose with the code point before them. */
static int
normalize_combining(uint32_t cp)
{
	return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 &&
	    cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
	    (cp >= 0x20D0 && cp <= 0x20FF) || cp == 0x3099 || cp == 0x309A ||
	    (cp >= 0xFE20 && cp <= 0xFE2F);
}

/* NFKC of one short run (valid UTF-8) appended to out. */
static int
normalize_run(const char *s, size_t n, struct sbuf *out)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t r;

	r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &dst,
	    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
	if (r < 0) {
		free(dst);
		if (r == UTF8PROC_ERROR_NOMEM)
			return -1;
		sbuf_add(out, s, n);	/* cannot happen on valid input */
		return 0;
	}
	sbuf_add(out, (const char *)dst, (size_t)r);
	free(dst);
	return out->oom ? -1 : 0;
}

/* U+3000..U+30FF as normalize_safe() sees them, one bit each (bit b of
 * word k: U+3000 + 64k + b): its CJK punctuation, kana and 〒 ranges. */
static const uint64_t normalize_safe_30xx[4] = {
	0x000000001ff7ffeeULL, 0xfffffffffffffffeULL,
	0xfffffffe607fffffULL, 0x7fffffffffffffffULL,
};

/* The common characters of a safe run, while three bytes remain: kana and
 * CJK punctuation (E3 80..83 xx, one bit test), CJK ideographs (lead E4..E9:
 * U+4000..U+9FFF), printable ASCII, tab and newline.  Stops (at a
 * character start) wherever normalize_safe_run's own loop has to look. */
static size_t
normalize_safe_fast(const unsigned char *u, size_t n)
{
	size_t i = 0;

	while (i + 3 <= n) {
		unsigned char c = u[i];
		if (c == 0xE3 && u[i + 1] <= 0x83) {
			unsigned k = ((u[i + 1] & 3u) << 6) | (u[i + 2] & 0x3Fu);
			if (!((normalize_safe_30xx[k >> 6] >> (k & 63)) & 1))
				break;
			i += 3;
		} else if ((unsigned)(c - 0xE4) <= 0xE9 - 0xE4)
			i += 3;
		else if ((unsigned)(c - 0x20) < 0x7F - 0x20 || c == '\t' ||
		    c == '\n')
			i++;
		else
			break;
	}
	return i;
}

/* Length of the run of safe code points at s (whole code points); *last
 * gets the offset of its last code point.  Kept in locals: a store
 * through a pointer in the loop would be reloaded after every byte. */
static size_t
normalize_safe_run(const char *s, size_t n, size_t *last)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, prev = 0, adv;

	i = normalize_safe_fast(u, n);
	if (i > 0) {
		/* the start of the last character taken (valid UTF-8) */
		prev = i - 1;
		while (prev > 0 && (u[prev] & 0xC0) == 0x80)
			prev--;
	}
	while (i < n) {
		/* one character the fast loop left, then the fast loop again */
		unsigned char c = u[i];
		size_t more;

		if ((unsigned)(c - 0xE4) <= 0xE9 - 0xE4 && i + 2 < n)
			adv = 3;	/* U+4000..U+9FFF: CJK, NFKC-stable */
		else if ((c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n')
			adv = 1;
		else if (c == 0xE3 && i + 2 < n) {
			/* U+3000..U+3FFF: kana and punctuation */
			uint32_t cp = 0x3000 | ((uint32_t)(u[i + 1] & 0x3F) << 6) |
			    (u[i + 2] & 0x3F);
			if (!((cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30A1 &&
			    cp <= 0x30FE) || normalize_safe(cp)))
				break;
			adv = 3;
		} else if (c < 0x80 || !normalize_safe(text_cp(s + i, n - i, &adv)))
			break;
		prev = i;
		i += adv;
		more = normalize_safe_fast(u + i, n - i);
		if (more > 0) {
			i += more;
			prev = i - 1;
			while ((u[prev] & 0xC0) == 0x80)
				prev--;
		}
	}
	*last = prev;
	return i;
}

int
normalize_text(const char *s, size_t n, struct sbuf *out)
{
	size_t i = 0, adv, prev_start = 0, prev_len = 0;

	if (sbuf_reserve(out, n + 16) != 0)
		return -1;
	while (i < n) {
		uint32_t cp;
		int ctl;
		size_t run, last;

		run = normalize_safe_run(s + i, n - i, &last);
		if (run > 0) {
			/* copied as is; remember the last code point, a
			 * possible starter of a following combining mark */
			sbuf_add(out, s + i, run);
			prev_len = run - last;
			prev_start = out->len - prev_len;
			i += run;
			continue;
		}
		cp = text_cp(s + i, n - i, &adv);
		ctl = normalize_control(cp);
		if (ctl) {
			if (ctl == 2) {
				if (cp == '\r' && i + 1 < n && s[i + 1] == '\n')
					adv++;
				sbuf_addc(out, '\n');
			} else if (ctl == 3)
				sbuf_addc(out, ' ');
			prev_len = 0;
			i += adv;
			continue;
		}
		if ((cp >= 0xFF01 && cp <= 0xFF5E) || cp == 0x3000) {
			/* full-width ASCII and the ideographic space: NFKC
			 * maps them to ASCII on their own, unless a combining
			 * mark follows (then utf8proc does the work) */
			size_t a2 = 0;
			uint32_t next = i + adv < n ? text_cp(s + i + adv,
			    n - i - adv, &a2) : 0;
			if (!normalize_combining(next)) {
				sbuf_addc(out, cp == 0x3000 ? ' ' :
				    (char)(cp - 0xFEE0));
				/* output and source lengths differ: nothing
				 * after it may reuse it as a starter (the
				 * next code point is not combining) */
				prev_len = 0;
				i += adv;
				continue;
			}
		}
		{
			/* unsafe run, with the code point before it (a
			 * possible starter for composition) */
			size_t j = i, start;
			while (j < n) {
				size_t a2;
				uint32_t c2 = text_cp(s + j, n - j, &a2);
				if (normalize_safe(c2) || normalize_control(c2))
					break;
				j += a2;
			}
			start = i;
			if (prev_len > 0 && prev_start + prev_len == out->len) {
				start = i - prev_len;
				out->len = prev_start;
			}
			if (normalize_run(s + start, j - start, out) != 0)
				return -1;
			prev_len = 0;
			i = j;
		}
	}
	if (out->oom)
		return -1;
	out->p[out->len] = '\0';
	return 0;
}
