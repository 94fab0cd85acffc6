/*
 * send_input.c: the documents of `planq send`: expands operands into a
 * sorted list of paths, and loads one document (bytes + v1 envelope) at a
 * time so that a huge directory never sits in memory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "send_input.h"

#define SEND_READ_CHUNK	65536

/* ---- the list of documents ------------------------------------------- */

static int
send_input_push(struct send_input_list *list, enum send_input_kind kind,
    const char *path, const char *error)
{
	struct send_input *in;

	if (list->count == list->cap) {
		size_t ncap = list->cap ? list->cap * 2 : 64;
		struct send_input *n = realloc(list->items, ncap * sizeof(*n));

		if (n == NULL)
			return -1;
		list->items = n;
		list->cap = ncap;
	}
	in = &list->items[list->count];
	in->kind = kind;
	in->path = strdup(path);
	in->error = error ? strdup(error) : NULL;
	if (in->path == NULL || (error != NULL && in->error == NULL)) {
		free(in->path);
		free(in->error);
		return -1;
	}
	list->count++;
	return 0;
}

static char *
send_path_join(const char *dir, const char *name)
{
	size_t dlen = strlen(dir);
	const char *sep = (dlen > 0 && dir[dlen - 1] == '/') ? "" : "/";
	char *path;

	if (asprintf(&path, "%s%s%s", dir, sep, name) < 0)
		return NULL;
	return path;
}

/* 1: include as a document, 2: descend, 0: skip */
static int
send_classify_entry(int dfd, const char *name)
{
	struct stat st;

	if (name[0] == '.')
		return 0;	/* hidden, ".", ".." */
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 1;	/* vanished or unreadable: report it on load */
	if (S_ISDIR(st.st_mode))
		return 2;
	if (S_ISLNK(st.st_mode)) {
		/* follow links to files, never to directories (loops) */
		if (fstatat(dfd, name, &st, 0) != 0)
			return 0;
		return S_ISREG(st.st_mode) ? 1 : 0;
	}
	return S_ISREG(st.st_mode) ? 1 : 0;
}

static int send_walk(struct send_input_list *list, const char *dir);

static int
send_walk_entry(struct send_input_list *list, int dfd, const char *dir,
    const char *name)
{
	int what = send_classify_entry(dfd, name);
	char *path;
	int rc = 0;

	if (what == 0)
		return 0;
	path = send_path_join(dir, name);
	if (path == NULL)
		return -1;
	if (what == 2)
		rc = send_walk(list, path);
	else
		rc = send_input_push(list, SEND_INPUT_FILE, path, NULL);
	free(path);
	return rc;
}

static int
send_walk_error(struct send_input_list *list, const char *dir, int err)
{
	char why[256];

	snprintf(why, sizeof(why), "cannot read directory: %s", strerror(err));
	return send_input_push(list, SEND_INPUT_ERROR, dir, why);
}

/* Appends every regular non-hidden file below dir (unsorted). */
static int
send_walk(struct send_input_list *list, const char *dir)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	d = opendir(dir);
	if (d == NULL)
		return send_walk_error(list, dir, errno);
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0)
				rc = send_walk_error(list, dir, errno);
			break;
		}
		rc = send_walk_entry(list, dirfd(d), dir, de->d_name);
		if (rc != 0)
			break;
	}
	closedir(d);
	return rc;
}

static int
send_input_cmp(const void *a, const void *b)
{
	const struct send_input *x = a, *y = b;

	return strcmp(x->path, y->path);
}

static int
send_input_operand(struct send_input_list *list, const char *arg)
{
	struct stat st;
	size_t start = list->count;

	if (strcmp(arg, "-") == 0)
		return send_input_push(list, SEND_INPUT_STDIN, "-", NULL);
	if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode))
		return send_input_push(list, SEND_INPUT_FILE, arg, NULL);
	if (send_walk(list, arg) != 0)
		return -1;
	qsort(list->items + start, list->count - start, sizeof(list->items[0]),
	    send_input_cmp);
	return 0;
}

