/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `calltrap repl`: the command line of an interactive or scripted session. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "repl/repl.h"
#include "session/session.h"

#define usage_error(...) ct_cli_usage_error("repl", __VA_ARGS__)

#define MAX_FUNCTIONS 256

enum {
	OPT_NO_REGS = 256,
	OPT_NO_DEMANGLE,
	OPT_DEMANGLE,
	OPT_RAW_ARGS,
	OPT_STRING_LIMIT,
	OPT_DEBUG_DIR,
};

static const struct option repl_longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "script", required_argument, NULL, 'x' },
	{ "functions", required_argument, NULL, 'e' },
	{ "follow-forks", no_argument, NULL, 'f' },
	{ "no-regs", no_argument, NULL, OPT_NO_REGS },
	{ "no-demangle", no_argument, NULL, OPT_NO_DEMANGLE },
	{ "demangle", required_argument, NULL, OPT_DEMANGLE },
	{ "raw-args", no_argument, NULL, OPT_RAW_ARGS },
	{ "string-limit", required_argument, NULL, OPT_STRING_LIMIT },
	{ "debug-dir", required_argument, NULL, OPT_DEBUG_DIR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void ct_help_repl(FILE *fp)
{
	fputs("Usage: calltrap repl [OPTIONS] [FILE]\n"
	      "       calltrap repl [OPTIONS] -p PID\n"
	      "       calltrap repl [OPTIONS] -- PROGRAM [ARGS...]\n"
	      "\n"
	      "An interactive session: start PROGRAM stopped at its entry point, or attach\n"
	      "to PID (every thread stopped), or load a recorded trace FILE; then choose\n"
	      "functions, run, stop, and filter, search and step through the events.  With\n"
	      "-x SCRIPT, or commands piped on stdin, the same commands run without prompt;\n"
	      "the first failing command ends the run with exit status 1 (unless the script\n"
	      "says 'set continue-on-error on'); a FILE that lost bytes is loaded as far as\n"
	      "it is intact, and the run goes on but exits with 1.  Type 'help' at the prompt\n"
	      "for the commands.  As in gdb, a unique beginning names a command ('fil') and\n"
	      "gdb's short forms work (c, n, s, p, fin, b, bt, i b, i r, info threads, q).\n"
	      "\n"
	      "Options:\n"
	      "  -x, --script=FILE        read commands from FILE\n"
	      "  -e, --functions=PATTERN  functions to trace (repeatable), as in calltrap trace\n"
	      "                           (C++ names demangled or as symbols);\n"
	      "                           default: every function defined in the main executable\n"
	      "  -p, --pid=PID            attach to a running process (all its threads)\n"
	      "  -f, --follow-forks       trace forked children too\n"
	      "      --no-regs            do not record register snapshots ('regs' shows them)\n"
	      "      --demangle=HOW       how events name C++ functions: short (default; scope\n"
	      "                           and name, longer only where two would read the\n"
	      "                           same), full (as demangled) or no (symbols, in events,\n"
	      "                           listings and patterns), as in calltrap trace\n"
	      "      --no-demangle        --demangle=no\n"
	      "      --string-limit=N     record at most N bytes of a char * value (default 32)\n"
	      "      --raw-args           record registers even where DWARF types the arguments\n"
	      "      --debug-dir=DIR      look for separate debug info under DIR first (repeatable)\n"
	      "  -h, --help               this text\n"
	      "\n"
	      "Line editing and history (~/.calltrap_history) come from libedit; Tab completes\n"
	      "commands, function names (libc.so.6:mallo too), thread ids and file names;\n"
	      "Ctrl-C stops a running 'continue'; Ctrl-D or 'quit' leaves (a program calltrap\n"
	      "started is killed, one it attached to is detached and left running), asking\n"
	      "first at the terminal.\n",
	      fp);
}

int ct_cmd_repl(int argc, char **argv)
{
	struct ct_repl_opts o = { .regs = true };
	char *functions[MAX_FUNCTIONS];
	const char *debug_dirs[CT_CLI_MAX_DEBUG_DIRS];
	unsigned nr_debug_dirs = 0;
	unsigned long limit;
	int c;

	o.functions = functions;
	optind = 1;
	opterr = 0;
	/* '+': options end at the first operand (the program's own follow) */
	while ((c = getopt_long(argc, argv, "+:p:x:e:fh", repl_longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (ct_cli_parse_id(optarg, &o.pid) < 0)
				return usage_error("invalid pid '%s'", optarg);
			break;
		case 'x':
			o.script = optarg;
			break;
		case 'e':
			if (o.nr_functions == MAX_FUNCTIONS)
				return usage_error("too many -e patterns (at most %d)", MAX_FUNCTIONS);
			functions[o.nr_functions++] = optarg;
			break;
		case 'f':
			o.follow_forks = true;
			break;
		case OPT_NO_REGS:
			o.regs = false;
			break;
		case OPT_NO_DEMANGLE:
			o.demangle = CT_DEMANGLE_NO;
			break;
		case OPT_DEMANGLE:
			if (ct_cli_parse_demangle("repl", optarg, &o.demangle) < 0)
				return CT_EXIT_USAGE;
			break;
		case OPT_RAW_ARGS:
			o.raw_args = true;
			break;
		case OPT_STRING_LIMIT:
			if (ct_cli_parse_ulong(optarg, 1, CT_MAX_STRING_LIMIT, &limit) < 0)
				return usage_error("invalid --string-limit '%s' (1 to %d bytes)", optarg,
						   CT_MAX_STRING_LIMIT);
			o.string_limit = (unsigned)limit;
			break;
		case OPT_DEBUG_DIR:
			if (nr_debug_dirs == CT_CLI_MAX_DEBUG_DIRS)
				return usage_error("at most %d --debug-dir", CT_CLI_MAX_DEBUG_DIRS);
			debug_dirs[nr_debug_dirs++] = optarg;
			break;
		case 'h':
			ct_help_repl(stdout);
			return 0;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc && !strcmp(argv[optind - 1], "--")) {
		o.argv = argv + optind;
	} else if (optind < argc) {
		if (optind + 1 < argc)
			return usage_error("unexpected argument '%s' (a program goes after '--')",
					   argv[optind + 1]);
		o.file = argv[optind];
	} else if (optind == argc && !strcmp(argv[optind - 1], "--") && optind > 1) {
		return usage_error("no program after '--'");
	}
	if (!!o.file + !!o.pid + !!o.argv > 1)
		return usage_error("give one of FILE, -p PID and -- PROGRAM");
	if (nr_debug_dirs && ct_cli_export_debug_dirs("repl", debug_dirs, nr_debug_dirs) < 0)
		return CT_EXIT_USAGE;
	return ct_repl_main(&o);
}
