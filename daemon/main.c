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

#include "broker.h"
#include "clock.h"
#include "control.h"
#include "curve.h"
#include "front.h"
#include "http.h"
#include "jobwire.h"
#include "log.h"
#include "notify.h"
#include "spool.h"
#include "supervisor.h"
#include "view.h"
#include "workerlink.h"

#define PLANQD_TICK_MS 100

/* The process: its configuration, its phase, and the modules it wires
 * together (each owns its own state; see docs/ARCHITECTURE.md). */
struct planqd {
	struct config		 cfg;
	struct config_flags	 flags;
	zloop_t			*loop;
	int			 sigfd;
	char			 runtime_dir[200];
	int			 own_runtime_dir;
	enum daemon_phase	 phase;
	int64_t			 drain_deadline_ms;
	int			 exit_code;
	struct stats		 stats;
	struct spool_limits	 spool_limits;
	struct spool		*spool;
	struct curve		*curve;
	struct front		*front;
	struct workerlink	*link;
	struct supervisor	*sup;
	struct broker		*broker;
	struct http		*http;
	struct control		*control;
	struct view		 view;
};

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

/* A count flag's value, 1 to max; says what is wrong on stderr. */
static int
flag_int(const char *flag, const char *arg, int max, int *out)
{
	if (config_parse_int(arg, 1, max, out) == 0)
		return 0;
	fprintf(stderr, "planqd: --%s must be 1 to %d\n", flag, max);
	return -1;
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
			if (flag_int("batch-max", optarg, JOBWIRE_BATCH_MAX,
			    &fl->batch_max) != 0)
				return -1;
			break;
		case 'M': fl->metrics_listen = optarg; break;
		case 'v': fl->verbosity++; break;
		case 'q': fl->quiet = 1; break;
		case 'w':
			if (flag_int("workers", optarg, PLANQD_MAX_WORKERS,
			    &fl->workers) != 0)
				return -1;
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
make_runtime_dir(struct planqd *pd)
{
	const char *dir = pd->cfg.runtime_dir ? pd->cfg.runtime_dir :
	    getenv("RUNTIME_DIRECTORY");	/* systemd's RuntimeDirectory= */

	if (dir != NULL) {
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			log_warn("cannot create runtime directory %s", dir);
			return -1;
		}
		snprintf(pd->runtime_dir, sizeof(pd->runtime_dir), "%s", dir);
		return 0;
	}
	snprintf(pd->runtime_dir, sizeof(pd->runtime_dir), "%s/planqd.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(pd->runtime_dir) == NULL) {
		log_warn("cannot create a runtime directory");
		return -1;
	}
	pd->own_runtime_dir = 1;
	return 0;
}

