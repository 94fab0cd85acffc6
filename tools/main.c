/*
 * main.c: bin/planq, the command line.  Only dispatches to the subcommand
 * files; each subcommand parses its own options.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"

static const struct command {
	const char *name;
	int (*run)(int, char **);
	const char *usage;
} commands[] = {
	{ "parse", cmd_parse, "parse FILE|-            print the parsed plan as JSON" },
	{ "send", cmd_send, "send --to ENDPOINT FILE|DIR|- …  send documents to planqd" },
	{ "db", cmd_db, "db migrate|version|roles [--db DSN]  schema upkeep" },
	{ "reparse", cmd_reparse, "reparse [--db DSN] [--since DATE|--all]  rerun the parser on stored documents" },
	{ "status", cmd_status, "status [--socket PATH] [--json]  workers, queue and counters of a running planqd" },
	{ "report", cmd_report, "report [--db DSN] [--csv|--json] [plans|budgets|history ORG|changes ORG|search TEXT|fragments|ingest]" },
	{ "keygen", cmd_keygen, "keygen NAME              write a CurveZMQ key pair: NAME and NAME_secret" },
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: planq COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  planq %s\n", commands[i].usage);
}

int
main(int argc, char **argv)
{
	log_init("planq", LOG_NOTICE);
	log_set_prefix_priority(0);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "planq: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
