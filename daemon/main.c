/*
 * main.c: planqd's process: command line, configuration, signals and the
 * event loop.  Signals set nothing asynchronously: they are blocked and read
 * from a signalfd by the loop, like every other event.
 *   SIGTERM/SIGINT  stop reading, answer what is in flight, stop workers, exit 0
 *                   (a second one answers the rest "retry" and exits at once)
 *   SIGHUP          re-read the config file (worker count, log level, …)
 *   SIGCHLD         reap and respawn workers
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "planqd.h"
#include "spool.h"

#define PLANQD_TICK_MS 100

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: planqd [--listen ENDPOINT]… [--db DSN] [--workers N]\n"
	    "              [--config FILE] [--max-body SIZE] [--runtime-dir DIR]\n"
	    "              [--worker-path PATH] [--spool DIR] [--metrics ADDR:PORT]\n"
	    "              [--batch-max N]\n"
	    "              [-v] [-q]\n"
	    "The database DSN may also come from the config file, PLANQ_DB, or\n"
	    "libpq's own PGHOST/PGDATABASE/… environment.\n");
}

static int
parse_flags(int argc, char **argv, struct config_flags *fl)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "db", required_argument, NULL, 'd' },
		{ "workers", required_argument, NULL, 'w' },
		{ "config", required_argument, NULL, 'c' },
		{ "max-body", required_argument, NULL, 'm' },
		{ "runtime-dir", required_argument, NULL, 'r' },
		{ "worker-path", required_argument, NULL, 'p' },
		{ "spool", required_argument, NULL, 's' },
		{ "batch-max", required_argument, NULL, 'B' },
		{ "metrics", required_argument, NULL, 'M' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	size_t size;
	char *end;
	int c;

	memset(fl, 0, sizeof(*fl));
	while ((c = getopt_long(argc, argv, "l:d:w:c:vqh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (fl->nlisten == CONFIG_MAX_LISTEN) {
				fprintf(stderr, "planqd: at most %d --listen\n",
				    CONFIG_MAX_LISTEN);
				return -1;
			}
			fl->listen[fl->nlisten++] = optarg;
			break;
		case 'd': fl->db = optarg; break;
		case 'c': fl->config_file = optarg; break;
		case 'r': fl->runtime_dir = optarg; break;
		case 'p': fl->worker_path = optarg; break;
		case 's': fl->spool_dir = optarg; break;
		case 'B':
			fl->batch_max = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || fl->batch_max < 1 ||
			    fl->batch_max > 64) {
				fprintf(stderr, "planqd: --batch-max must be 1 "
				    "to 64\n");
				return -1;
			}
			break;
		case 'M': fl->metrics_listen = optarg; break;
		case 'v': fl->verbosity++; break;
		case 'q': fl->quiet = 1; break;
		case 'w':
			fl->workers = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || fl->workers < 1 ||
			    fl->workers > PLANQD_MAX_WORKERS) {
				fprintf(stderr, "planqd: --workers must be 1 to "
				    "%d\n", PLANQD_MAX_WORKERS);
				return -1;
			}
			break;
		case 'm':
			if (config_parse_size(optarg, &size) != 0) {
				fprintf(stderr, "planqd: --max-body must be a "
				    "size such as 8M\n");
				return -1;
			}
			fl->max_body = (long long)size;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* ---- setup ------------------------------------------------------------ */

static int
default_worker_path(struct config *cfg)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n;

	if (cfg->worker_path != NULL)
		return 0;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -1;
	self[n] = '\0';
	snprintf(path, sizeof(path), "%s/planq-worker", dirname(self));
	cfg->worker_path = strdup(path);
	return cfg->worker_path ? 0 : -1;
}

static int
make_runtime_dir(struct daemon *d)
{
	const char *dir = d->cfg.runtime_dir ? d->cfg.runtime_dir :
	    getenv("RUNTIME_DIRECTORY");	/* systemd's RuntimeDirectory= */

	if (dir != NULL) {
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			log_warn("cannot create runtime directory %s", dir);
			return -1;
		}
		snprintf(d->runtime_dir, sizeof(d->runtime_dir), "%s", dir);
		return 0;
	}
	snprintf(d->runtime_dir, sizeof(d->runtime_dir), "%s/planqd.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(d->runtime_dir) == NULL) {
		log_warn("cannot create a runtime directory");
		return -1;
	}
	d->own_runtime_dir = 1;
	return 0;
}

