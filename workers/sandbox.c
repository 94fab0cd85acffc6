/*
 * sandbox.c: what a worker gives up before it parses untrusted bytes:
 * resource limits (address space, descriptors, no core files, no new
 * processes), no privilege gain, not dumpable, and a seccomp-bpf allow-list
 * of the system calls the receive loop, the parser and libpq's reconnect
 * need.  Anything else (execve, fork, writing a file, …) kills the process
 * with SIGSYS.  The allow-list was taken from strace of real workers
 * (docs/OPERATIONS.md, "Security").
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <seccomp.h>

#include "log.h"
#include "sandbox.h"

#define SANDBOX_FD_MARGIN 64

/*
 * Under ASan/LSan or valgrind the sandbox keeps only what does not fight the
 * tool: they need a huge address space, high descriptors, threads, ptrace
 * and executable mappings of their own.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif
#ifndef SANDBOX_SANITIZER
#define SANDBOX_SANITIZER 0
#endif

/* valgrind preloads its vgpreload_*.so into the program it runs */
static int
sandbox_under_valgrind(void)
{
	const char *preload = getenv("LD_PRELOAD");

	return preload != NULL && strstr(preload, "vgpreload") != NULL;
}

/* The tool that rules out the full sandbox, or NULL. */
static const char *
sandbox_instrumented(void)
{
	if (SANDBOX_SANITIZER)
		return "a sanitizer build";
	if (sandbox_under_valgrind())
		return "valgrind";
	return NULL;
}

/* ---- resource limits --------------------------------------------------- */

static int
sandbox_setrlimit(int resource, rlim_t value, const char *name, char *why,
    size_t whylen)
{
	struct rlimit rl = { value, value };

	if (setrlimit(resource, &rl) != 0) {
		snprintf(why, whylen, "sandbox: cannot set %s to %llu: %s; "
		    "set worker_sandbox = 0 to run without the sandbox", name,
		    (unsigned long long)value, strerror(errno));
		return -1;
	}
	return 0;
}

