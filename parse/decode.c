/*
 * decode.c: charset detection and conversion of a document body to UTF-8.
 * Sources of truth, in order: a BOM, the content_type charset, an HTML
 * <meta> charset, then validation/detection (UTF-8, ISO-2022-JP escapes,
 * uchardet, CP932, EUC-JP), each candidate scored for plausibility so that
 * a wrong label never yields mojibake (utf8check.c validates UTF-8 and
 * scores).
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <uchardet.h>

#include "sbuf.h"
#include "text.h"
#include "utf8check.h"
#include "decode.h"

#define DECODE_SNIFF	65536	/* bytes given to uchardet / meta scan */
#define DECODE_MIN_SCORE 0.80	/* plausibility needed for a guess */

struct decode_cand {
	const char *iconv_name;	/* NULL: UTF-8 as is */
	const char *label;	/* reported charset */
};

int
decode_is_utf8(const unsigned char *s, size_t n)
{
	return utf8_valid_prefix(s, n) == n;
}

/* Maps a charset label to an iconv name; NULL if unsupported. */
static const char *
decode_map_label(const char *l)
{
	static const struct {
		const char *label, *name;
	} map[] = {
		{ "utf-8", "UTF-8" }, { "utf8", "UTF-8" },
		{ "us-ascii", "UTF-8" }, { "ascii", "UTF-8" },
		{ "shift_jis", "CP932" }, { "shift-jis", "CP932" },
		{ "sjis", "CP932" }, { "x-sjis", "CP932" },
		{ "ms_kanji", "CP932" }, { "csshiftjis", "CP932" },
		{ "windows-31j", "CP932" }, { "cp932", "CP932" },
		{ "ms932", "CP932" }, { "x-ms-cp932", "CP932" },
		{ "euc-jp", "EUC-JP-MS" }, { "x-euc-jp", "EUC-JP-MS" },
		{ "eucjp", "EUC-JP-MS" }, { "cseucpkdfmtjapanese", "EUC-JP-MS" },
		{ "iso-2022-jp", "ISO-2022-JP-3" }, { "csiso2022jp", "ISO-2022-JP-3" },
		{ "iso-2022-jp-1", "ISO-2022-JP-3" },
		{ "iso-2022-jp-2", "ISO-2022-JP-2" },
		{ "utf-16", "UTF-16" }, { "utf-16le", "UTF-16LE" },
		{ "utf-16be", "UTF-16BE" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(l, map[i].label) == 0)
			return map[i].name;
	return NULL;
}

/* Copies the value of charset=… found in s (case-insensitive) to out. */
static int
decode_charset_param(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i, k;

	for (i = 0; i + 7 <= n; i++) {
		if (strncasecmp(s + i, "charset", 7) != 0)
			continue;
		k = i + 7;
		while (k < n && (s[k] == ' ' || s[k] == '\t'))
			k++;
		if (k >= n || s[k] != '=')
			continue;
		k++;
		while (k < n && (s[k] == ' ' || s[k] == '"' || s[k] == '\''))
			k++;
		i = 0;
		while (k < n && i + 1 < outsz && (isalnum((unsigned char)s[k]) ||
		    s[k] == '-' || s[k] == '_' || s[k] == '.' || s[k] == ':'))
			out[i++] = s[k++];
		out[i] = '\0';
		return i > 0;
	}
	return 0;
}

/* <meta charset> / http-equiv in the first bytes of an HTML page. */
static int
decode_meta_charset(const unsigned char *b, size_t n, char *out, size_t outsz)
{
	const char *s = (const char *)b, *m;
	size_t lim = n < DECODE_SNIFF ? n : DECODE_SNIFF, off = 0;

	while (off < lim) {
		m = NULL;
		while (off + 5 <= lim) {
			const char *lt = memchr(s + off, '<', lim - off);
			if (lt == NULL)
				break;
			off = (size_t)(lt - s);
			if (off + 5 <= lim && strncasecmp(lt, "<meta", 5) == 0) {
				m = lt;
				break;
			}
			off++;
		}
		if (m == NULL)
			return 0;
		{
			const char *end = memchr(m, '>', lim - off);
			size_t len = end ? (size_t)(end - m) : lim - off;
			if (decode_charset_param(m, len, out, outsz))
				return 1;
			off += len ? len : 1;
		}
	}
	return 0;
}

/* Converts with iconv; 0 ok (out filled), 1 invalid input, -1 OOM. */
static int
decode_iconv(const char *name, const unsigned char *in, size_t n,
    struct sbuf *out)
{
	iconv_t cd = iconv_open("UTF-8", name);
	char *ip = (char *)(uintptr_t)in;
	size_t il = n;
	int rc = 0;

	if (cd == (iconv_t)-1)
		return 1;
	sbuf_reset(out);
	if (sbuf_reserve(out, n + n / 2 + 16) != 0) {
		iconv_close(cd);
		return -1;
	}
	for (;;) {
		char *op = out->p + out->len;
		size_t ol = out->cap - out->len - 1, r;
		int flush = il == 0;	/* last call: reset shift state */

		r = flush ? iconv(cd, NULL, NULL, &op, &ol) :
		    iconv(cd, &ip, &il, &op, &ol);
		out->len = (size_t)(op - out->p);
		if (r != (size_t)-1) {
			if (flush)
				break;
			continue;
		}
		if (errno == E2BIG) {
			if (sbuf_reserve(out, out->cap) != 0) {
				rc = -1;
				break;
			}
			continue;
		}
		if (errno == EINVAL && il < 8) {
			il = 0;	/* the body ends inside a character */
			continue;
		}
		rc = 1;		/* EILSEQ */
		break;
	}
	iconv_close(cd);
	if (rc == 0)
		out->p[out->len] = '\0';
	return rc;
}

static int
decode_has_iso2022_escapes(const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i + 2 < n; i++) {
		if (b[i] >= 0x80)
			return 0;
		if (b[i] == 0x1B && b[i + 1] == '$' &&
		    (b[i + 2] == 'B' || b[i + 2] == '@' || b[i + 2] == '('))
			return 1;
	}
	return 0;
}