static void
remove_runtime_dir(struct daemon *d)
{
	char path[sizeof(d->runtime_dir) + 32];

	snprintf(path, sizeof(path), "%s/workers.sock", d->runtime_dir);
	unlink(path);
	if (d->own_runtime_dir)
		rmdir(d->runtime_dir);
}

static int
setup_signals(struct daemon *d)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	/* a spool write past RLIMIT_FSIZE must fail with EFBIG, not kill us */
	signal(SIGXFSZ, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* blocked before libzmq starts its threads, so they inherit it */
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return d->sigfd < 0 ? -1 : 0;
}

/* ---- events ----------------------------------------------------------- */

static void
begin_drain(struct daemon *d, const char *why)
{
	if (d->phase != PHASE_RUNNING)
		return;
	notify_stopping(d);
	log_notice("%s: no new documents; finishing %d queued and %d in "
	    "flight (up to %d s)", why, d->queue.count,
	    supervisor_busy_count(d), d->cfg.drain_timeout);
	d->phase = PHASE_DRAINING;
	d->drain_deadline_ms = now_ms() + (int64_t)d->cfg.drain_timeout * 1000;
	broker_release_replays(d);	/* they wait safely on disk */
	broker_update_reading(d);
}

static void
reload(struct daemon *d)
{
	struct config fresh;
	char why[512];

	notify_reloading(d);
	if (config_load(&fresh, &d->flags, why, sizeof(why)) != 0) {
		log_errx("reload failed, keeping the running configuration: %s",
		    why);
		notify_reloaded(d);
		return;
	}
	if (default_worker_path(&fresh) != 0) {
		log_errx("reload failed: cannot find the worker program");
		config_clear(&fresh);
		notify_reloaded(d);
		return;
	}
	log_set_level(fresh.log_level);
	/* sockets stay as they are: a new listen address needs a restart */
	if (fresh.nlisten != d->cfg.nlisten)
		log_notice("listen endpoints change only on restart");
	config_clear(&d->cfg);
	d->cfg = fresh;
	if (supervisor_build_env(d) != 0)
		log_errx("reload: out of memory building the worker environment");
	supervisor_resize(d);
	curve_reload(d);
	broker_update_reading(d);
	broker_dispatch(d);
	log_notice("configuration reloaded");
	notify_reloaded(d);
}

