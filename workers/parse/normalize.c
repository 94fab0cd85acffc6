/*
 * normalize.c: NFKC (utf8proc) and white-space/control clean-up of decoded
 * UTF-8.  Runs of code points that NFKC provably leaves alone (ASCII, kana,
 * CJK ideographs, common CJK punctuation) are copied; only the short runs
 * around other code points go through utf8proc, keeping this linear & fast.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "parse_internal.h"

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
	return 0;
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

int
normalize_text(const char *s, size_t n, struct sbuf *out)
{
	size_t i = 0, adv, prev_start = 0, prev_len = 0;

	if (sbuf_reserve(out, n + 16) != 0)
		return -1;
	while (i < n) {
		uint32_t cp;
		int ctl;

		if ((unsigned char)s[i] < 0x80 && (unsigned char)s[i] >= 0x20 &&
		    s[i] != 0x7F) {
			size_t j = i;
			while (j < n && (unsigned char)s[j] >= 0x20 &&
			    (unsigned char)s[j] < 0x7F)
				j++;
			sbuf_add(out, s + i, j - i);
			prev_start = out->len - 1;
			prev_len = 1;
			i = j;
			continue;
		}
		cp = text_cp(s + i, n - i, &adv);
		ctl = normalize_control(cp);
		if (cp == '\t' || cp == '\n' || ctl) {
			if (ctl == 2) {
				if (cp == '\r' && i + 1 < n && s[i + 1] == '\n')
					adv++;
				sbuf_addc(out, '\n');
			} else if (ctl == 3)
				sbuf_addc(out, ' ');
			else if (ctl == 0)
				sbuf_addc(out, (char)cp);
			prev_len = 0;
			i += adv;
			continue;
		}
		if (normalize_safe(cp)) {
			prev_start = out->len;
			prev_len = adv;
			sbuf_add(out, s + i, adv);
			i += adv;
			continue;
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