/* One candidate; returns its score (<0: invalid) and *text, its UTF-8:
 * the bytes themselves when they are UTF-8 already (not copied: the next
 * stage reads them once; validated and scored in one walk), else the
 * conversion, held in out. */
static double
decode_try(const char *name, const unsigned char *b, size_t n,
    int b_nul_free, struct sbuf *out, struct span *text, int *oom)
{
	struct utf8_score sc = { 0, 0, 0 };
	int rc;

	if (name == NULL || strcmp(name, "UTF-8") == 0) {
		size_t ok = utf8_valid_prefix_scored(b, n, &sc);
		/* a body cut inside its last character is still UTF-8 */
		if (ok != n && !(n - ok < 4 && b[ok] >= 0xC2 && b[ok] <= 0xF4 &&
		    utf8_valid_prefix(b + ok + 1, n - ok - 1) == 0 &&
		    (n - ok == 1 || (b[ok + 1] & 0xC0) == 0x80)))
			return -1;
		*text = (struct span){ (const char *)b, ok };
	} else {
		rc = decode_iconv(name, b, n, out);
		if (rc < 0 || out->oom)
			*oom = 1;
		if (rc != 0 || out->oom)
			return -1;
		if (!decode_is_utf8((unsigned char *)out->p, out->len))
			return -1;
		*text = (struct span){ out->p, out->len };
	}
	/* a body read as is was checked for NULs already (b_nul_free) */
	if ((text->p != (const char *)b || !b_nul_free) &&
	    memchr(text->p, '\0', text->n) != NULL)
		return -1;
	return utf8_plausibility(text->p, text->n, &sc);
}

static const char *
decode_uchardet(const unsigned char *b, size_t n)
{
	uchardet_t ud = uchardet_new();
	const char *name = NULL, *cs;
	char tmp[64];

	if (ud == NULL)
		return NULL;
	if (uchardet_handle_data(ud, (const char *)b,
	    n < DECODE_SNIFF ? n : DECODE_SNIFF) == 0) {
		uchardet_data_end(ud);
		cs = uchardet_get_charset(ud);
		if (cs != NULL && *cs != '\0') {
			snprintf(tmp, sizeof(tmp), "%s", cs);
			name = decode_map_label(tmp);
		}
	}
	uchardet_delete(ud);
	return name;
}

static void
decode_set(char *dst, size_t dstsz, const char *src)
{
	snprintf(dst, dstsz, "%s", src);
}

/* Reports which iconv name we used with a friendlier label. */
static const char *
decode_label(const char *name)
{
	if (name == NULL || strcmp(name, "UTF-8") == 0)
		return "UTF-8";
	if (strcmp(name, "EUC-JP-MS") == 0)
		return "EUC-JP";
	if (strncmp(name, "ISO-2022-JP", 11) == 0)
		return "ISO-2022-JP";
	return name;
}

