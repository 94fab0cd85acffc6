/*
 * send_curve.h: CurveZMQ for `planq send`: the server's public key and the
 * client's key pair, loaded from --server-key and --client-cert and applied
 * to every DEALER socket send_wire.c opens.
 */
#ifndef PLANQ_SEND_CURVE_H
#define PLANQ_SEND_CURVE_H

#include <stddef.h>
#include <stdint.h>

#define SEND_CURVE_KEYLEN 32

struct send_curve {
	int	 enabled;
	uint8_t	 server_public[SEND_CURVE_KEYLEN];
	uint8_t	 client_public[SEND_CURVE_KEYLEN];
	uint8_t	 client_secret[SEND_CURVE_KEYLEN];
};

/*
 * server_key: a Z85 public key (40 characters) or a certificate file;
 * client_cert: a secret certificate file (NAME_secret from planq keygen).
 * Both NULL: plaintext.  -1 with why[] if one is missing or unusable.
 */
int	send_curve_load(struct send_curve *c, const char *server_key,
	    const char *client_cert, char *why, size_t whylen);
/* Sets the Curve options on a socket before it connects.  0 or -1. */
int	send_curve_apply(const struct send_curve *c, void *sock);
/* Wipes the keys. */
void	send_curve_clear(struct send_curve *c);

#endif
