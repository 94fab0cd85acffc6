/*
 * supervisor.c: the workers' lives.  Starts each worker by fork+exec into a
 * numbered slot, reaps it on SIGCHLD, gives the document a dead worker held
 * to another one (quarantining it after max_crashes deaths), respawns with
 * backoff, kills workers stuck parsing past job_timeout, and grows or
 * shrinks the pool on reload.  A worker that cannot start at all stops the
 * daemon.  Time a worker spends waiting for the database (after it said
 * STORING) never blames a document: the worker bounds it itself
 * (statement_timeout, db_retry_seconds); only a worker that outlives even
 * that is killed, and its documents go back to the queue unblamed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jobwire.h"
#include "log.h"
#include "planqd.h"

#define SUPERVISOR_BACKOFF_MIN_MS	100
#define SUPERVISOR_BACKOFF_MAX_MS	10000
#define SUPERVISOR_MAX_START_FAILURES	5
#define SUPERVISOR_READY_TIMEOUT_MS	30000

extern char **environ;

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- environment and exec --------------------------------------------- */

static void
supervisor_free_env(char **env)
{
	for (char **e = env; e && *e; e++)
		free(*e);
	free(env);
}

/*
 * The worker's environment: ours, with PLANQ_DB set to the configured DSN
 * (never on the command line, where ps would show a password).
 */
int
supervisor_build_env(struct daemon *d)
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
	if (d->cfg.db != NULL) {
		size_t len = sizeof(JOBWIRE_ENV_DB) + strlen(d->cfg.db) + 1;
		if ((env[i] = malloc(len)) == NULL)
			goto fail;
		snprintf(env[i++], len, "%s=%s", JOBWIRE_ENV_DB, d->cfg.db);
	}
	supervisor_free_env(d->worker_env);
	d->worker_env = env;
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
supervisor_build_argv(struct daemon *d, struct worker *w, struct worker_argv *a)
{
	int argc = 0;

	snprintf(a->memory, sizeof(a->memory), "%zu", d->cfg.worker_max_memory);
	snprintf(a->retry, sizeof(a->retry), "%d", d->cfg.db_retry_seconds);
	snprintf(a->db_timeout, sizeof(a->db_timeout), "%d", d->cfg.db_timeout);
	a->argv[argc++] = d->cfg.worker_path;
	a->argv[argc++] = "--broker";
	a->argv[argc++] = d->back_endpoint;
	a->argv[argc++] = "--id";
	a->argv[argc++] = w->identity;
	if (d->cfg.log_level >= LOG_DEBUG)
		a->argv[argc++] = "-v";
	if (!d->cfg.worker_sandbox)
		a->argv[argc++] = "--no-sandbox";
	a->argv[argc++] = "--max-memory";
	a->argv[argc++] = a->memory;
	a->argv[argc++] = "--db-retry-seconds";
	a->argv[argc++] = a->retry;
	a->argv[argc++] = "--db-timeout";
	a->argv[argc++] = a->db_timeout;
	a->argv[argc] = NULL;
}

/* In the child: async-signal-safe calls only, then exec. */
static void
supervisor_exec_child(struct daemon *d, struct worker_argv *a)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* the daemon's sockets and files are not the worker's business */
	if (close_range(3, ~0U, 0) != 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	execve(d->cfg.worker_path, a->argv, d->worker_env);
	_exit(127);
}

static int
supervisor_spawn(struct daemon *d, struct worker *w)
{
	struct worker_argv argv;
	pid_t pid;

	w->gen++;
	/* planqd's pid in the name: a worker of an earlier planqd that
	 * reconnects to this one's socket can never pass for one of ours */
	snprintf(w->identity, sizeof(w->identity), "w%d.%u-%d", w->slot,
	    w->gen, (int)getpid());
	memset(&argv, 0, sizeof(argv));
	supervisor_build_argv(d, w, &argv);
	pid = fork();
	if (pid < 0) {
		log_warn("cannot fork worker %s", w->identity);
		w->failures++;
		w->respawn_at_ms = now_ms() + SUPERVISOR_BACKOFF_MAX_MS;
		return -1;
	}
	if (pid == 0)
		supervisor_exec_child(d, &argv);
	w->pid = pid;
	w->state = WORKER_STARTING;
	w->timed_out = 0;
	w->db_stalled = 0;
	w->storing = 0;
	w->spawned_ms = now_ms();
	log_debug("worker %s started (pid %d)", w->identity, (int)pid);
	return 0;
}

void
supervisor_start(struct daemon *d)
{
	d->nslots = d->cfg.workers;
	for (int i = 0; i < d->nslots; i++) {
		d->workers[i].slot = i;
		supervisor_spawn(d, &d->workers[i]);
	}
}

