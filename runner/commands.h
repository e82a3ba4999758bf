/* commands.h: the subcommands of `agentbench` (main.c's table); each lives in its own file
 * or folder and takes the arguments after the subcommand name (argv[0] is the
 * subcommand). They return the process exit status: 0 success, 1 failure, 2 usage error. */
#ifndef AB_COMMANDS_H
#define AB_COMMANDS_H

int rn_cmd_run(int argc, char **argv);        /* run.c */
int rn_cmd_report(int argc, char **argv);     /* report.c */
int rn_cmd_compare(int argc, char **argv);    /* compare.c */
int rn_cmd_list(int argc, char **argv);       /* list.c */
int rn_cmd_flamegraph(int argc, char **argv); /* flamegraph/command.c */
int rn_cmd_baseline(int argc, char **argv);   /* baseline/command.c */
int rn_cmd_load(int argc, char **argv);       /* load/cmd_load.c */
int rn_cmd_web(int argc, char **argv);        /* webserver/command.c */

#endif
