/*
 * cmd_db.c: `planq db migrate|version|roles [--db DSN]`: schema upkeep.
 * The SQL itself is embedded in the binary (tools/migrate.c); this file
 * only reads options, connects, and maps results to exit codes.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "dbconn.h"
#include "migrate.h"

static void
db_usage(FILE *out)
{
	fprintf(out,
	    "usage: planq db migrate [--db DSN]   apply pending SQL migrations and\n"
	    "                                     new or changed functions and views\n"
	    "       planq db version [--db DSN]   print the schema version (0: none)\n"
	    "       planq db roles   [--db DSN]   create/refresh the planq_ingest and\n"
	    "                                     planq_report roles (needs CREATEROLE)\n"
	    "DSN: a libpq connection string; default $PLANQ_DB, else PGHOST etc.\n");
}

/* Reads --db DSN / --db=DSN; returns 0, or -1 on an unknown option. */
static int
db_options(int argc, char **argv, const char **dsn)
{
	*dsn = NULL;
	for (int i = 2; i < argc; i++) {
		if (!dbconn_option(argc, argv, &i, dsn)) {
			fprintf(stderr, "planq db: unexpected argument '%s'\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

static int
db_version(PGconn *conn, const struct sql_set *set)
{
	int version;

	if (migrate_db_version(conn, &version) != 0)
		return 1;
	printf("%d\n", version);
	if (version < migrate_latest(set))
		fprintf(stderr, "planq db version: this planq carries migrations up "
		    "to %d; run `planq db migrate`\n", migrate_latest(set));
	return 0;
}

int
cmd_db(int argc, char **argv)
{
	/* the SQL files built into this binary (mk/sql.mk) */
	struct sql_set set = { sql_embedded, sql_embedded_count };
	const char *dsn, *sub;
	PGconn *conn;
	int rc;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		db_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	if (strcmp(sub, "migrate") != 0 && strcmp(sub, "version") != 0 &&
	    strcmp(sub, "roles") != 0) {
		fprintf(stderr, "planq db: unknown subcommand '%s'\n", sub);
		db_usage(stderr);
		return 2;
	}
	if (db_options(argc, argv, &dsn) != 0) {
		db_usage(stderr);
		return 2;
	}
	/* migrate and roles write: on the primary of the DSN's hosts */
	conn = strcmp(sub, "version") == 0 ? dbconn_open(dbconn_dsn(dsn), "db") :
	    dbconn_open_primary(dbconn_dsn(dsn), "db");
	if (conn == NULL)
		return 1;
	if (strcmp(sub, "migrate") == 0)
		rc = migrate_run(conn, &set, stdout) == 0 ? 0 : 1;
	else if (strcmp(sub, "roles") == 0)
		rc = migrate_roles(conn, &set, stdout) == 0 ? 0 : 1;
	else
		rc = db_version(conn, &set);
	PQfinish(conn);
	return rc;
}
