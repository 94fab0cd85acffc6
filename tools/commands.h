/*
 * commands.h: the subcommands of bin/planq.  Each lives in its own file
 * (tools/cmd_NAME.c) and takes argc/argv starting at its own name; it
 * returns the process exit status.
 */
#ifndef PLANQ_COMMANDS_H
#define PLANQ_COMMANDS_H

int	cmd_parse(int argc, char **argv);	/* cmd_parse.c */
int	cmd_send(int argc, char **argv);	/* cmd_send.c */
int	cmd_db(int argc, char **argv);		/* cmd_db.c: db migrate|version|roles */
int	cmd_reparse(int argc, char **argv);	/* cmd_reparse.c */
int	cmd_report(int argc, char **argv);	/* cmd_report.c */
int	cmd_status(int argc, char **argv);	/* cmd_status.c: planqd's control socket */
int	cmd_keygen(int argc, char **argv);	/* cmd_keygen.c: CurveZMQ key pairs */

#endif
