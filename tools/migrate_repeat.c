/*
 * migrate_repeat.c: the repeatable functions and views (migrate_repeat.h).
 *
 * A repeatable file is named after the one object it defines (functions/X
 * defines the function or functions named X, views/X the view X) and is
 * applied when it is new, its checksum differs from the one recorded in
 * planq_repeatables, or its object is missing (a numbered migration
 * dropped it).  Files are written CREATE OR REPLACE where PostgreSQL
 * allows; a change it does not allow needs a DROP … CASCADE in the file,
 * which would also drop whatever depends on the object.  So each file is
 * applied together with its dependents: the views and functions
 * whose definitions PostgreSQL records as naming it (pg_depend, followed
 * to the end: exactly what a DROP … CASCADE would drop), in the set's
 * order.  Around the files, the privileges that roles hold on views and
 * functions (sql/roles.sql's grants) are saved and granted again, so that
 * a dropped and re-created object keeps them.  At the end every dependent
 * must exist again: a dependent that no repeatable file re-creates (an
 * analyst's own view, say) is never dropped silently; the run is rolled
 * back and the object named.  Everything runs inside the one transaction
 * of `planq db migrate` (migrate.c), which is rolled back whole when a
 * group fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbconn.h"
#include "migrate_repeat.h"
#include "migrate_step.h"

#define REPEAT_TABLE_SQL \
	"CREATE TABLE IF NOT EXISTS planq_repeatables (" \
	" name text PRIMARY KEY," \
	" checksum text NOT NULL," \
	" applied_at timestamptz NOT NULL DEFAULT now())"

/* whether the object of the file named $1 (functions/X, views/X) exists */
#define REPEAT_EXISTS_EXPR \
	"CASE split_part($1, '/', 1)" \
	" WHEN 'views' THEN EXISTS (SELECT 1 FROM pg_class" \
	"   WHERE relnamespace = 'public'::regnamespace" \
	"     AND relname = split_part($1, '/', 2) AND relkind IN ('v', 'm'))" \
	" ELSE EXISTS (SELECT 1 FROM pg_proc" \
	"   WHERE pronamespace = 'public'::regnamespace" \
	"     AND proname = split_part($1, '/', 2)) END"
#define REPEAT_EXISTS_SQL "SELECT " REPEAT_EXISTS_EXPR

/* $1 applied with checksum $2 and its object still there */
#define REPEAT_CURRENT_SQL \
	"SELECT EXISTS (SELECT 1 FROM planq_repeatables" \
	"                WHERE name = $1 AND checksum = $2)" \
	"   AND " REPEAT_EXISTS_EXPR

/*
 * The views and functions that depend on the object of file $1, directly
 * or through others, named as files are (views/Y, functions/Y): a view
 * depends through its rewrite rule, a SQL function with a RETURN or BEGIN
 * ATOMIC body through its own entry.
 */
#define REPEAT_DEPENDENTS_SQL \
	"WITH RECURSIVE obj(classid, objid) AS (" \
	" SELECT 'pg_class'::regclass, c.oid FROM pg_class c" \
	"  WHERE split_part($1, '/', 1) = 'views'" \
	"    AND c.relnamespace = 'public'::regnamespace" \
	"    AND c.relname = split_part($1, '/', 2)" \
	" UNION" \
	" SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p" \
	"  WHERE split_part($1, '/', 1) = 'functions'" \
	"    AND p.pronamespace = 'public'::regnamespace" \
	"    AND p.proname = split_part($1, '/', 2)" \
	" UNION" \
	" SELECT CASE WHEN d.classid = 'pg_rewrite'::regclass" \
	"             THEN 'pg_class'::regclass ELSE d.classid END," \
	"        CASE WHEN d.classid = 'pg_rewrite'::regclass" \
	"             THEN r.ev_class ELSE d.objid END" \
	"   FROM obj o" \
	"   JOIN pg_depend d ON d.refclassid = o.classid AND d.refobjid = o.objid" \
	"                   AND d.deptype = 'n'" \
	"   LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass" \
	"                         AND r.oid = d.objid" \
	"  WHERE d.classid IN ('pg_rewrite'::regclass, 'pg_proc'::regclass))" \
	" SELECT DISTINCT coalesce('views/' || c.relname, 'functions/' || p.proname)" \
	"   FROM obj o" \
	"   LEFT JOIN pg_class c ON o.classid = 'pg_class'::regclass AND c.oid = o.objid" \
	"   LEFT JOIN pg_proc p ON o.classid = 'pg_proc'::regclass AND p.oid = o.objid" \
	"  WHERE coalesce(c.relname::text, p.proname::text) IS NOT NULL" \
	"  ORDER BY 1"

/* the privileges roles hold on our views and functions (not PUBLIC's, not
 * the owner's own), to be granted again after the files ran */
