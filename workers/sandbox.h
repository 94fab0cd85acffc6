/*
 * sandbox.h: what a worker gives up before its first document: resource
 * limits and a seccomp-bpf allow-list (workers parse untrusted bytes).
 */
#ifndef PLANQ_SANDBOX_H
#define PLANQ_SANDBOX_H

#include <stddef.h>

struct sandbox_opts {
	int	 enabled;
	size_t	 max_memory;	/* RLIMIT_AS in bytes, 0: leave as is */
};

/* Called once the database and the daemon socket are connected.
 * Returns 0, or -1 with why[] (the worker then says FATAL). */
int	sandbox_enter(const struct sandbox_opts *opts, char *why, size_t whylen);

#endif