/* ---- lookups ---------------------------------------------------------- */

struct worker *
supervisor_find(struct daemon *d, const char *identity)
{
	for (int i = 0; i < d->nslots; i++)
		if (d->workers[i].state != WORKER_EMPTY &&
		    strcmp(d->workers[i].identity, identity) == 0)
			return &d->workers[i];
	return NULL;
}

struct worker *
supervisor_idle(struct daemon *d)
{
	for (int i = 0; i < d->nslots; i++)
		if (d->workers[i].state == WORKER_IDLE && !d->workers[i].retire)
			return &d->workers[i];
	return NULL;
}

int
supervisor_busy_count(const struct daemon *d)
{
	int n = 0;

	for (int i = 0; i < d->nslots; i++)
		if (d->workers[i].job != NULL)
			n++;
	return n;
}

int
supervisor_all_exited(const struct daemon *d)
{
	for (int i = 0; i < d->nslots; i++)
		if (d->workers[i].pid > 0)
			return 0;
	return 1;
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

/*
 * A document a dead worker held alone: back to the front of the queue, or
 * quarantined after max_crashes such deaths.
 */
static void
supervisor_rescue_job(struct daemon *d, struct worker *w, struct job *job,
    const char *death)
{
	char reason[256];

	job->crashes++;
	snprintf(job->last_death, sizeof(job->last_death), "%s", death);
	if (job->quarantine_reason != NULL &&
	    job->crashes >= d->cfg.max_crashes + 2) {
		/* even storing it as rejected kills workers: give up loudly */
		log_errx("job %llu could not be quarantined (%s); answering "
		    "rejected without a database record",
		    (unsigned long long)job->id, death);
		broker_reply_status(d, job, "rejected", job->quarantine_reason);
		job_free(&job);
		return;
	}
	if (job->quarantine_reason == NULL &&
	    job->crashes >= d->cfg.max_crashes) {
		if (w->timed_out)
			snprintf(reason, sizeof(reason), "worker timed out on "
			    "this document %d times (job_timeout %d s)",
			    job->crashes, d->cfg.job_timeout);
		else
			snprintf(reason, sizeof(reason), "worker crashed on "
			    "this document %d times: %s", job->crashes, death);
		job->quarantine_reason = strdup(reason);
		log_warnx("quarantining job %llu source_url=%s: %s",
		    (unsigned long long)job->id,
		    job->source_url ? job->source_url : "-", reason);
	}
	queue_push_front(&d->queue, job);
}

/*
 * The documents a dead worker held.  A death with several documents in hand
 * blames none of them: each is marked to travel alone, so the next death, if
 * any, points at the culprit.  A worker killed while it waited for the
 * database blames none at all.  Order in the queue is kept.
 */
static void
supervisor_rescue_batch(struct daemon *d, struct worker *w, const char *death)
{
	struct job *rev = NULL, *job = w->job;
	int batch = w->njobs > 1, blame = !w->db_stalled;

	w->job = NULL;
	w->njobs = 0;
	if (blame)
		d->count.crashes++;
	else
		d->count.db_stalls++;
	while (job != NULL) {		/* reverse, so pushes keep the order */
		struct job *next = job->next;
		job->next = rev;
		rev = job;
		job = next;
	}
	while (rev != NULL) {
		struct job *next = rev->next;
		rev->next = NULL;
		if (!blame) {
			queue_push_front(&d->queue, rev);	/* as it was */
		} else if (batch) {
			rev->solo = 1;
			queue_push_front(&d->queue, rev);
		} else {
			supervisor_rescue_job(d, w, rev, death);
		}
		rev = next;
	}
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

static void
supervisor_on_death(struct daemon *d, struct worker *w, int status)
{
	char death[64];
	int before_ready = w->state == WORKER_STARTING;

	supervisor_describe_status(status, w, death, sizeof(death));
	w->pid = 0;
	if (w->job != NULL) {
		log_warnx("worker %s died holding job %llu source_url=%s%s "
		    "(%s); giving the document%s to another worker",
		    w->identity, (unsigned long long)w->job->id,
		    w->job->source_url ? w->job->source_url : "-",
		    w->njobs > 1 ? " and others" : "", death,
		    w->njobs > 1 ? "s" : "");
		supervisor_rescue_batch(d, w, death);
	} else if (d->phase != PHASE_STOPPING && !w->retire) {
		log_warnx("worker %s exited (%s)", w->identity, death);
	}
	w->state = WORKER_EMPTY;
	if (before_ready) {
		w->failures++;
		if (WIFEXITED(status) &&
		    WEXITSTATUS(status) == JOBWIRE_EXIT_CONFIG)
			w->failures = SUPERVISOR_MAX_START_FAILURES;
	}
	if (w->failures >= SUPERVISOR_MAX_START_FAILURES &&
	    d->phase == PHASE_RUNNING) {
		log_errx("workers cannot start (last: %s); see the worker's "
		    "messages above; planqd stops", death);
		d->exit_code = 1;
		d->phase = PHASE_DRAINING;
		d->drain_deadline_ms = now_ms();
	}
	w->respawn_at_ms = now_ms() + supervisor_backoff_ms(w->failures);
}

void
supervisor_reap(struct daemon *d)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < d->nslots; i++) {
			if (d->workers[i].pid == pid) {
				supervisor_on_death(d, &d->workers[i], status);
				break;
			}
		}
	}
	broker_dispatch(d);
}

