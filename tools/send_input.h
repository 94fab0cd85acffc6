/*
 * send_input.h: what `planq send` sends.  Turns the FILE|DIR|- operands into
 * an ordered list of documents (paths only; bytes are read one document at
 * a time, just before sending) and builds each document's v1 envelope.
 */
#ifndef PLANQ_SEND_INPUT_H
#define PLANQ_SEND_INPUT_H

#include <stddef.h>

enum send_input_kind {
	SEND_INPUT_FILE,	/* a path to open when its turn comes */
	SEND_INPUT_STDIN,	/* "-" */
	SEND_INPUT_ERROR,	/* could not even be listed; error holds why */
};

struct send_input {
	enum send_input_kind	 kind;
	char			*path;	/* owned: as shown to the user */
	char			*error;	/* owned, SEND_INPUT_ERROR only */
};

struct send_input_list {
	struct send_input	*items;	/* owned */
	size_t			 count;
	size_t			 cap;
};

/* Expands the operands in order (each directory sorted by path).  -1: ENOMEM. */
int	send_input_collect(struct send_input_list *list, char **operands,
	    int noperands);
void	send_input_list_free(struct send_input_list *list);

/* Options that shape every envelope. */
struct send_envelope_opts {
	const char	*content_type;	/* --content-type, or NULL */
	const char	*source_url;	/* --source-url, or NULL */
};

/* A document loaded for sending; every pointer is owned by the document. */
struct send_payload {
	unsigned char	*bytes;
	size_t		 len;
	char		*envelope;	/* compact JSON, NUL-terminated */
};

/*
 * Reads the document's bytes and builds its envelope with the given id.
 * Returns 0, or -1 with a human-readable reason (usually strerror) in why[].
 */
int	send_payload_load(const struct send_input *in, const char *id,
	    const struct send_envelope_opts *opts, struct send_payload *out,
	    char *why, size_t whylen);
void	send_payload_free(struct send_payload *p);

#endif
