/*
 * supervisor.c: the workers' lives (supervisor.h).  Starts each worker by
 * fork+exec into a numbered slot, reaps it on SIGCHLD, respawns with
 * backoff, kills workers stuck parsing past job_timeout, and grows or
 * shrinks the pool on reload.  A worker that cannot start at all makes
 * supervisor_failure() say why.  Time a worker spends waiting for the
 * database (after it said STORING) is bounded by the worker itself
 * (statement_timeout, db_retry_seconds); only a worker that outlives even
 * that is killed, and its death is reported as a database stall, which
 * blames no document.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "jobwire.h"
#include "log.h"
#include "supervisor.h"

#define SUPERVISOR_BACKOFF_MIN_MS	100
#define SUPERVISOR_BACKOFF_MAX_MS	10000
#define SUPERVISOR_MAX_START_FAILURES	5
#define SUPERVISOR_READY_TIMEOUT_MS	30000

extern char **environ;

struct supervisor {
	const struct config	*cfg;
	char			 back_endpoint[256];
	char			**env;		/* environ + PLANQ_DB */
	struct worker		 workers[PLANQD_MAX_WORKERS];
	int			 nslots;	/* in use (>= cfg->workers) */
	int			 stopping;	/* stop_all: no more work */
	char			 failure[160];	/* workers cannot start */
	struct supervisor_counts count;
	int64_t			 busy_ms_ended;	/* of the busy spans over */
};

struct supervisor *
supervisor_new(const struct config *cfg, const char *back_endpoint)
{
	struct supervisor *sup = calloc(1, sizeof(*sup));

	if (sup == NULL)
		return NULL;
	sup->cfg = cfg;
	snprintf(sup->back_endpoint, sizeof(sup->back_endpoint), "%s",
	    back_endpoint);
	return sup;
}

static void
supervisor_free_env(char **env)
{
	for (char **e = env; e && *e; e++)
		free(*e);
	free(env);
}

void
supervisor_destroy(struct supervisor **supp)
{
	struct supervisor *sup = *supp;

	if (sup == NULL)
		return;
	for (int i = 0; i < sup->nslots; i++)
		job_free_chain(&sup->workers[i].job);
	supervisor_free_env(sup->env);
	free(sup);
	*supp = NULL;
}

/* ---- environment and exec --------------------------------------------- */

/*
 * The worker's environment: ours, with PLANQ_DB set to the configured DSN
 * (never on the command line, where ps would show a password).
 */
int
supervisor_build_env(struct supervisor *sup)
{
	size_t n = 0, i = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	if ((env = calloc(n + 2, sizeof(char *))) == NULL)
		return -1;
	for (size_t k = 0; k < n; k++) {
		if (strncmp(environ[k], JOBWIRE_ENV_DB "=",
		    sizeof(JOBWIRE_ENV_DB)) == 0)
			continue;
		if ((env[i++] = strdup(environ[k])) == NULL)
			goto fail;
	}
	if (sup->cfg->db != NULL) {
		size_t len = sizeof(JOBWIRE_ENV_DB) + strlen(sup->cfg->db) + 1;
		if ((env[i] = malloc(len)) == NULL)
			goto fail;
		snprintf(env[i++], len, "%s=%s", JOBWIRE_ENV_DB, sup->cfg->db);
	}
	supervisor_free_env(sup->env);
	sup->env = env;
	return 0;
fail:
	supervisor_free_env(env);
	return -1;
}

/* The worker's command line, built before fork() (the child only execs). */
struct worker_argv {
	char	*argv[16];
	char	 memory[32];
	char	 retry[16];
	char	 db_timeout[16];
};

static void
supervisor_build_argv(struct supervisor *sup, struct worker *w,
    struct worker_argv *a)
{
	const struct config *cfg = sup->cfg;
	int argc = 0;