int
send_input_collect(struct send_input_list *list, char **operands,
    int noperands)
{
	for (int i = 0; i < noperands; i++)
		if (send_input_operand(list, operands[i]) != 0)
			return -1;
	return 0;
}

void
send_input_list_free(struct send_input_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		free(list->items[i].path);
		free(list->items[i].error);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/* ---- loading one document -------------------------------------------- */

static int
send_read_fd(int fd, size_t hint, unsigned char **out, size_t *outlen)
{
	size_t cap = hint + 1, len = 0;
	unsigned char *buf = malloc(cap);

	if (buf == NULL)
		return -1;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			unsigned char *nb = realloc(buf, cap + SEND_READ_CHUNK +
			    cap / 2);
			if (nb == NULL) {
				free(buf);
				errno = ENOMEM;
				return -1;
			}
			buf = nb;
			cap += SEND_READ_CHUNK + cap / 2;
		}
		/* EINTR is not retried: only SIGINT/SIGTERM interrupt us */
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			int saved = errno;
			free(buf);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

/* Opens and reads the document; fills *st for its mtime. */
static int
send_read_input(const struct send_input *in, unsigned char **out,
    size_t *outlen, struct stat *st)
{
	int fd, rc, saved;

	if (in->kind == SEND_INPUT_STDIN)
		fd = STDIN_FILENO;
	else if ((fd = open(in->path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return -1;
	if (fstat(fd, st) != 0)
		rc = -1;
	else if (S_ISDIR(st->st_mode)) {
		errno = EISDIR;
		rc = -1;
	} else
		rc = send_read_fd(fd, S_ISREG(st->st_mode) ?
		    (size_t)st->st_size : SEND_READ_CHUNK, out, outlen);
	saved = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	errno = saved;
	return rc;
}

/* RFC 3986 path characters stay as they are; everything else is %XX. */
static int
send_url_keeps(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("/-._~!$&'()*+,;=:@", c) != NULL;
}

static char *
send_file_url(const char *abspath)
{
	static const char hex[] = "0123456789ABCDEF";
	static const char scheme[] = "file://";
	size_t n = strlen(abspath);
	char *url = malloc(sizeof(scheme) + 3 * n), *p;

	if (url == NULL)
		return NULL;
	memcpy(url, scheme, sizeof(scheme) - 1);
	p = url + sizeof(scheme) - 1;
	for (const unsigned char *s = (const unsigned char *)abspath; *s; s++) {
		if (send_url_keeps(*s)) {
			*p++ = (char)*s;
			continue;
		}
		*p++ = '%';
		*p++ = hex[*s >> 4];
		*p++ = hex[*s & 15];
	}
	*p = '\0';
	return url;
}

static int
send_is_html(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');

	return dot != NULL && (strcasecmp(dot, ".html") == 0 ||
	    strcasecmp(dot, ".htm") == 0);
}

static int
send_set_string(json_t *obj, const char *key, const char *value)
{
	if (value == NULL)
		return 0;
	return json_object_set_new(obj, key, json_string(value));
}

static int
send_set_mtime(json_t *obj, const struct stat *st)
{
	char buf[32];
	struct tm tm;

	if (gmtime_r(&st->st_mtim.tv_sec, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	return send_set_string(obj, "fetched_at", buf);
}

/* The directory relative paths start from: $PWD if it is ".", as shells
 * show it (symlinks kept), else getcwd(). */
static char *
send_cwd(void)
{
	const char *pwd = getenv("PWD");
	struct stat a, b;

	if (pwd != NULL && pwd[0] == '/' && stat(pwd, &a) == 0 &&
	    stat(".", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return strdup(pwd);
	return getcwd(NULL, 0);
}

/* Appends one path component to the absolute path in out (lexically). */
static void
send_path_push(char *out, const char *comp, size_t len)
{
	size_t n = strlen(out);

	if (len == 0 || (len == 1 && comp[0] == '.'))
		return;
	if (len == 2 && comp[0] == '.' && comp[1] == '.') {
		char *slash = strrchr(out, '/');
		if (slash != NULL)
			*slash = '\0';
		return;
	}
	out[n] = '/';
	memcpy(out + n + 1, comp, len);
	out[n + 1 + len] = '\0';
}

/* The absolute path of path without resolving symlinks (like realpath -s). */
static char *
send_abs_path(const char *path)
{
	char *cwd = path[0] == '/' ? strdup("") : send_cwd();
	char *out;

	if (cwd == NULL)
		return NULL;
	out = malloc(strlen(cwd) + strlen(path) + 3);
	if (out != NULL) {
		const char *parts[2] = { cwd, path };

		out[0] = '\0';
		for (int i = 0; i < 2; i++)
			for (const char *s = parts[i]; *s; ) {
				size_t len = strcspn(s, "/");

				send_path_push(out, s, len);
				s += len + (s[len] == '/');
			}
		if (out[0] == '\0')
			strcpy(out, "/");
	}
	free(cwd);
	return out;
}

/* A string jansson accepts, i.e. valid UTF-8 without NUL. */
static int
send_is_utf8(const char *s)
{
	json_t *probe = json_string(s);

	json_decref(probe);
	return probe != NULL;
}

/*
 * The source URL of a file: --source-url, or "file://" + its absolute path
 * as is; only a path that is not valid UTF-8 is %-encoded.
 */
static char *
send_source_url(const struct send_input *in,
    const struct send_envelope_opts *opts)
{
	char *abspath, *url = NULL;

	if (opts->source_url != NULL)
		return strdup(opts->source_url);
	if (in->kind != SEND_INPUT_FILE)
		return NULL;
	abspath = send_abs_path(in->path);
	if (abspath == NULL)
		return NULL;
	if (!send_is_utf8(abspath))
		url = send_file_url(abspath);
	else if (asprintf(&url, "file://%s", abspath) < 0)
		url = NULL;
	free(abspath);
	return url;
}

static char *
send_build_envelope(const struct send_input *in, const char *id,
    const struct send_envelope_opts *opts, const struct stat *st)
{
	const char *ctype = opts->content_type;
	json_t *env = json_object();
	char *url = send_source_url(in, opts), *text = NULL;
	int bad;

	if (ctype == NULL && in->kind == SEND_INPUT_FILE && send_is_html(in->path))
		ctype = "text/html";
	bad = env == NULL ||
	    json_object_set_new(env, "v", json_integer(1)) != 0 ||
	    send_set_string(env, "id", id) != 0 ||
	    send_set_string(env, "source_url", url) != 0 ||
	    send_set_string(env, "content_type", ctype) != 0 ||
	    (S_ISREG(st->st_mode) && send_set_mtime(env, st) != 0);
	if (!bad)
		text = json_dumps(env, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(env);
	free(url);
	return text;
}

int
send_payload_load(const struct send_input *in, const char *id,
    const struct send_envelope_opts *opts, struct send_payload *out,
    char *why, size_t whylen)
{
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (in->kind == SEND_INPUT_ERROR) {
		snprintf(why, whylen, "%s", in->error);
		return -1;
	}
	if (send_read_input(in, &out->bytes, &out->len, &st) != 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	out->envelope = send_build_envelope(in, id, opts, &st);
	if (out->envelope == NULL) {
		snprintf(why, whylen, "cannot build the envelope (is "
		    "--content-type/--source-url valid UTF-8?)");
		send_payload_free(out);
		return -1;
	}
	return 0;
}

void
send_payload_free(struct send_payload *p)
{
	free(p->bytes);
	free(p->envelope);
	memset(p, 0, sizeof(*p));
}