/* The highest open descriptor + 1, from /proc/self/fd; -1 if unreadable. */
static int
sandbox_fd_ceiling(void)
{
	struct dirent *de;
	DIR *dp;
	int top = -1;

	if ((dp = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL) {
		int fd = (int)strtol(de->d_name, NULL, 10);

		if (de->d_name[0] >= '0' && de->d_name[0] <= '9' && fd > top)
			top = fd;
	}
	closedir(dp);
	return top + 1;
}

/* No core files (documents and DSNs would land on disk), no new processes
 * (per user: a second wall behind seccomp; libzmq's threads exist already). */
static int
sandbox_basic_limits(char *why, size_t whylen)
{
	if (sandbox_setrlimit(RLIMIT_CORE, 0, "RLIMIT_CORE", why, whylen) != 0 ||
	    sandbox_setrlimit(RLIMIT_NPROC, 0, "RLIMIT_NPROC", why, whylen) != 0)
		return -1;
	return 0;
}

/* Descriptors: those open now plus a margin for libpq's reconnects. */
static int
sandbox_tight_limits(const struct sandbox_opts *opts, char *why, size_t whylen)
{
	int fds = sandbox_fd_ceiling();

	if (fds < 0)
		fds = 64;
	if (sandbox_setrlimit(RLIMIT_NOFILE, (rlim_t)fds + SANDBOX_FD_MARGIN,
	    "RLIMIT_NOFILE", why, whylen) != 0)
		return -1;
	if (opts->max_memory == 0)
		return 0;
	return sandbox_setrlimit(RLIMIT_AS, (rlim_t)opts->max_memory,
	    "RLIMIT_AS (worker_max_memory)", why, whylen);
}

/* ---- code loaded on demand -------------------------------------------- */

/*
 * glibc's iconv loads a gconv module (code: an mmap with PROT_EXEC) the
 * first time a charset is used, and the filter forbids executable mappings.
 * So every converter the decoder can ask for (parse/decode.c,
 * decode_map_label) is opened now and kept open for the life of the worker.
 * A charset missing here is not a crash: its module's mapping fails with
 * EPERM, iconv_open fails and the document is answered "undecodable".
 */
static const char *const sandbox_charsets[] = {
	"CP932", "EUC-JP-MS", "ISO-2022-JP-3", "ISO-2022-JP-2",
	"UTF-16", "UTF-16LE", "UTF-16BE",
};
static iconv_t sandbox_iconv[sizeof(sandbox_charsets) /
    sizeof(sandbox_charsets[0])];

static void
sandbox_preload(void)
{
	for (size_t i = 0; i < sizeof(sandbox_charsets) /
	    sizeof(sandbox_charsets[0]); i++) {
		sandbox_iconv[i] = iconv_open("UTF-8", sandbox_charsets[i]);
		if (sandbox_iconv[i] == (iconv_t)-1)
			log_warnx("sandbox: iconv has no %s; such documents "
			    "will be undecodable", sandbox_charsets[i]);
	}
}

/* ---- seccomp ----------------------------------------------------------- */

/*
 * Allowed without conditions: what strace showed workers doing after setup
 * (the receive loop and libzmq's I/O threads, the parser, libpq's queries
 * and its reconnect after a database restart over a unix socket or TCP,
 * with /etc/hosts, openssl.cnf and GSSAPI configuration read), plus close
 * relatives glibc may pick instead (ppoll for poll, newfstatat for fstat).
 */
static const int sandbox_allowed[] = {
	/* memory */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	/* I/O on descriptors we have, metadata of files we may read */
	SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(write), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(lseek), SCMP_SYS(close), SCMP_SYS(fcntl),
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx),
	SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(access),
	SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(getdents64),
	/* waiting */
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(select), SCMP_SYS(pselect6),
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(futex), SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(sched_yield), SCMP_SYS(eventfd2),
	/* sockets: send, receive, and reconnect (libpq, libzmq, DNS) */
	SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(sendmsg),
	SCMP_SYS(recvmsg), SCMP_SYS(sendmmsg), SCMP_SYS(recvmmsg),
	SCMP_SYS(connect), SCMP_SYS(getsockopt), SCMP_SYS(setsockopt),
	SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(shutdown),
	/* time, identity, randomness */
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getuid),
	SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
	SCMP_SYS(getrandom), SCMP_SYS(uname),
	/* signals and leaving */
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigaction), SCMP_SYS(restart_syscall),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* the first calls of a thread: libzmq's threads are created before
	 * the filter but may not have run yet when it is loaded */
	SCMP_SYS(rseq), SCMP_SYS(set_robust_list), SCMP_SYS(sched_getparam),
	SCMP_SYS(sched_getscheduler),
};

/* Adds one rule; on failure says which system call. */
static int
sandbox_rule(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned n,
    const struct scmp_arg_cmp *cmp, char *why, size_t whylen)
{
	int rc = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	char *name;

	if (rc == 0)
		return 0;
	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	snprintf(why, whylen, "sandbox: cannot add the seccomp rule for %s: "
	    "%s", name ? name : "?", strerror(-rc));
	free(name);
	return -1;
}

static int
sandbox_add(scmp_filter_ctx ctx, int nr, unsigned n,
    const struct scmp_arg_cmp *cmp, char *why, size_t whylen)
{
	return sandbox_rule(ctx, SCMP_ACT_ALLOW, nr, n, cmp, why, whylen);
}

/*
 * Rules that look at arguments: no executable memory (EPERM, so that a
 * library loading code on demand fails instead of killing the worker), no
 * opening for writing, sockets only of the families libpq and libzmq use,
 * ioctl only to ask how much is readable (the resolver), none on a tty.
 */