	snprintf(a->memory, sizeof(a->memory), "%zu", cfg->worker_max_memory);
	snprintf(a->retry, sizeof(a->retry), "%d", cfg->db_retry_seconds);
	snprintf(a->db_timeout, sizeof(a->db_timeout), "%d", cfg->db_timeout);
	a->argv[argc++] = cfg->worker_path;
	a->argv[argc++] = "--broker";
	a->argv[argc++] = sup->back_endpoint;
	a->argv[argc++] = "--id";
	a->argv[argc++] = w->identity;
	if (cfg->log_level >= LOG_DEBUG)
		a->argv[argc++] = "-v";
	if (!cfg->worker_sandbox)
		a->argv[argc++] = "--no-sandbox";
	a->argv[argc++] = "--max-memory";
	a->argv[argc++] = a->memory;
	a->argv[argc++] = "--db-retry-seconds";
	a->argv[argc++] = a->retry;
	a->argv[argc++] = "--db-timeout";
	a->argv[argc++] = a->db_timeout;
	a->argv[argc] = NULL;
}

/*
 * In the child: async-signal-safe calls only, then exec.  The worker is
 * told of planqd's death (SIGTERM) from before the exec on: set in the
 * worker itself, a planqd killed while the worker starts would leave it
 * orphaned for good, connected to nothing.
 */
static void
supervisor_exec_child(const char *path, char **argv, char **env,
    pid_t daemon_pid)
{
	sigset_t none;

	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != daemon_pid)
		_exit(0);	/* planqd is already gone */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* the daemon's sockets and files are not the worker's business */
	if (close_range(3, ~0U, 0) != 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	execve(path, argv, env);
	_exit(127);
}

/* The worker holds no batch any more (its documents went elsewhere). */
static void
supervisor_clear_batches(struct worker *w)
{
	w->job = NULL;
	w->njobs = 0;
	w->first_left = 0;
	w->alone = 0;
	w->storing = 0;
	w->second = 0;
	w->second_parsing = 0;
	w->second_storing = 0;
}

/* The worker holds no documents from now: its busy span is over. */
static void
supervisor_busy_end(struct supervisor *sup, struct worker *w)
{
	if (w->busy_since_ms == 0)
		return;
	sup->busy_ms_ended += clock_ms() - w->busy_since_ms;
	w->busy_since_ms = 0;
}

static int
supervisor_spawn(struct supervisor *sup, struct worker *w)
{
	struct worker_argv argv;
	pid_t pid, daemon_pid;

	w->gen++;
	/* planqd's pid in the name: a worker of an earlier planqd that
	 * reconnects to this one's socket can never pass for one of ours */
	snprintf(w->identity, sizeof(w->identity), "w%d.%u-%d", w->slot,
	    w->gen, (int)getpid());
	memset(&argv, 0, sizeof(argv));
	supervisor_build_argv(sup, w, &argv);
	daemon_pid = getpid();
	pid = fork();
	if (pid < 0) {
		log_warn("cannot fork worker %s", w->identity);
		w->failures++;
		w->respawn_at_ms = clock_ms() + SUPERVISOR_BACKOFF_MAX_MS;
		return -1;
	}
	if (pid == 0)
		supervisor_exec_child(sup->cfg->worker_path, argv.argv, sup->env,
		    daemon_pid);
	w->pid = pid;
	w->state = WORKER_STARTING;
	w->timed_out = 0;
	w->db_stalled = 0;
	supervisor_clear_batches(w);
	w->spawned_ms = clock_ms();
	log_debug("worker %s started (pid %d)", w->identity, (int)pid);
	return 0;
}

void
supervisor_start(struct supervisor *sup)
{
	sup->nslots = sup->cfg->workers;
	for (int i = 0; i < sup->nslots; i++) {
		sup->workers[i].slot = i;
		supervisor_spawn(sup, &sup->workers[i]);
	}
}

/* ---- lookups and transitions ------------------------------------------ */