#define REPEAT_SAVE_GRANTS_SQL \
	"CREATE TEMP TABLE planq_migrate_grants ON COMMIT DROP AS" \
	" SELECT 'FUNCTION ' || p.oid::regprocedure::text AS target," \
	"        a.grantee::regrole::text AS grantee, a.privilege_type," \
	"        a.is_grantable" \
	"   FROM pg_proc p CROSS JOIN LATERAL aclexplode(p.proacl) a" \
	"  WHERE p.pronamespace = 'public'::regnamespace" \
	"    AND a.grantee <> 0 AND a.grantee <> p.proowner" \
	" UNION ALL" \
	" SELECT 'TABLE ' || c.oid::regclass::text, a.grantee::regrole::text," \
	"        a.privilege_type, a.is_grantable" \
	"   FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a" \
	"  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('v', 'm')" \
	"    AND a.grantee <> 0 AND a.grantee <> c.relowner"

/* an object no longer there (its file dropped it for good) is skipped */
#define REPEAT_RESTORE_GRANTS_SQL \
	"DO $$\n" \
	"DECLARE g record;\n" \
	"BEGIN\n" \
	"	FOR g IN SELECT * FROM planq_migrate_grants LOOP\n" \
	"		BEGIN\n" \
	"			EXECUTE format('GRANT %s ON %s TO %s%s', g.privilege_type,\n" \
	"			               g.target, g.grantee,\n" \
	"			               CASE WHEN g.is_grantable\n" \
	"			                    THEN ' WITH GRANT OPTION' ELSE '' END);\n" \
	"		EXCEPTION WHEN undefined_function OR undefined_table\n" \
	"		               OR undefined_object THEN\n" \
	"			NULL;\n" \
	"		END;\n" \
	"	END LOOP;\n" \
	"END $$"

#define REPEAT_RECORD_SQL \
	"INSERT INTO planq_repeatables (name, checksum) VALUES ($1, $2)" \
	" ON CONFLICT (name) DO UPDATE" \
	" SET checksum = EXCLUDED.checksum, applied_at = now()"

/* One repeatable file of the set. */
struct repeat_file {
	const struct sql_embedded *m;
	struct migrate_sum	 sum;
	int			 pending;	/* new, changed, or its object missing */
	int			 member;	/* of the group being applied */
};

/* One run over the set's repeatable files. */
struct repeat_run {
	PGconn		*conn;
	FILE		*out;
	size_t		 n;
	struct repeat_file *files;	/* in the set's order */
	PGresult	*dependents;	/* of the group's first file */
};

/* A query of one or two text parameters answering one boolean; -1 on error. */
static int
repeat_bool(PGconn *conn, const char *sql, const char *a, const char *b)
{
	const char *params[2] = { a, b };
	PGresult *res = PQexecParams(conn, sql, b != NULL ? 2 : 1, NULL, params,
	    NULL, NULL, 0);
	int v = -1;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		v = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	else
		dbconn_report(MIGRATE_WHO, "cannot read the repeatable files' state",
		    res, conn);
	PQclear(res);
	return v;
}

static int
repeat_collect(struct repeat_run *run, const struct sql_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->files[i].kind == SQL_REPEATABLE)
			run->n++;
	run->files = calloc(run->n + 1, sizeof(*run->files));
	if (run->files == NULL) {
		fprintf(stderr, "planq %s: out of memory\n", MIGRATE_WHO);
		return -1;
	}
	run->n = 0;
	for (size_t i = 0; i < set->count; i++)
		if (set->files[i].kind == SQL_REPEATABLE) {
			run->files[run->n].m = &set->files[i];
			if (migrate_checksum(&set->files[i],
			    &run->files[run->n].sum) != 0)
				return -1;
			run->n++;
		}
	return 0;
}

static int
repeat_find_pending(struct repeat_run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		int current = repeat_bool(run->conn, REPEAT_CURRENT_SQL,
		    run->files[i].m->name, run->files[i].sum.hex);

		if (current < 0)
			return -1;
		run->files[i].pending = !current;
	}
	return 0;
}

/* Marks file `first` and the files of its object's dependents. */
static int
repeat_mark_group(struct repeat_run *run, size_t first)
{
	const char *params[1] = { run->files[first].m->name };

	for (size_t i = 0; i < run->n; i++)
		run->files[i].member = i == first;
	run->dependents = PQexecParams(run->conn, REPEAT_DEPENDENTS_SQL, 1, NULL,
	    params, NULL, NULL, 0);
	if (PQresultStatus(run->dependents) != PGRES_TUPLES_OK) {
		dbconn_report(MIGRATE_WHO, "cannot read what depends on a "
		    "repeatable file's object", run->dependents, run->conn);
		return -1;
	}
	for (int r = 0; r < PQntuples(run->dependents); r++)
		for (size_t i = 0; i < run->n; i++)
			if (strcmp(run->files[i].m->name,
			    PQgetvalue(run->dependents, r, 0)) == 0)
				run->files[i].member = 1;
	return 0;
}

