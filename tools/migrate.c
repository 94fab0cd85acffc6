/*
 * migrate.c: `planq db migrate`'s engine.  Takes a session advisory lock so
 * concurrent runs serialise, keeps planq_migrations(version, name,
 * applied_at, checksum), refuses when an applied file's checksum changed,
 * and applies the pending numbered migrations, then the repeatable
 * functions and views (migrate_repeat.c), all in ONE transaction: a
 * worker still running during an upgrade sees the old tables with the old
 * functions or the new with the new, never a new table under an old
 * function (which it would take for its document's fault), and a run that
 * fails anywhere leaves the database as it found it.  Also `planq db
 * version` and `planq db roles`.
 *
 * The baseline (sql/BNNN_*.sql, SQL_BASELINE) stands for the migrations up
 * to NNN, whose files are gone: an empty database gets it, recorded as
 * version NNN, and then the migrations after NNN.  A database those older
 * files migrated to NNN or later keeps its records of them, accepted as
 * they are (there is nothing left to compare them with); one at an
 * earlier version is refused, with what to do (MIGRATE_BASELINE_FROM).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbconn.h"
#include "migrate.h"
#include "migrate_repeat.h"
#include "migrate_step.h"

/* pg_advisory_lock key shared by every `planq db migrate` */
#define MIGRATE_LOCK_SQL "SELECT pg_advisory_lock(hashtext('planq migrate'))"
#define MIGRATE_UNLOCK_SQL "SELECT pg_advisory_unlock(hashtext('planq migrate'))"

/* the last git commit of planq that carries the migrations the baseline
 * replaced (001-014), named to upgrade a database older than it */
#define MIGRATE_BASELINE_FROM "cd50e4b"

#define MIGRATE_TABLE_SQL \
	"CREATE TABLE IF NOT EXISTS planq_migrations (" \
	" version integer PRIMARY KEY," \
	" name text NOT NULL," \
	" applied_at timestamptz NOT NULL DEFAULT now()," \
	" checksum text NOT NULL)"

int
migrate_latest(const struct sql_set *set)
{
	int v = 0;

	for (size_t i = 0; i < set->count; i++)
		if (set->files[i].kind != SQL_REPEATABLE &&
		    set->files[i].kind != SQL_ROLES && set->files[i].version > v)
			v = set->files[i].version;
	return v;
}

/* The set's baseline, or NULL when it starts from the first migration. */
static const struct sql_embedded *
migrate_baseline(const struct sql_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->files[i].kind == SQL_BASELINE)
			return &set->files[i];
	return NULL;
}

/* Applies one migration and records it, inside the run's transaction
 * (migrate_locked rolls it back on failure). */
