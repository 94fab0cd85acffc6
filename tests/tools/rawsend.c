/*
 * rawsend.c: test tool.  Sends one message of arbitrary frames to planqd and
 * prints the reply frame(s), so tests can send what a well-behaved client
 * never would (missing or extra frames, bad envelopes, huge bodies).
 *   rawsend [--req] [--timeout MS] [--no-wait] ENDPOINT FRAME…
 * A FRAME is literal text, "@PATH" for a file's bytes, "%N" for N bytes of
 * 'x', or "" for an empty frame.  Exit 0 if a reply came, 3 on timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static char *
rawsend_frame(const char *arg, size_t *len)
{
	char *buf;

	if (arg[0] == '@') {
		FILE *f = fopen(arg + 1, "rb");
		long n;
		if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
			perror(arg + 1);
			exit(2);
		}
		rewind(f);
		buf = malloc((size_t)n + 1);
		if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
			exit(2);
		fclose(f);
		*len = (size_t)n;
		return buf;
	}
	if (arg[0] == '%') {
		*len = strtoul(arg + 1, NULL, 10);
		buf = malloc(*len + 1);
		if (buf == NULL)
			exit(2);
		memset(buf, 'x', *len);
		return buf;
	}
	*len = strlen(arg);
	return strdup(arg);
}

int
main(int argc, char **argv)
{
	int i = 1, req = 0, timeout = 10000, wait = 1, linger = 5000;
	void *ctx, *sock;
	const char *endpoint;
	zmq_pollitem_t item;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--req") == 0)
			req = 1;
		else if (strcmp(argv[i], "--no-wait") == 0)
			wait = 0;
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			timeout = atoi(argv[++i]);
	}
	if (i >= argc) {
		fprintf(stderr, "usage: rawsend [--req] [--timeout MS] "
		    "[--no-wait] ENDPOINT FRAME…\n");
		return 2;
	}
	endpoint = argv[i++];
	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, req ? ZMQ_REQ : ZMQ_DEALER);
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_connect(sock, endpoint) != 0)
		return 2;
	for (int k = i; k < argc; k++) {
		size_t len;
		char *data = rawsend_frame(argv[k], &len);
		zmq_send(sock, data, len, k + 1 < argc ? ZMQ_SNDMORE : 0);
		free(data);
	}
	if (i == argc)	/* no frames: send a single empty one */
		zmq_send(sock, "", 0, 0);
	if (!wait) {
		zmq_close(sock);
		zmq_ctx_term(ctx);
		return 0;
	}
	item.socket = sock;
	item.events = ZMQ_POLLIN;
	if (zmq_poll(&item, 1, timeout) <= 0) {
		fprintf(stderr, "rawsend: no reply within %d ms\n", timeout);
		return 3;
	}
	for (int more = 1; more;) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, 0) < 0)
			return 2;
		fwrite(zmq_msg_data(&m), 1, zmq_msg_size(&m), stdout);
		putchar('\n');
		more = zmq_msg_more(&m);
		zmq_msg_close(&m);
	}
	linger = 0;
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return 0;
}