/* ---- the periodic tick ------------------------------------------------ */

/* A worker that never says READY counts as one that could not start. */
static void
supervisor_kill_unready(struct daemon *d, struct worker *w, int64_t now)
{
	(void)d;
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
supervisor_store_limit_ms(const struct daemon *d)
{
	return 2 * ((int64_t)d->cfg.db_timeout + d->cfg.db_retry_seconds) *
	    1000 + 10000;
}

/* The worker said STORING: its batch is parsed. */
void
supervisor_storing(struct worker *w)
{
	if (w->state != WORKER_BUSY || w->storing)
		return;
	w->storing = 1;
	w->store_started_ms = now_ms();
}

static void
supervisor_kill_stuck(struct daemon *d, struct worker *w, int64_t now)
{
	if (w->state != WORKER_BUSY || w->timed_out || w->db_stalled)
		return;
	if (!w->storing) {
		if (now - w->job_started_ms < (int64_t)d->cfg.job_timeout * 1000)
			return;
		log_warnx("worker %s spent more than %d s parsing job %llu "
		    "source_url=%s; killing it", w->identity,
		    d->cfg.job_timeout, (unsigned long long)w->job->id,
		    w->job->source_url ? w->job->source_url : "-");
		w->timed_out = 1;
	} else {
		if (now - w->store_started_ms < supervisor_store_limit_ms(d))
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

static int
supervisor_wants_process(const struct daemon *d, const struct worker *w)
{
	if (w->retire || d->phase == PHASE_STOPPING)
		return 0;
	if (d->phase == PHASE_DRAINING)
		return d->queue.head != NULL && d->exit_code == 0;
	return 1;
}

void
supervisor_tick(struct daemon *d)
{
	int64_t now = now_ms();

	for (int i = 0; i < d->nslots; i++) {
		struct worker *w = &d->workers[i];

		if (w->state == WORKER_EMPTY && w->pid == 0 &&
		    supervisor_wants_process(d, w) && now >= w->respawn_at_ms) {
			d->count.respawns++;
			supervisor_spawn(d, w);
		}
		supervisor_kill_stuck(d, w, now);
		supervisor_kill_unready(d, w, now);
	}
	/* retired slots at the end that have no process can be forgotten */
	while (d->nslots > d->cfg.workers &&
	    d->workers[d->nslots - 1].pid == 0 &&
	    d->workers[d->nslots - 1].job == NULL) {
		memset(&d->workers[d->nslots - 1], 0, sizeof(struct worker));
		d->nslots--;
	}
}

/* ---- resizing and stopping -------------------------------------------- */

static void
supervisor_retire(struct worker *w)
{
	w->retire = 1;
	if (w->pid > 0 && w->state != WORKER_BUSY) {
		w->state = WORKER_STOPPING;
		kill(w->pid, SIGTERM);
	}
}

/* After a reload: start new slots or retire extra ones once idle. */
void
supervisor_resize(struct daemon *d)
{
	int want = d->cfg.workers;

	for (int i = 0; i < want; i++) {
		struct worker *w = &d->workers[i];
		if (i >= d->nslots) {
			memset(w, 0, sizeof(*w));
			w->slot = i;
		}
		w->retire = 0;
	}
	if (want > d->nslots)
		d->nslots = want;
	for (int i = want; i < d->nslots; i++)
		supervisor_retire(&d->workers[i]);
	log_notice("workers: %d", want);
}

/* A worker finished a job: retire it if its slot is going away. */
void
supervisor_job_done(struct daemon *d, struct worker *w)
{
	w->state = WORKER_IDLE;
	w->storing = 0;
	if (w->retire || d->phase == PHASE_STOPPING)
		supervisor_retire(w);
}

void
supervisor_stop_all(struct daemon *d)
{
	for (int i = 0; i < d->nslots; i++) {
		struct worker *w = &d->workers[i];
		if (w->pid > 0 && w->state != WORKER_STOPPING) {
			w->state = WORKER_STOPPING;
			kill(w->pid, SIGTERM);
		}
	}
}