static int
sandbox_add_conditional(scmp_filter_ctx ctx, char *why, size_t whylen)
{
	const scmp_datum_t wflags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC |
	    O_APPEND | O_TMPFILE;
	const struct {
		int			nr;
		struct scmp_arg_cmp	cmp;
	} rules[] = {
		{ SCMP_SYS(mmap), SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0) },
		{ SCMP_SYS(mprotect), SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0) },
		{ SCMP_SYS(open), SCMP_A1(SCMP_CMP_MASKED_EQ, wflags, 0) },
		{ SCMP_SYS(openat), SCMP_A2(SCMP_CMP_MASKED_EQ, wflags, 0) },
		{ SCMP_SYS(socket), SCMP_A0(SCMP_CMP_EQ, AF_UNIX) },
		{ SCMP_SYS(socket), SCMP_A0(SCMP_CMP_EQ, AF_INET) },
		{ SCMP_SYS(socket), SCMP_A0(SCMP_CMP_EQ, AF_INET6) },
		{ SCMP_SYS(ioctl), SCMP_A1(SCMP_CMP_EQ, FIONREAD) },
		/* a starting libzmq thread re-applies the default scheduling
		 * policy and names itself */
		{ SCMP_SYS(sched_setscheduler), SCMP_A1(SCMP_CMP_EQ, SCHED_OTHER) },
		{ SCMP_SYS(prctl), SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME) },
	};

	const struct scmp_arg_cmp exec2 =
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC);
	const struct scmp_arg_cmp not_fionread = SCMP_A1(SCMP_CMP_NE, FIONREAD);
	/* raise() and abort() signal this process, nobody else */
	const struct scmp_arg_cmp self = SCMP_A0(SCMP_CMP_EQ,
	    (scmp_datum_t)getpid());

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (sandbox_add(ctx, rules[i].nr, 1, &rules[i].cmp, why,
		    whylen) != 0)
			return -1;
	if (sandbox_rule(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mmap), 1,
	    &exec2, why, whylen) != 0 ||
	    sandbox_rule(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mprotect), 1,
	    &exec2, why, whylen) != 0 ||
	    sandbox_rule(ctx, SCMP_ACT_ERRNO(ENOTTY), SCMP_SYS(ioctl), 1,
	    &not_fionread, why, whylen) != 0 ||
	    sandbox_add(ctx, SCMP_SYS(tgkill), 1, &self, why, whylen) != 0)
		return -1;
	return 0;
}

static int
sandbox_build(scmp_filter_ctx ctx, char *why, size_t whylen)
{
	/* every thread, also libzmq's I/O threads started before us */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) != 0) {
		snprintf(why, whylen, "sandbox: this libseccomp cannot filter "
		    "all threads (TSYNC)");
		return -1;
	}
	for (size_t i = 0; i < sizeof(sandbox_allowed) /
	    sizeof(sandbox_allowed[0]); i++)
		if (sandbox_add(ctx, sandbox_allowed[i], 0, NULL, why,
		    whylen) != 0)
			return -1;
	return sandbox_add_conditional(ctx, why, whylen);
}

static int
sandbox_seccomp(char *why, size_t whylen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc;

	if (ctx == NULL) {
		snprintf(why, whylen, "sandbox: seccomp_init failed");
		return -1;
	}
	if (sandbox_build(ctx, why, whylen) != 0) {
		seccomp_release(ctx);
		return -1;
	}
	if ((rc = seccomp_load(ctx)) != 0)
		snprintf(why, whylen, "sandbox: cannot load the seccomp filter: "
		    "%s; the kernel needs CONFIG_SECCOMP_FILTER, or set "
		    "worker_sandbox = 0", strerror(-rc));
	seccomp_release(ctx);
	return rc == 0 ? 0 : -1;
}

/* ---- entry ------------------------------------------------------------- */

int
sandbox_enter(const struct sandbox_opts *opts, char *why, size_t whylen)
{
	const char *tool = sandbox_instrumented();

	if (!opts->enabled) {
		log_notice("sandbox off (--no-sandbox): this worker parses "
		    "untrusted documents without seccomp or limits");
		return 0;
	}
	if (sandbox_basic_limits(why, whylen) != 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		snprintf(why, whylen, "sandbox: prctl: %s", strerror(errno));
		return -1;
	}
	if (tool != NULL) {
		log_info("sandbox: running under %s: no seccomp filter, "
		    "RLIMIT_AS or RLIMIT_NOFILE", tool);
		return 0;
	}
	sandbox_preload();
	if (sandbox_tight_limits(opts, why, whylen) != 0 ||
	    sandbox_seccomp(why, whylen) != 0)
		return -1;
	log_debug("sandbox on: seccomp allow-list, RLIMIT_AS %zu bytes",
	    opts->max_memory);
	return 0;
}