struct worker *
supervisor_find(struct supervisor *sup, const char *identity)
{
	for (int i = 0; i < sup->nslots; i++)
		if (sup->workers[i].state != WORKER_EMPTY &&
		    strcmp(sup->workers[i].identity, identity) == 0)
			return &sup->workers[i];
	return NULL;
}

struct worker *
supervisor_idle(struct supervisor *sup)
{
	for (int i = 0; i < sup->nslots; i++)
		if (sup->workers[i].state == WORKER_IDLE &&
		    !sup->workers[i].retire)
			return &sup->workers[i];
	return NULL;
}

struct worker *
supervisor_second_slot(struct supervisor *sup, int64_t max_wait_ms)
{
	int64_t now = clock_ms();

	for (int i = 0; i < sup->nslots; i++) {
		struct worker *w = &sup->workers[i];

		if (w->state == WORKER_BUSY && !w->retire && w->storing &&
		    !w->alone && w->second == 0 && w->first_left > 0 &&
		    now - w->store_started_ms < max_wait_ms)
			return w;
	}
	return NULL;
}

void
supervisor_ready(struct worker *w)
{
	if (w->state != WORKER_STARTING)
		return;
	w->state = WORKER_IDLE;
	w->failures = 0;
	log_info("worker %s ready (pid %d)", w->identity, (int)w->pid);
}

void
supervisor_parsing(struct worker *w)
{
	if (w->state != WORKER_BUSY || w->second == 0 || w->second_parsing)
		return;
	w->second_parsing = 1;
	w->second_started_ms = clock_ms();
}

/* The worker says STORING for its batches in the order it got them. */
void
supervisor_storing(struct worker *w)
{
	if (w->state != WORKER_BUSY)
		return;
	if (!w->storing) {
		w->storing = 1;
		w->store_started_ms = clock_ms();
	} else if (w->second > 0 && !w->second_storing) {
		w->second_parsing = 1;
		w->second_storing = 1;
	}
}

void
supervisor_assign(struct worker *w, struct job *batch, int count, int alone)
{
	struct job **tail = &w->job;

	if (w->state == WORKER_BUSY && w->job != NULL) {
		while (*tail != NULL)
			tail = &(*tail)->next;
		*tail = batch;
		w->njobs += count;
		w->second = count;
		w->second_parsing = 0;
		w->second_storing = 0;
		return;
	}
	supervisor_clear_batches(w);
	w->state = WORKER_BUSY;
	w->job = batch;
	w->njobs = count;
	w->first_left = count;
	w->alone = alone;
	w->job_started_ms = clock_ms();
	w->busy_since_ms = w->job_started_ms;
}

/* The first batch is answered: the second (if any) takes its place. */
static void
supervisor_promote(struct worker *w)
{
	int64_t now = clock_ms();

	w->first_left = w->second;
	w->alone = 0;
	/* the worker takes the batch in hand now, if it had not yet */
	w->job_started_ms = w->second_parsing ? w->second_started_ms : now;
	w->storing = w->second_storing;
	w->store_started_ms = now;	/* it waits for the database from now */
	w->second = 0;
	w->second_parsing = 0;
	w->second_storing = 0;
}

static void
supervisor_retire(struct worker *w)
{
	w->retire = 1;
	if (w->pid > 0 && w->state != WORKER_BUSY) {
		w->state = WORKER_STOPPING;
		kill(w->pid, SIGTERM);
	}
}

struct job *
supervisor_answered(struct supervisor *sup, struct worker *w, uint64_t id)
{
	struct job *job = NULL, **pp = &w->job;
	int pos = 0;

	for (; *pp != NULL; pp = &(*pp)->next, pos++)
		if ((*pp)->id == id)
			break;
	if (*pp == NULL)
		return NULL;
	job = *pp;
	*pp = job->next;
	job->next = NULL;
	w->njobs--;
	w->done++;
	if (pos < w->first_left)
		w->first_left--;
	else if (w->second > 0)
		w->second--;
	if (w->first_left == 0 && w->second > 0)
		supervisor_promote(w);
	if (w->job != NULL)
		return job;
	supervisor_busy_end(sup, w);
	supervisor_clear_batches(w);
	if (w->state == WORKER_BUSY)
		w->state = WORKER_IDLE;
	if (w->retire || sup->stopping)
		supervisor_retire(w);
	return job;
}

