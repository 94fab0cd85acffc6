/*
 * flood.c: test tool for the fault suite.  Sends COUNT malformed messages to
 * planqd as fast as it can over one DEALER socket (wrong frame counts, bad
 * JSON, wrong version, wrong types, empty bodies, binary junk), reading
 * replies as they come without ever waiting for them, then waits up to
 * --drain MS for the remaining replies and prints
 *   sent N replies M rejected R other O
 *   flood [--drain MS] [--seed N] ENDPOINT COUNT
 * Exit 0 when everything was sent; 2 on a usage or socket error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static void
flood_send(void *sock, const char *const *frames, const size_t *lens, int n)
{
	for (int i = 0; i < n; i++)
		zmq_send(sock, frames[i], lens[i], i + 1 < n ? ZMQ_SNDMORE : 0);
}

static void
flood_one(void *sock, unsigned *seed)
{
	static const char *envs[] = {
		"not json at all", "[1,2,3]", "{\"v\":2}", "{}",
		"{\"v\":1,\"id\":17}", "{\"v\":\"1\"}", "{\"v\":1,\"source_url\":[]}",
		"{\"v\":1,\"id\":\"x\"", "\xff\xfe\x00garbage",
	};
	const char *frames[4];
	size_t lens[4];
	char junk[256];
	int kind = (int)(rand_r(seed) % 6), n = 2;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(rand_r(seed) & 0xff);
	frames[0] = envs[rand_r(seed) % (sizeof(envs) / sizeof(envs[0]))];
	lens[0] = strlen(frames[0]);
	frames[1] = junk;
	lens[1] = 1 + rand_r(seed) % sizeof(junk);
	switch (kind) {
	case 0:			/* one frame only */
		n = 1;
		break;
	case 1:			/* three frames */
		frames[2] = junk;
		lens[2] = 10;
		n = 3;
		break;
	case 2:			/* good envelope, empty body */
		frames[0] = "{\"v\":1,\"id\":\"flood-empty\"}";
		lens[0] = strlen(frames[0]);
		lens[1] = 0;
		break;
	case 3:			/* empty envelope frame */
		lens[0] = 0;
		break;
	default:		/* bad envelope, junk body */
		break;
	}
	flood_send(sock, frames, lens, n);
}

int
main(int argc, char **argv)
{
	int i = 1, drain = 5000, linger = 0, hwm = 0;
	unsigned seed = (unsigned)time(NULL);
	long count, replies = 0, rejected = 0, other = 0;
	void *ctx, *sock;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--drain") == 0 && i + 1 < argc)
			drain = atoi(argv[++i]);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = (unsigned)strtoul(argv[++i], NULL, 10);
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: flood [--drain MS] [--seed N] "
		    "ENDPOINT COUNT\n");
		return 2;
	}
	count = strtol(argv[i + 1], NULL, 10);
	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	if (zmq_connect(sock, argv[i]) != 0)
		return 2;
	for (long k = 0; k < count || drain > 0;) {
		zmq_pollitem_t item = { sock, 0, ZMQ_POLLIN, 0 };
		char buf[2048];
		int n;

		if (k < count) {
			flood_one(sock, &seed);
			k++;
		}
		while (zmq_poll(&item, 1, k < count ? 0 : 100) > 0) {
			int more = 0;
			size_t moresz = sizeof(more);
			/* a reply to an "empty first frame" message carries
			 * REQ's empty delimiter first: keep the last frame */
			do {
				n = zmq_recv(sock, buf, sizeof(buf) - 1, 0);
				if (n < 0)
					break;
				zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &moresz);
			} while (more);
			if (n < 0)
				break;
			buf[n < (int)sizeof(buf) - 1 ? n : (int)sizeof(buf) - 1] = '\0';
			replies++;
			if (strstr(buf, "\"status\": \"rejected\"") ||
			    strstr(buf, "\"status\":\"rejected\""))
				rejected++;
			else if (other++ == 0)
				fprintf(stderr, "flood: first other reply: %s\n",
				    buf);
			if (k >= count && replies >= count)
				break;
		}
		if (k >= count) {
			if (replies >= count)
				break;
			drain -= 100;
		}
	}
	printf("sent %ld replies %ld rejected %ld other %ld\n", count, replies,
	    rejected, other);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return 0;
}
