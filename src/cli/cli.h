/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command line: subcommands and their options. */
#ifndef CT_CLI_H
#define CT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "output/output.h"
#include "symtab/symtab.h"

/* Exit codes of calltrap itself (a traced program's status is passed on). */
#define CT_EXIT_ERROR 1
#define CT_EXIT_USAGE 2

struct ct_trace_opts {
	struct ct_patterns patterns;
	const char *output;     /* NULL: stderr */
	enum ct_format format;
	bool regs;
	bool follow_forks;
	bool stats;
	uint64_t duration_ns;   /* 0: none */
	unsigned max_depth;     /* 0: unlimited */
	pid_t pid;              /* 0: spawn argv */
	char **argv;            /* PROGRAM [ARGS...] */
	int verbose;
};

#define CT_RECORD_DEFAULT_FILE "calltrap.trace"

/* Parse `calltrap trace` or `calltrap record` options (argv[0] says which:
 * record takes no --format and writes CT_RECORD_DEFAULT_FILE without -o).
 * 0; 1 when help was printed; -EINVAL after printing one usage error line. */
int ct_trace_parse(int argc, char **argv, struct ct_trace_opts *o);
void ct_trace_opts_fini(struct ct_trace_opts *o);

/* Run the session o describes (spawn or attach, trace until the end or a
 * stop signal), events into out, which it ends (ct_output_end) but does not
 * free.  Prints its errors; returns calltrap's exit status. */
int ct_cli_run(const struct ct_trace_opts *o, struct ct_output *out);

/* Subcommands: argv[0] is the subcommand's name; each returns the exit
 * status.  Each has a help function printing its --help text. */
int ct_cmd_trace(int argc, char **argv);
int ct_cmd_record(int argc, char **argv);
int ct_cmd_replay(int argc, char **argv);
int ct_cmd_report(int argc, char **argv);
int ct_cmd_dump(int argc, char **argv);
int ct_cmd_stacks(int argc, char **argv);

void ct_help_main(FILE *fp);
void ct_help_trace(FILE *fp);
void ct_help_record(FILE *fp);
void ct_help_replay(FILE *fp);
void ct_help_report(FILE *fp);
void ct_help_dump(FILE *fp);
void ct_help_stacks(FILE *fp);

#endif