static void
remove_runtime_dir(struct planqd *pd)
{
	char path[sizeof(pd->runtime_dir) + 32];

	if (pd->runtime_dir[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/workers.sock", pd->runtime_dir);
	unlink(path);
	if (pd->own_runtime_dir)
		rmdir(pd->runtime_dir);
}

static int
setup_signals(struct planqd *pd)
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
	pd->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return pd->sigfd < 0 ? -1 : 0;
}

/* ---- events ----------------------------------------------------------- */

static void
begin_drain(struct planqd *pd, const char *why)
{
	if (pd->phase != PHASE_RUNNING)
		return;
	notify_stopping(&pd->view);
	log_notice("%s: no new documents; finishing %d queued and %d in "
	    "flight (up to %d s)", why, broker_queue(pd->broker)->count,
	    supervisor_busy_count(pd->sup), pd->cfg.drain_timeout);
	pd->phase = PHASE_DRAINING;
	pd->drain_deadline_ms = clock_ms() + (int64_t)pd->cfg.drain_timeout *
	    1000;
	broker_stop_taking(pd->broker);	/* replays wait safely on disk */
}

/* A worker said FATAL, or workers cannot start: stop now, exit 1. */
static void
check_failures(struct planqd *pd)
{
	const char *why = supervisor_failure(pd->sup);

	if (pd->phase != PHASE_RUNNING)
		return;
	if (why != NULL)
		log_errx("%s; planqd stops", why);
	else if (broker_fatal(pd->broker) == NULL)
		return;
	pd->exit_code = 1;
	pd->phase = PHASE_DRAINING;
	pd->drain_deadline_ms = clock_ms();
	broker_stop_taking(pd->broker);
}

static void
reap(struct planqd *pd)
{
	struct worker_death deaths[PLANQD_MAX_WORKERS];
	int n = supervisor_reap(pd->sup, deaths, PLANQD_MAX_WORKERS);

	broker_on_deaths(pd->broker, deaths, n);
	check_failures(pd);
}

static void
reload(struct planqd *pd)
{
	struct config fresh;
	char why[512];

	notify_reloading();
	if (config_load(&fresh, &pd->flags, why, sizeof(why)) != 0) {
		log_errx("reload failed, keeping the running configuration: %s",
		    why);
		notify_reloaded(&pd->view);
		return;
	}
	if (default_worker_path(&fresh) != 0) {
		log_errx("reload failed: cannot find the worker program");
		config_clear(&fresh);
		notify_reloaded(&pd->view);
		return;
	}
	log_set_level(fresh.log_level);
	/* sockets stay as they are: a new listen address needs a restart */
	if (fresh.nlisten != pd->cfg.nlisten)
		log_notice("listen endpoints change only on restart");
	config_clear(&pd->cfg);
	pd->cfg = fresh;	/* in place: the modules hold &pd->cfg */
	pd->spool_limits.max_bytes = pd->cfg.spool_max_bytes;
	pd->spool_limits.max_records = (uint64_t)pd->cfg.spool_max_records;
	if (supervisor_build_env(pd->sup) != 0)
		log_errx("reload: out of memory building the worker environment");
	supervisor_resize(pd->sup);
	curve_reload(pd->curve, &pd->cfg);
	broker_reconfigured(pd->broker);
	log_notice("configuration reloaded");
	notify_reloaded(&pd->view);
}

static int
on_signal(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
	struct planqd *pd = arg;
	struct signalfd_siginfo si;
	(void)loop;
	(void)item;

	while (read(pd->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap(pd);
			break;
		case SIGHUP:
			reload(pd);
			break;
		case SIGTERM:
		case SIGINT:
			if (pd->phase == PHASE_RUNNING) {
				begin_drain(pd, si.ssi_signo == SIGTERM ?
				    "SIGTERM" : "SIGINT");
			} else {
				log_notice("second stop signal: stopping now");
				pd->drain_deadline_ms = clock_ms();
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Whether empty worker slots should get a process again. */
static int
wants_workers(const struct planqd *pd)
{
	if (pd->phase == PHASE_RUNNING)
		return 1;
	return pd->phase == PHASE_DRAINING && pd->exit_code == 0 &&
	    broker_queue(pd->broker)->count > 0;
}

static void
drain_tick(struct planqd *pd)
{
	int idle = broker_idle(pd->broker);
	int late = clock_ms() >= pd->drain_deadline_ms;

	if (!idle && late)
		broker_give_up(pd->broker);	/* answers the rest "retry" */
	if (idle || late) {
		pd->phase = PHASE_STOPPING;
		supervisor_stop_all(pd->sup);
	}
}

static int
on_tick(zloop_t *loop, int timer_id, void *arg)
{
	struct planqd *pd = arg;
	(void)loop;
	(void)timer_id;

	supervisor_tick(pd->sup, wants_workers(pd));
	broker_tick(pd->broker);
	http_tick(pd->http);
	notify_tick(&pd->view);
	check_failures(pd);
	if (pd->phase == PHASE_DRAINING)
		drain_tick(pd);
	if (pd->phase == PHASE_STOPPING && supervisor_all_exited(pd->sup))
		return -1;	/* leave the loop */
	return 0;
}

/* ---- main ------------------------------------------------------------- */

static int
open_spool(struct planqd *pd)
{
	pd->spool_limits.max_bytes = pd->cfg.spool_max_bytes;
	pd->spool_limits.max_records = (uint64_t)pd->cfg.spool_max_records;
	if (pd->cfg.spool_dir == NULL)
		return 0;
	pd->spool = spool_open(pd->cfg.spool_dir, &pd->spool_limits);
	return pd->spool != NULL ? 0 : -1;
}

static int
open_loop(struct planqd *pd)
{
	zmq_pollitem_t sigitem = { NULL, 0, ZMQ_POLLIN, 0 };

	if ((pd->loop = zloop_new()) == NULL)
		return -1;
	zloop_set_nonstop(pd->loop, true);
	sigitem.fd = pd->sigfd;
	if (zloop_poller(pd->loop, &sigitem, on_signal, pd) != 0 ||
	    zloop_timer(pd->loop, PLANQD_TICK_MS, 0, on_tick, pd) < 0)
		return -1;
	return 0;
}

/* The modules, in the order each needs the one before. */
static int
open_parts(struct planqd *pd)
{
	struct broker_parts parts;

	if ((pd->front = front_new(&pd->cfg, pd->loop, &pd->stats)) == NULL ||
	    front_open(pd->front, &pd->curve) != 0)
		return -1;
	if ((pd->link = workerlink_open(pd->runtime_dir)) == NULL)
		return -1;
	pd->sup = supervisor_new(&pd->cfg, workerlink_endpoint(pd->link));
	if (pd->sup == NULL || supervisor_build_env(pd->sup) != 0)
		return -1;
	parts = (struct broker_parts){ &pd->cfg, pd->loop, pd->front,
	    pd->link, pd->sup, pd->spool, &pd->stats };
	if ((pd->broker = broker_new(&parts)) == NULL ||
	    broker_start(pd->broker) != 0)
		return -1;
	pd->view = (struct view){ &pd->cfg, pd->sup, pd->broker, pd->spool,
	    &pd->stats, &pd->phase, clock_ms() };
	if (pd->cfg.metrics_listen != NULL && *pd->cfg.metrics_listen != '\0' &&
	    (pd->http = http_open(pd->cfg.metrics_listen, pd->loop,
	    &pd->view)) == NULL)
		return -1;
	pd->control = control_open(pd->cfg.control_socket, pd->runtime_dir,
	    pd->loop, &pd->view);
	return pd->control != NULL ? 0 : -1;
}

static int
planqd_setup(struct planqd *pd)
{
	if (setup_signals(pd) != 0) {
		log_warn("cannot set up signal handling");
		return -1;
	}
	zsys_handler_set(NULL);	/* CZMQ must not install its own */
	zsys_set_logstream(NULL);
	zsys_init();
	if (make_runtime_dir(pd) != 0 || open_spool(pd) != 0 ||
	    open_loop(pd) != 0 || open_parts(pd) != 0)
		return -1;
	supervisor_start(pd->sup);
	log_notice("started: %d workers, max_body %zu, queue %d, worker %s",
	    pd->cfg.workers, pd->cfg.max_body, pd->cfg.queue_max,
	    pd->cfg.worker_path);
	return 0;
}

static void
planqd_teardown(struct planqd *pd)
{
	if (pd->broker != NULL)
		broker_tick(pd->broker);	/* answers what the spool holds */
	control_close(&pd->control);
	http_close(&pd->http);
	broker_destroy(&pd->broker);
	supervisor_destroy(&pd->sup);
	front_destroy(&pd->front);
	workerlink_destroy(&pd->link);
	curve_destroy(&pd->curve);
	spool_close(&pd->spool);
	zloop_destroy(&pd->loop);
	remove_runtime_dir(pd);
	if (pd->sigfd >= 0)
		close(pd->sigfd);
	config_clear(&pd->cfg);
	zsys_shutdown();
}

static void
log_stopped(const struct planqd *pd)
{
	const struct stats *st = &pd->stats;

	log_notice("stopped: received %llu, stored %llu, duplicate %llu, "
	    "rejected %llu, retry %llu, spooled %llu, replayed %llu, "
	    "worker crashes %llu",
	    (unsigned long long)st->received,
	    (unsigned long long)st->by_outcome[OUTCOME_STORED],
	    (unsigned long long)st->by_outcome[OUTCOME_DUPLICATE],
	    (unsigned long long)st->by_outcome[OUTCOME_REJECTED],
	    (unsigned long long)st->by_outcome[OUTCOME_RETRY],
	    (unsigned long long)st->by_outcome[OUTCOME_SPOOLED],
	    (unsigned long long)st->replayed,
	    (unsigned long long)supervisor_counts(pd->sup)->crashes);
}

int
main(int argc, char **argv)
{
	static struct planqd pd;
	char why[512];

	log_init("planqd", LOG_INFO);
	pd.sigfd = -1;
	if (parse_flags(argc, argv, &pd.flags) != 0)
		return 2;
	if (config_load(&pd.cfg, &pd.flags, why, sizeof(why)) != 0) {
		log_errx("%s", why);
		return 2;
	}
	log_set_level(pd.cfg.log_level);
	if (default_worker_path(&pd.cfg) != 0 ||
	    access(pd.cfg.worker_path, X_OK) != 0) {
		log_errx("worker program %s is not executable; set worker_path",
		    pd.cfg.worker_path ? pd.cfg.worker_path : "?");
		config_clear(&pd.cfg);
		return 1;
	}
	if (planqd_setup(&pd) != 0) {
		if (pd.sup != NULL)
			supervisor_stop_all(pd.sup);
		planqd_teardown(&pd);
		return 1;
	}
	zloop_start(pd.loop);
	log_stopped(&pd);
	planqd_teardown(&pd);
	return pd.exit_code;
}