void
supervisor_unreachable(struct worker *w)
{
	w->state = WORKER_STOPPING;	/* SIGCHLD will tell us more */
}

struct job *
supervisor_abandon_all(struct supervisor *sup)
{
	struct job *all = NULL, **tail = &all;

	for (int i = 0; i < sup->nslots; i++) {
		struct worker *w = &sup->workers[i];

		if (w->job == NULL)
			continue;
		*tail = w->job;
		while (*tail != NULL)
			tail = &(*tail)->next;
		supervisor_busy_end(sup, w);
		supervisor_clear_batches(w);
		if (w->pid > 0)
			kill(w->pid, SIGKILL);
	}
	return all;
}

int
supervisor_busy_count(const struct supervisor *sup)
{
	int n = 0;

	for (int i = 0; i < sup->nslots; i++)
		if (sup->workers[i].job != NULL)
			n++;
	return n;
}

int64_t
supervisor_busy_ms(const struct supervisor *sup, int64_t now)
{
	int64_t ms = sup->busy_ms_ended;

	for (int i = 0; i < sup->nslots; i++)
		if (sup->workers[i].busy_since_ms > 0)
			ms += now - sup->workers[i].busy_since_ms;
	return ms;
}

int
supervisor_ready_count(const struct supervisor *sup)
{
	int n = 0;

	for (int i = 0; i < sup->nslots; i++) {
		const struct worker *w = &sup->workers[i];
		if ((w->state == WORKER_IDLE || w->state == WORKER_BUSY) &&
		    !w->retire)
			n++;
	}
	return n;
}

int
supervisor_all_exited(const struct supervisor *sup)
{
	for (int i = 0; i < sup->nslots; i++)
		if (sup->workers[i].pid > 0)
			return 0;
	return 1;
}

const char *
supervisor_failure(const struct supervisor *sup)
{
	return sup->failure[0] ? sup->failure : NULL;
}

const struct worker *
supervisor_workers(const struct supervisor *sup, int *n)
{
	*n = sup->nslots;
	return sup->workers;
}

const struct supervisor_counts *
supervisor_counts(const struct supervisor *sup)
{
	return &sup->count;
}

const char *
supervisor_state_name(enum worker_state state)
{
	switch (state) {
	case WORKER_EMPTY: return "empty";
	case WORKER_STARTING: return "starting";
	case WORKER_IDLE: return "idle";
	case WORKER_BUSY: return "busy";
	case WORKER_STOPPING: return "stopping";
	default: return "unknown";
	}
}

/* ---- deaths ----------------------------------------------------------- */

static void
supervisor_describe_status(int status, const struct worker *w, char *buf,
    size_t len)
{
	if (w->db_stalled)
		snprintf(buf, len, "killed waiting for the database");
	else if (w->timed_out)
		snprintf(buf, len, "timed out");
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "signal %d", WTERMSIG(status));
	else if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else
		snprintf(buf, len, "status 0x%x", status);
}

static int64_t
supervisor_backoff_ms(int failures)
{
	int64_t ms = SUPERVISOR_BACKOFF_MIN_MS;

	if (failures <= 0)
		return 0;
	while (--failures > 0 && ms < SUPERVISOR_BACKOFF_MAX_MS)
		ms *= 2;
	return ms < SUPERVISOR_BACKOFF_MAX_MS ? ms : SUPERVISOR_BACKOFF_MAX_MS;
}