/* The group's files in order; -1 after the failing one was reported. */
static int
repeat_exec_group(struct repeat_run *run)
{
	if (migrate_exec(run->conn, REPEAT_SAVE_GRANTS_SQL,
	    "cannot read the grants on views and functions") != 0)
		return -1;
	for (size_t i = 0; i < run->n; i++)
		if (run->files[i].member &&
		    migrate_exec_file(run->conn, run->files[i].m) != 0)
			return -1;
	if (migrate_exec(run->conn, REPEAT_RESTORE_GRANTS_SQL,
	    "cannot grant the saved privileges again") != 0)
		return -1;
	/* the run's one transaction goes on: the next group saves anew */
	return migrate_exec(run->conn, "DROP TABLE planq_migrate_grants",
	    "cannot drop the saved grants");
}

/* Whether the object of the file named `name` exists; -1 on error. */
static int
repeat_exists(const struct repeat_run *run, const char *name)
{
	return repeat_bool(run->conn, REPEAT_EXISTS_SQL, name, NULL);
}

/* Each file of the group defines its object, and nothing that depended on
 * the first one is gone. */
static int
repeat_check_group(struct repeat_run *run, size_t first)
{
	const char *lead = run->files[first].m->name;
	int there = 1;

	for (size_t i = 0; i < run->n && there == 1; i++) {
		const char *name = run->files[i].m->name;

		if (!run->files[i].member || (there = repeat_exists(run, name)) != 0)
			continue;
		if (i == first)
			fprintf(stderr, "planq %s: %s.sql ran but defines no object "
			    "named %s: a repeatable file is named after the function "
			    "or view it defines.\n", MIGRATE_WHO, lead,
			    strchr(lead, '/') + 1);
		else
			fprintf(stderr, "planq %s: applying %s dropped %s after it was "
			    "applied: list %s.sql after %s.sql in sql/repeatable.list.\n",
			    MIGRATE_WHO, lead, name, name, lead);
	}
	for (int r = 0; r < PQntuples(run->dependents) && there == 1; r++) {
		const char *name = PQgetvalue(run->dependents, r, 0);

		if ((there = repeat_exists(run, name)) == 0)
			fprintf(stderr, "planq %s: applying %s would drop %s, which "
			    "no file of planq defines (an object of your own?): drop "
			    "it, run `planq db migrate`, then create it again.\n",
			    MIGRATE_WHO, lead, name);
	}
	return there == 1 ? 0 : -1;
}

static int
repeat_record_group(struct repeat_run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		const char *params[2] = { run->files[i].m->name,
		    run->files[i].sum.hex };
		PGresult *res;

		if (!run->files[i].member)
			continue;
		res = PQexecParams(run->conn, REPEAT_RECORD_SQL, 2, NULL, params,
		    NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			dbconn_report(MIGRATE_WHO, "cannot record a repeatable file",
			    res, run->conn);
			PQclear(res);
			return -1;
		}
		PQclear(res);
	}
	return 0;
}

static void
repeat_report_group(struct repeat_run *run, size_t first, int *applied)
{
	for (size_t i = 0; i < run->n; i++) {
		struct repeat_file *f = &run->files[i];

		if (!f->member)
			continue;
		if (f->pending)
			fprintf(run->out, "applied %s\n", f->m->name);
		else
			fprintf(run->out, "applied %s (depends on %s)\n",
			    f->m->name, run->files[first].m->name);
		f->pending = 0;
		(*applied)++;
	}
}

static void
repeat_report_rollback(const struct repeat_run *run)
{
	fprintf(stderr, "planq %s: rolled back:", MIGRATE_WHO);
	for (size_t i = 0; i < run->n; i++)
		if (run->files[i].member)
			fprintf(stderr, " %s", run->files[i].m->name);
	fprintf(stderr, "; the database keeps their previous definitions, and "
	    "nothing else of this run is kept. Fix the file and run `planq db "
	    "migrate` again.\n");
}

/* File `first` with its dependents (the caller rolls back on failure). */
static int
repeat_apply_group(struct repeat_run *run, size_t first, int *applied)
{
	int rc;

	rc = repeat_mark_group(run, first);
	if (rc == 0)
		rc = repeat_exec_group(run);
	if (rc == 0)
		rc = repeat_check_group(run, first);
	if (rc == 0)
		rc = repeat_record_group(run);
	PQclear(run->dependents);
	run->dependents = NULL;
	if (rc != 0) {
		repeat_report_rollback(run);
		return -1;
	}
	repeat_report_group(run, first, applied);
	return 0;
}

int
migrate_repeatables(PGconn *conn, const struct sql_set *set, FILE *out,
    int *applied)
{
	struct repeat_run run;
	int rc;

	memset(&run, 0, sizeof(run));
	run.conn = conn;
	run.out = out;
	rc = migrate_exec(conn, REPEAT_TABLE_SQL,
	    "cannot create the planq_repeatables table");
	if (rc == 0)
		rc = repeat_collect(&run, set);
	if (rc == 0)
		rc = repeat_find_pending(&run);
	for (size_t i = 0; i < run.n && rc == 0; i++)
		if (run.files[i].pending)
			rc = repeat_apply_group(&run, i, applied);
	free(run.files);
	return rc;
}