static int
migrate_apply_one(PGconn *conn, const struct sql_embedded *m,
    const struct migrate_sum *sum, int start_version)
{
	char version[16];
	const char *params[3] = { version, m->name, sum->hex };
	PGresult *res;

	snprintf(version, sizeof(version), "%d", m->version);
	if (migrate_exec_file(conn, m) != 0) {
		fprintf(stderr, "planq %s: %s was rolled back; the database stays "
		    "at version %d. Fix the migration and run `planq db migrate` "
		    "again.\n", MIGRATE_WHO, m->name, start_version);
		return -1;
	}
	res = PQexecParams(conn, "INSERT INTO planq_migrations "
	    "(version, name, checksum) VALUES ($1::integer, $2, $3)",
	    3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		dbconn_report(MIGRATE_WHO, "cannot record the migration", res, conn);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

/* The file a planq_migrations row stands for: the numbered migration of
 * that version, or the baseline when the row is the baseline's; NULL for
 * a migration this set does not carry (newer than it, or one that the
 * baseline replaced). */
static const struct sql_embedded *
migrate_find_version(const struct sql_set *set, int version, const char *name)
{
	const struct sql_embedded *base = migrate_baseline(set);

	if (base != NULL && version <= base->version)
		return strcmp(name, base->name) == 0 ? base : NULL;
	for (size_t i = 0; i < set->count; i++)
		if (set->files[i].kind == SQL_VERSIONED &&
		    set->files[i].version == version)
			return &set->files[i];
	return NULL;
}

/*
 * Compares what the database recorded with the set's migrations.  Fills
 * applied[i] for each file of the set already applied and *db_version
 * with the highest recorded version.  Returns -1 on a changed checksum.
 */
static int
migrate_check_applied(PGconn *conn, const struct sql_set *set,
    unsigned char *applied, int *db_version)
{
	PGresult *res = PQexec(conn, "SELECT version, name, checksum "
	    "FROM planq_migrations ORDER BY version");
	int rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		dbconn_report(MIGRATE_WHO, "cannot read planq_migrations", res, conn);
		PQclear(res);
		return -1;
	}
	*db_version = 0;
	for (int r = 0; r < PQntuples(res); r++) {
		int v = (int)strtol(PQgetvalue(res, r, 0), NULL, 10);
		const struct sql_embedded *m = migrate_find_version(set, v,
		    PQgetvalue(res, r, 1));
		struct migrate_sum sum;

		if (v > *db_version)
			*db_version = v;
		if (m == NULL)
			continue;	/* newer than this binary, or replaced by its
					 * baseline: left alone */
		applied[m - set->files] = 1;
		if (migrate_checksum(m, &sum) != 0 ||
		    strcmp(sum.hex, PQgetvalue(res, r, 2)) != 0) {
			fprintf(stderr, "planq %s: migration %s was applied with "
			    "checksum %.12s… but this planq carries %.12s…: an applied "
			    "migration must never change. Restore the file and put the "
			    "change in a new numbered migration.\n", MIGRATE_WHO,
			    PQgetvalue(res, r, 1), PQgetvalue(res, r, 2), sum.hex);
			rc = -1;
		}
	}
	PQclear(res);
	return rc;
}

/*
 * A database migrated, by the files the baseline replaced, to a version
 * before the baseline's cannot be brought forward by this planq: says
 * what to do and returns -1.  0 otherwise (an empty database, one at the
 * baseline's version or later, or a set without a baseline).
 */
static int
migrate_before_baseline(const struct sql_set *set, int db_version)
{
	const struct sql_embedded *base = migrate_baseline(set);

	if (base == NULL || db_version == 0 || db_version >= base->version)
		return 0;
	fprintf(stderr, "planq %s: the database is at version %d, but this planq "
	    "upgrades databases from version %d on (its migrations up to %d are "
	    "replaced by %s, for empty databases). Nothing was changed. Migrate "
	    "the database to version %d with a planq built from git commit %s "
	    "(`git checkout %s && make && bin/planq db migrate`), then run this "
	    "planq's `planq db migrate` (docs/OPERATIONS.md).\n", MIGRATE_WHO,
	    db_version, base->version, base->version, base->name, base->version,
	    MIGRATE_BASELINE_FROM, MIGRATE_BASELINE_FROM);
	return -1;
}

/* The pending numbered migrations (or the baseline, for an empty
 * database), in order; *done counts them. */
static int
migrate_versioned(PGconn *conn, const struct sql_set *set, FILE *out,
    int *db_version, int *done)
{
	unsigned char *applied = calloc(set->count + 1, 1);
	int rc = 0, start_version;

	if (applied == NULL) {
		fprintf(stderr, "planq %s: out of memory\n", MIGRATE_WHO);
		return -1;
	}
	if (migrate_check_applied(conn, set, applied, db_version) != 0) {
		free(applied);
		return -1;
	}
	start_version = *db_version;
	if (migrate_before_baseline(set, start_version) != 0) {
		free(applied);
		return -1;
	}
	for (size_t i = 0; i < set->count && rc == 0; i++) {
		const struct sql_embedded *m = &set->files[i];
		struct migrate_sum sum;

		if (applied[i] || !(m->kind == SQL_VERSIONED ||
		    (m->kind == SQL_BASELINE && start_version == 0)))
			continue;
		if ((rc = migrate_checksum(m, &sum)) == 0 &&
		    (rc = migrate_apply_one(conn, m, &sum, start_version)) == 0) {
			fprintf(out, "applied %s\n", m->name);
			if (m->version > *db_version)
				*db_version = m->version;
			(*done)++;
		}
	}
	free(applied);
	return rc;
}

/* The work done while holding the lock: one transaction. */
static int
migrate_locked(PGconn *conn, const struct sql_set *set, FILE *out)
{
	int db_version = 0, done = 0, rc;

	if (migrate_exec(conn, "BEGIN", "cannot begin a transaction") != 0)
		return -1;
	rc = migrate_exec(conn, MIGRATE_TABLE_SQL,
	    "cannot create the planq_migrations table");
	if (rc == 0)
		rc = migrate_versioned(conn, set, out, &db_version, &done);
	/* the functions and views need every table: only after a full run */
	if (rc == 0)
		rc = migrate_repeatables(conn, set, out, &done);
	if (rc == 0)
		rc = migrate_exec(conn, "COMMIT", "cannot commit the migrations");
	else
		migrate_rollback(conn);
	if (rc != 0 && done > 0)
		fprintf(stderr, "planq %s: nothing of this run is kept (the lines "
		    "\"applied\" above were rolled back with it).\n", MIGRATE_WHO);
	if (rc == 0 && done == 0)
		fprintf(out, "database is up to date (version %d)\n", db_version);
	if (rc == 0 && db_version > migrate_latest(set))
		fprintf(out, "note: the database is at version %d, newer than this "
		    "planq knows (%d)\n", db_version, migrate_latest(set));
	return rc;
}

int
migrate_run(PGconn *conn, const struct sql_set *set, FILE *out)
{
	int rc;

	if (migrate_exec(conn, "SET client_min_messages = warning",
	    "cannot set up the session") != 0 ||
	    migrate_exec(conn, MIGRATE_LOCK_SQL, "cannot take the migration lock") != 0)
		return -1;
	rc = migrate_locked(conn, set, out);
	if (migrate_exec(conn, MIGRATE_UNLOCK_SQL, "cannot release the migration lock") != 0)
		rc = -1;
	return rc;
}

int
migrate_db_version(PGconn *conn, int *version)
{
	PGresult *res = PQexec(conn, "SELECT coalesce(max(version), 0) "
	    "FROM planq_migrations");
	const char *state;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		*version = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
		return 0;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state != NULL && strcmp(state, "42P01") == 0) {	/* no table yet */
		*version = 0;
		PQclear(res);
		return 0;
	}
	dbconn_report("db version", "cannot read planq_migrations", res, conn);
	PQclear(res);
	return -1;
}

int
migrate_roles(PGconn *conn, const struct sql_set *set, FILE *out)
{
	const struct sql_embedded *m = NULL;
	PGresult *res;

	for (size_t i = 0; i < set->count; i++)
		if (set->files[i].kind == SQL_ROLES)
			m = &set->files[i];
	if (m == NULL) {
		fprintf(stderr, "planq db roles: this planq was built without sql/roles.sql\n");
		return -1;
	}
	if (migrate_exec(conn, "SET client_min_messages = warning",
	    "cannot set up the session") != 0 ||
	    migrate_exec(conn, "BEGIN", "cannot begin a transaction") != 0)
		return -1;
	res = PQexec(conn, m->text);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		dbconn_report("db roles", "roles.sql failed (nothing changed)", res, conn);
		PQclear(res);
		migrate_rollback(conn);
		return -1;
	}
	PQclear(res);
	if (migrate_exec(conn, "COMMIT", "cannot commit roles.sql") != 0)
		return -1;
	fprintf(out, "applied roles\n");
	return 0;
}