/* Hands the dead worker's documents to the caller through *death. */
static void
supervisor_report_death(struct supervisor *sup, struct worker *w,
    const char *what, struct worker_death *death)
{
	log_warnx("worker %s died holding job %llu source_url=%s%s (%s); "
	    "giving the document%s to another worker", w->identity,
	    (unsigned long long)w->job->id,
	    w->job->source_url ? w->job->source_url : "-",
	    w->njobs > 1 ? " and others" : "", what, w->njobs > 1 ? "s" : "");
	memset(death, 0, sizeof(*death));
	snprintf(death->identity, sizeof(death->identity), "%s", w->identity);
	snprintf(death->what, sizeof(death->what), "%s", what);
	death->jobs = w->job;
	death->njobs = w->njobs;
	death->timed_out = w->timed_out;
	death->db_stalled = w->db_stalled;
	if (w->db_stalled)
		sup->count.db_stalls++;
	else
		sup->count.crashes++;
	supervisor_busy_end(sup, w);
	supervisor_clear_batches(w);
}

/* A worker that cannot start: after SUPERVISOR_MAX_START_FAILURES (or at
 * once for exit status 78, its FATAL), planqd must stop. */
static void
supervisor_count_start_failure(struct supervisor *sup, struct worker *w,
    int status, const char *what)
{
	w->failures++;
	if (WIFEXITED(status) && WEXITSTATUS(status) == JOBWIRE_EXIT_CONFIG)
		w->failures = SUPERVISOR_MAX_START_FAILURES;
	if (w->failures >= SUPERVISOR_MAX_START_FAILURES && !sup->failure[0])
		snprintf(sup->failure, sizeof(sup->failure), "workers cannot "
		    "start (last: %s); see the worker's messages above", what);
}

/* 1 when the death was reported in *death (the worker held documents). */
static int
supervisor_on_death(struct supervisor *sup, struct worker *w, int status,
    struct worker_death *death)
{
	char what[64];
	int before_ready = w->state == WORKER_STARTING, reported = 0;

	supervisor_describe_status(status, w, what, sizeof(what));
	w->pid = 0;
	if (w->job != NULL) {
		supervisor_report_death(sup, w, what, death);
		reported = 1;
	} else if (!sup->stopping && !w->retire) {
		log_warnx("worker %s exited (%s)", w->identity, what);
	}
	w->state = WORKER_EMPTY;
	supervisor_clear_batches(w);
	if (before_ready)
		supervisor_count_start_failure(sup, w, status, what);
	w->respawn_at_ms = clock_ms() + supervisor_backoff_ms(w->failures);
	return reported;
}

int
supervisor_reap(struct supervisor *sup, struct worker_death *deaths, int max)
{
	struct worker_death spare;
	pid_t pid;
	int status, n = 0;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < sup->nslots; i++) {
			struct worker *w = &sup->workers[i];

			if (w->pid != pid)
				continue;
			if (supervisor_on_death(sup, w, status,
			    n < max ? &deaths[n] : &spare)) {
				if (n < max)
					n++;
				else	/* cannot happen: one death a slot */
					job_free_chain(&spare.jobs);
			}
			break;
		}
	}
	return n;
}

/* ---- the periodic tick ------------------------------------------------ */

/* A worker that never says READY counts as one that could not start. */
static void
supervisor_kill_unready(struct worker *w, int64_t now)
{
	if (w->state != WORKER_STARTING || w->pid <= 0 ||
	    now - w->spawned_ms < SUPERVISOR_READY_TIMEOUT_MS)
		return;
	log_warnx("worker %s (pid %d) did not become ready in %d s; killing "
	    "it", w->identity, (int)w->pid, SUPERVISOR_READY_TIMEOUT_MS / 1000);
	w->spawned_ms = now;	/* once */
	kill(w->pid, SIGKILL);
}

/*
 * How long a worker may wait for the database before planqd gives up on
 * it: twice what the worker's own bounds allow (each statement db_timeout,
 * retries for db_retry_seconds), plus a margin.  Only a worker whose
 * statement cannot even be cancelled (a server that went silent on the
 * network) gets here.
 */
int64_t
supervisor_store_limit_ms(const struct config *cfg)
{
	return 2 * ((int64_t)cfg->db_timeout + cfg->db_retry_seconds) *
	    1000 + 10000;
}