static int
on_signal(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;
	(void)loop;
	(void)item;

	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			supervisor_reap(d);
			break;
		case SIGHUP:
			reload(d);
			break;
		case SIGTERM:
		case SIGINT:
			if (d->phase == PHASE_RUNNING) {
				begin_drain(d, si.ssi_signo == SIGTERM ?
				    "SIGTERM" : "SIGINT");
			} else {
				log_notice("second stop signal: stopping now");
				d->drain_deadline_ms = now_ms();
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Past the drain deadline: answer what remains "retry" and stop. */
static void
drain_give_up(struct daemon *d)
{
	for (int i = 0; i < d->nslots; i++) {
		struct worker *w = &d->workers[i];
		if (w->job == NULL)
			continue;
		while (w->job != NULL) {
			struct job *job = w->job;
			w->job = job->next;
			broker_reply_status(d, job, "retry",
			    "planqd stopped before this document was finished; "
			    "send it again");
			job_free(&job);
		}
		w->njobs = 0;
		if (w->pid > 0)
			kill(w->pid, SIGKILL);
	}
	broker_fail_all(d, "retry", "planqd is shutting down; send again later");
}

static int
on_tick(zloop_t *loop, int timer_id, void *arg)
{
	struct daemon *d = arg;
	(void)loop;
	(void)timer_id;

	supervisor_tick(d);
	spool_flush(d);
	broker_dispatch(d);
	metrics_tick(d);
	notify_tick(d);
	if (d->phase == PHASE_DRAINING) {
		int idle = d->queue.count == 0 && supervisor_busy_count(d) == 0;
		if (!idle && now_ms() >= d->drain_deadline_ms)
			drain_give_up(d);
		if (idle || now_ms() >= d->drain_deadline_ms) {
			d->phase = PHASE_STOPPING;
			supervisor_stop_all(d);
		}
	}
	if (d->phase == PHASE_STOPPING && supervisor_all_exited(d))
		return -1;	/* leave the loop */
	return 0;
}

/* ---- main ------------------------------------------------------------- */

static int
daemon_setup(struct daemon *d)
{
	zmq_pollitem_t sigitem = { NULL, 0, ZMQ_POLLIN, 0 };

	if (setup_signals(d) != 0) {
		log_warn("cannot set up signal handling");
		return -1;
	}
	zsys_handler_set(NULL);	/* CZMQ must not install its own */
	zsys_set_logstream(NULL);
	zsys_init();
	if (make_runtime_dir(d) != 0 || supervisor_build_env(d) != 0 ||
	    spool_open(d) != 0)
		return -1;
	if ((d->loop = zloop_new()) == NULL)
		return -1;
	zloop_set_nonstop(d->loop, true);
	sigitem.fd = d->sigfd;
	if (zloop_poller(d->loop, &sigitem, on_signal, d) != 0 ||
	    zloop_timer(d->loop, PLANQD_TICK_MS, 0, on_tick, d) < 0)
		return -1;
	if (broker_open(d) != 0 || metrics_open(d) != 0 || control_open(d) != 0)
		return -1;
	supervisor_start(d);
	log_notice("started: %d workers, max_body %zu, queue %d, worker %s",
	    d->cfg.workers, d->cfg.max_body, d->cfg.queue_max,
	    d->cfg.worker_path);
	return 0;
}

static void
daemon_teardown(struct daemon *d)
{
	struct job *job;

	while ((job = queue_pop(&d->queue)) != NULL)
		job_free(&job);
	for (int i = 0; i < d->nslots; i++) {
		while (d->workers[i].job != NULL) {
			job = d->workers[i].job;
			d->workers[i].job = job->next;
			job_free(&job);
		}
	}
	spool_close(d);
	control_close(d);
	metrics_close(d);
	broker_close(d);
	curve_close(d);
	zloop_destroy(&d->loop);
	remove_runtime_dir(d);
	for (char **e = d->worker_env; e && *e; e++)
		free(*e);
	free(d->worker_env);
	if (d->sigfd >= 0)
		close(d->sigfd);
	config_clear(&d->cfg);
	zsys_shutdown();
}

int
main(int argc, char **argv)
{
	static struct daemon d;
	char why[512];

	log_init("planqd", LOG_INFO);
	d.sigfd = -1;
	if (parse_flags(argc, argv, &d.flags) != 0)
		return 2;
	if (config_load(&d.cfg, &d.flags, why, sizeof(why)) != 0) {
		log_errx("%s", why);
		return 2;
	}
	log_set_level(d.cfg.log_level);
	if (default_worker_path(&d.cfg) != 0 ||
	    access(d.cfg.worker_path, X_OK) != 0) {
		log_errx("worker program %s is not executable; set worker_path",
		    d.cfg.worker_path ? d.cfg.worker_path : "?");
		config_clear(&d.cfg);
		return 1;
	}
	if (daemon_setup(&d) != 0) {
		supervisor_stop_all(&d);
		daemon_teardown(&d);
		return 1;
	}
	zloop_start(d.loop);
	log_notice("stopped: received %llu, stored %llu, duplicate %llu, "
	    "rejected %llu, retry %llu, spooled %llu, replayed %llu, "
	    "worker crashes %llu",
	    (unsigned long long)d.count.received,
	    (unsigned long long)d.count.stored,
	    (unsigned long long)d.count.duplicate,
	    (unsigned long long)d.count.rejected,
	    (unsigned long long)d.count.retry,
	    (unsigned long long)d.count.spooled,
	    (unsigned long long)d.count.replayed,
	    (unsigned long long)d.count.crashes);
	daemon_teardown(&d);
	return d.exit_code;
}
