/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command line: subcommands and their options. */
#ifndef CT_CLI_H
#define CT_CLI_H

#include <stdbool.h>
#include <stdint.h>
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

/* Parse `calltrap trace` options (argv[0] is "trace").  0; 1 when help was
 * printed; -EINVAL after printing one usage error line. */
int ct_trace_parse(int argc, char **argv, struct ct_trace_opts *o);
void ct_trace_opts_fini(struct ct_trace_opts *o);

int ct_cmd_trace(int argc, char **argv);

void ct_help_main(FILE *fp);
void ct_help_trace(FILE *fp);

#endif
