/* SPDX-License-Identifier: GPL-2.0-or-later */
/* calltrap repl: an interactive or scripted session over live and
 * recorded events. */
#ifndef CT_REPL_H
#define CT_REPL_H

#include <stdbool.h>
#include <sys/types.h>

#include "symtab/symtab.h"

struct ct_repl_opts {
	const char *file;     /* a trace file to load, or NULL */
	pid_t pid;            /* attach, or 0 */
	char **argv;          /* a program to start, or NULL */
	const char *script;   /* -x SCRIPT, or NULL */
	char **functions;     /* -e PATTERN specs; none: the default set */
	unsigned nr_functions;
	bool regs;            /* record register snapshots (default on) */
	bool follow_forks;
	enum ct_demangle demangle; /* how C++ functions are named (--demangle) */
	bool raw_args;        /* registers even where DWARF types the arguments */
	unsigned string_limit; /* 0: the session's default */
};

/* Run the session.  Returns calltrap's exit status. */
int ct_repl_main(const struct ct_repl_opts *o);

#endif