static int
decode_bom(const unsigned char **b, size_t *n, const char **name)
{
	if (*n >= 3 && (*b)[0] == 0xEF && (*b)[1] == 0xBB && (*b)[2] == 0xBF) {
		*b += 3;
		*n -= 3;
		*name = "UTF-8";
		return 1;
	}
	if (*n >= 2 && (*b)[0] == 0xFF && (*b)[1] == 0xFE) {
		*b += 2;
		*n -= 2;
		*name = "UTF-16LE";
		return 1;
	}
	if (*n >= 2 && (*b)[0] == 0xFE && (*b)[1] == 0xFF) {
		*b += 2;
		*n -= 2;
		*name = "UTF-16BE";
		return 1;
	}
	return 0;
}

int
decode_to_utf8(const unsigned char *bytes, size_t len,
    const char *content_type, struct sbuf *out, struct span *text,
    char *charset, size_t charsetsz, char *reason, size_t reasonsz)
{
	const char *cands[6], *bomname = NULL, *declared = NULL, *best = NULL;
	char label[48];
	struct sbuf tmp;
	struct span got;
	double bestscore = -1, sc;
	size_t nc = 0, i;
	int oom = 0, have_bom, nul_free = 0;

	have_bom = decode_bom(&bytes, &len, &bomname);
	while (len > 0 && bytes[len - 1] == '\0' && !have_bom)
		len--;		/* a C string's terminator is not content */
	if (len == 0) {
		*text = (struct span){ "", 0 };
		decode_set(charset, charsetsz, bomname ? decode_label(bomname) :
		    "UTF-8");
		return 0;
	}
	if (content_type != NULL &&
	    decode_charset_param(content_type, strlen(content_type), label,
	    sizeof(label)))
		declared = decode_map_label(label);
	if (declared == NULL && !have_bom &&
	    decode_meta_charset(bytes, len, label, sizeof(label)))
		declared = decode_map_label(label);
	if (have_bom)
		cands[nc++] = bomname;
	else {
		if (declared != NULL)
			cands[nc++] = declared;
		nul_free = memchr(bytes, '\0', len) == NULL;
		if (!nul_free && (declared == NULL ||
		    strncmp(declared, "UTF-16", 6) != 0)) {
			snprintf(reason, reasonsz, "binary data, not a text "
			    "document (the body contains NUL bytes)");
			decode_set(charset, charsetsz, "binary");
			return 2;
		}
		if (decode_has_iso2022_escapes(bytes, len))
			cands[nc++] = "ISO-2022-JP-3";
		cands[nc++] = "UTF-8";
		cands[nc++] = "?";	/* uchardet's guess, asked lazily */
		cands[nc++] = "CP932";
		cands[nc++] = "EUC-JP-MS";
	}
	sbuf_init(&tmp);
	for (i = 0; i < nc; i++) {
		size_t k;
		int dup = 0;

		if (cands[i] != NULL && strcmp(cands[i], "?") == 0)
			cands[i] = decode_uchardet(bytes, len);
		if (cands[i] == NULL)
			continue;
		for (k = 0; k < i; k++)
			if (cands[k] != NULL && strcmp(cands[k], cands[i]) == 0)
				dup = 1;
		if (dup)
			continue;
		sc = decode_try(cands[i], bytes, len, nul_free, &tmp, &got,
		    &oom);
		if (oom)
			break;
		if (sc > bestscore + 0.02) {
			/* got points into bytes or into tmp's buffer, which
			 * the swap hands to out without moving it */
			struct sbuf sw = *out;
			*out = tmp;
			tmp = sw;
			*text = got;
			bestscore = sc;
			best = cands[i];
			/* a declared/BOM charset or UTF-8 that reads as
			 * clean text is taken as is */
			if (sc >= 0.98)
				break;
		}
	}
	sbuf_free(&tmp);
	if (oom) {
		snprintf(reason, reasonsz, "out of memory decoding the body");
		return -1;
	}
	if (best == NULL || bestscore < (have_bom ? 0.5 : DECODE_MIN_SCORE)) {
		snprintf(reason, reasonsz, "body is not valid text in any "
		    "supported charset (tried %s%s%sUTF-8, CP932, EUC-JP, "
		    "ISO-2022-JP); send the correct charset in content_type",
		    declared ? "declared " : "", declared ?
		    decode_label(declared) : "", declared ? ", " : "");
		sbuf_reset(out);
		return 1;
	}
	decode_set(charset, charsetsz, decode_label(best));
	return 0;
}