/*
 * The batch the worker is parsing, and since when: its first, or its
 * second while the first commits.  NULL when it parses none.  A worker
 * busy parsing its second batch cannot collect its first one's commit,
 * so only job_timeout judges it then.
 */
static const struct job *
supervisor_parsing_batch(const struct worker *w, int64_t *since)
{
	const struct job *job = w->job;

	if (!w->storing) {
		*since = w->job_started_ms;
		return job;
	}
	if (w->second == 0 || !w->second_parsing || w->second_storing)
		return NULL;
	for (int i = 0; i < w->first_left && job != NULL; i++)
		job = job->next;
	*since = w->second_started_ms;
	return job;
}

static void
supervisor_kill_stuck(struct supervisor *sup, struct worker *w, int64_t now)
{
	const struct config *cfg = sup->cfg;
	const struct job *parsing;
	int64_t since = 0;

	if (w->state != WORKER_BUSY || w->job == NULL || w->timed_out ||
	    w->db_stalled)
		return;
	if ((parsing = supervisor_parsing_batch(w, &since)) != NULL) {
		if (now - since < (int64_t)cfg->job_timeout * 1000)
			return;
		log_warnx("worker %s spent more than %d s parsing job %llu "
		    "source_url=%s; killing it", w->identity, cfg->job_timeout,
		    (unsigned long long)parsing->id,
		    parsing->source_url ? parsing->source_url : "-");
		w->timed_out = 1;
	} else {
		if (now - w->store_started_ms < supervisor_store_limit_ms(cfg))
			return;
		log_errx("worker %s has waited %lld s for the database on job "
		    "%llu and its statement_timeout did not end the wait; "
		    "killing it (the documents go back to the queue, not "
		    "blamed); check the database and the network to it",
		    w->identity, (long long)(now - w->store_started_ms) / 1000,
		    (unsigned long long)w->job->id);
		w->db_stalled = 1;
	}
	kill(w->pid, SIGKILL);
}

void
supervisor_tick(struct supervisor *sup, int respawn)
{
	int64_t now = clock_ms();

	for (int i = 0; i < sup->nslots; i++) {
		struct worker *w = &sup->workers[i];

		if (respawn && !sup->stopping && !w->retire &&
		    w->state == WORKER_EMPTY && w->pid == 0 &&
		    now >= w->respawn_at_ms && !sup->failure[0]) {
			sup->count.respawns++;
			supervisor_spawn(sup, w);
		}
		supervisor_kill_stuck(sup, w, now);
		supervisor_kill_unready(w, now);
	}
	/* retired slots at the end that have no process can be forgotten */
	while (sup->nslots > sup->cfg->workers &&
	    sup->workers[sup->nslots - 1].pid == 0 &&
	    sup->workers[sup->nslots - 1].job == NULL) {
		memset(&sup->workers[sup->nslots - 1], 0, sizeof(struct worker));
		sup->nslots--;
	}
}

/* ---- resizing and stopping -------------------------------------------- */

void
supervisor_resize(struct supervisor *sup)
{
	int want = sup->cfg->workers;

	for (int i = 0; i < want; i++) {
		struct worker *w = &sup->workers[i];
		if (i >= sup->nslots) {
			memset(w, 0, sizeof(*w));
			w->slot = i;
		}
		w->retire = 0;
	}
	if (want > sup->nslots)
		sup->nslots = want;
	for (int i = want; i < sup->nslots; i++)
		supervisor_retire(&sup->workers[i]);
	log_notice("workers: %d", want);
}

void
supervisor_stop_all(struct supervisor *sup)
{
	sup->stopping = 1;
	for (int i = 0; i < sup->nslots; i++) {
		struct worker *w = &sup->workers[i];
		if (w->pid > 0 && w->state != WORKER_STOPPING) {
			w->state = WORKER_STOPPING;
			kill(w->pid, SIGTERM);
		}
	}
}
