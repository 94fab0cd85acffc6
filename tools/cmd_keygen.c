/*
 * cmd_keygen.c: `planq keygen NAME`: a CurveZMQ key pair as two zcert files,
 * NAME (public certificate, for the other side) and NAME_secret (mode 0600,
 * stays here); prints the public key.  Never overwrites an existing file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <czmq.h>

#include "commands.h"

static void
keygen_usage(FILE *out)
{
	fprintf(out,
	    "usage: planq keygen NAME\n"
	    "  writes NAME (public certificate) and NAME_secret (secret key,\n"
	    "  mode 0600) and prints the public key.  For planqd: point\n"
	    "  curve_secret_file at NAME_secret and give crawlers NAME.  For a\n"
	    "  crawler: copy NAME into planqd's curve_clients_dir and use\n"
	    "  'planq send --client-cert NAME_secret'.\n");
}

static int
keygen_refuse_existing(const char *path)
{
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "planq keygen: %s exists; remove it or choose "
		    "another NAME\n", path);
		return -1;
	}
	return 0;
}

/* The secret file is created under umask 077 and then forced to 0600. */
static int
keygen_save(zcert_t *cert, const char *name, const char *secret)
{
	mode_t old = umask(077);
	int rc = zcert_save_secret(cert, secret);

	umask(old);
	if (rc != 0 || chmod(secret, 0600) != 0) {
		fprintf(stderr, "planq keygen: cannot write %s: %s\n", secret,
		    strerror(errno));
		unlink(secret);
		return -1;
	}
	if (zcert_save_public(cert, name) != 0) {
		fprintf(stderr, "planq keygen: cannot write %s: %s\n", name,
		    strerror(errno));
		unlink(secret);
		return -1;
	}
	return 0;
}

int
cmd_keygen(int argc, char **argv)
{
	char secret[4096];
	zcert_t *cert;
	int rc;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		keygen_usage(stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '\0' || argv[1][0] == '-') {
		keygen_usage(stderr);
		return 2;
	}
	if (snprintf(secret, sizeof(secret), "%s_secret", argv[1]) >=
	    (int)sizeof(secret)) {
		fprintf(stderr, "planq keygen: NAME is too long\n");
		return 2;
	}
	if (keygen_refuse_existing(argv[1]) != 0 ||
	    keygen_refuse_existing(secret) != 0)
		return 1;
	if ((cert = zcert_new()) == NULL) {
		fprintf(stderr, "planq keygen: cannot make a key pair (is "
		    "libzmq built with CURVE support?)\n");
		return 1;
	}
	zcert_set_meta(cert, "created-by", "planq keygen");
	rc = keygen_save(cert, argv[1], secret);
	if (rc == 0)
		printf("%s\n", zcert_public_txt(cert));
	zcert_destroy(&cert);
	return rc == 0 ? 0 : 1;
}
