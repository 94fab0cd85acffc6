/*
 * send_curve.c: loads the keys for `planq send --server-key --client-cert`
 * (zcert files from `planq keygen`, or a Z85 server key) and sets them on a
 * DEALER socket, which makes it a CurveZMQ client of planqd.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <czmq.h>

#include "send_curve.h"

#define SEND_CURVE_Z85LEN 40
#define SEND_CURVE_NO_SECRET "0000000000000000000000000000000000000000"

/* A 40-character Z85 key that is not also the name of a file. */
static int
send_curve_z85(const char *text, uint8_t out[SEND_CURVE_KEYLEN])
{
	if (strlen(text) != SEND_CURVE_Z85LEN || access(text, F_OK) == 0)
		return -1;
	return zmq_z85_decode(out, text) == NULL ? -1 : 0;
}

static int
send_curve_server(struct send_curve *c, const char *server_key, char *why,
    size_t whylen)
{
	zcert_t *cert;

	if (send_curve_z85(server_key, c->server_public) == 0)
		return 0;
	if ((cert = zcert_load(server_key)) == NULL) {
		snprintf(why, whylen, "--server-key %s is neither a 40-character "
		    "Z85 key nor a certificate file written by 'planq keygen'",
		    server_key);
		return -1;
	}
	memcpy(c->server_public, zcert_public_key(cert), SEND_CURVE_KEYLEN);
	zcert_destroy(&cert);
	return 0;
}

static int
send_curve_client(struct send_curve *c, const char *client_cert, char *why,
    size_t whylen)
{
	zcert_t *cert = zcert_load(client_cert);

	if (cert == NULL) {
		snprintf(why, whylen, "--client-cert %s is not a certificate "
		    "file written by 'planq keygen'", client_cert);
		return -1;
	}
	if (strcmp(zcert_secret_txt(cert), SEND_CURVE_NO_SECRET) == 0) {
		snprintf(why, whylen, "--client-cert %s holds no secret key: "
		    "give the NAME_secret file written by 'planq keygen NAME'",
		    client_cert);
		zcert_destroy(&cert);
		return -1;
	}
	memcpy(c->client_public, zcert_public_key(cert), SEND_CURVE_KEYLEN);
	memcpy(c->client_secret, zcert_secret_key(cert), SEND_CURVE_KEYLEN);
	zcert_destroy(&cert);
	return 0;
}

int
send_curve_load(struct send_curve *c, const char *server_key,
    const char *client_cert, char *why, size_t whylen)
{
	memset(c, 0, sizeof(*c));
	if (server_key == NULL && client_cert == NULL)
		return 0;
	if (server_key == NULL || client_cert == NULL) {
		snprintf(why, whylen, "CurveZMQ needs both --server-key (planqd's "
		    "public key) and --client-cert (this client's NAME_secret)");
		return -1;
	}
	if (send_curve_server(c, server_key, why, whylen) != 0 ||
	    send_curve_client(c, client_cert, why, whylen) != 0) {
		send_curve_clear(c);
		return -1;
	}
	c->enabled = 1;
	return 0;
}

int
send_curve_apply(const struct send_curve *c, void *sock)
{
	if (!c->enabled)
		return 0;
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, c->server_public,
	    SEND_CURVE_KEYLEN) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, c->client_public,
	    SEND_CURVE_KEYLEN) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, c->client_secret,
	    SEND_CURVE_KEYLEN) != 0)
		return -1;
	return 0;
}

void
send_curve_clear(struct send_curve *c)
{
	explicit_bzero(c, sizeof(*c));
}
