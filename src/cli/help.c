/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"

void ct_help_main(FILE *fp)
{
	fputs("Usage: calltrap COMMAND [OPTIONS]\n"
	      "\n"
	      "A ptrace-based function-call tracer: breakpoints at function entries and at\n"
	      "the real return addresses, one ptrace stop per event, nothing rewritten on\n"
	      "the stack.\n"
	      "\n"
	      "Commands:\n"
	      "  calltrap trace [OPTIONS] -- PROGRAM [ARGS...]   start PROGRAM and print events live\n"
	      "  calltrap trace [OPTIONS] -p PID                 attach to every thread of PID\n"
	      "  calltrap record [OPTIONS] -- PROGRAM [ARGS...]  the same, into a trace file\n"
	      "  calltrap record [OPTIONS] -p PID                (calltrap.trace, or -o FILE)\n"
	      "  calltrap replay [OPTIONS] [FILE]                the recorded calls as a tree\n"
	      "  calltrap report [OPTIONS] [FILE]                time and calls per function\n"
	      "  calltrap dump [OPTIONS] [FILE]                  the events as jsonl, chrome,\n"
	      "                                                  folded stacks or an SVG flame graph\n"
	      "  calltrap stacks [OPTIONS] -p PID                every thread's syscall and backtrace,\n"
	      "                                                  mutex owners and deadlock cycles\n"
	      "  calltrap repl [OPTIONS] [FILE | -p PID | -- PROGRAM [ARGS...]]\n"
	      "                                                  interactive session (-x SCRIPT or\n"
	      "                                                  piped commands: batch)\n"
	      "  calltrap help [COMMAND]                         help on calltrap or a command\n"
	      "\n"
	      "  -h, --help      this help\n"
	      "  -V, --version   print the version\n"
	      "\n"
	      "See 'calltrap COMMAND --help' and calltrap(1).\n",
	      fp);
}

void ct_help_trace(FILE *fp)
{
	fputs("Usage: calltrap trace [OPTIONS] -- PROGRAM [ARGS...]\n"
	      "       calltrap trace [OPTIONS] -p PID\n"
	      "\n"
	      "Start PROGRAM (or attach to every thread of PID) and print an event for each\n"
	      "call and return of the selected functions, live.  Where DWARF describes a\n"
	      "function (in the binary or in separate debug info), its arguments and return\n"
	      "value are shown by name and decoded by type: f(n=10, s=\"abc\") = 3.\n"
	      "\n"
	      "Options:\n"
	      "  -e, --functions=PATTERN  functions to trace (repeatable): a shell glob over\n"
	      "                           function names, C++ ones demangled ('ns::Klass::*')\n"
	      "                           or as symbols ('_ZN2ns*'); MODULE:GLOB restricts it\n"
	      "                           to a module by file name (e.g. libc.so.6:malloc, or\n"
	      "                           libfoo.so:ns::*); !GLOB excludes; default: every\n"
	      "                           function defined in the main executable\n"
	      "  -p, --pid=PID            attach to a running process (all its threads)\n"
	      "  -o, --output=FILE        write events to FILE instead of stderr\n"
	      "      --format=text|jsonl  event format (default text)\n"
	      "      --regs               add the general-purpose registers to every event\n"
	      "  -f, --follow-forks       trace forked children too (each event carries its pid)\n"
	      "      --duration=SECONDS   with -p: trace that long, then detach (decimals allowed)\n"
	      "      --max-depth=N        report only frames at depth <= N\n"
	      "      --no-demangle        name C++ functions by their symbols (_ZN2ns1fEi), in\n"
	      "                           events and patterns\n"
	      "      --string-limit=N     show at most N bytes of a char * argument or return\n"
	      "                           value, then \"...\" (default 32)\n"
	      "      --raw-args           show the argument and return registers in hex even\n"
	      "                           where DWARF gives names and types\n"
	      "      --debug-dir=DIR      look for separate debug info under DIR first, as under\n"
	      "                           /usr/lib/debug (.build-id/, or the binary's directory);\n"
	      "                           repeatable\n"
	      "      --stats              on exit print to stderr one line:\n"
	      "                           calltrap: stats: call=N return=N unwind=N stops_entry=N\n"
	      "                           stops_return=N stops_step=N stops_spurious=N\n"
	      "                           stops_internal=N stops_other=N returns_unseen=N\n"
	      "  -v, --verbose            more diagnostics (repeatable)\n"
	      "  -h, --help               this help\n"
	      "\n"
	      "Exit status: PROGRAM's own (128+N if killed by signal N); with -p, 0 after a\n"
	      "clean detach; 1 on a calltrap error; 2 on a usage error.  With -p, SIGINT,\n"
	      "SIGTERM and SIGHUP detach cleanly, leaving the process as it was.\n",
	      fp);
}

void ct_help_record(FILE *fp)
{
	fputs("Usage: calltrap record [OPTIONS] -- PROGRAM [ARGS...]\n"
	      "       calltrap record [OPTIONS] -p PID\n"
	      "\n"
	      "Like 'calltrap trace', but the events go to a binary trace file\n"
	      "(docs/trace-format.md) for replay, report and dump.  The file is written a\n"
	      "chunk at a time (when one fills, and when the program has been quiet with\n"
	      "events waiting for a second): if calltrap is killed, every chunk written\n"
	      "before stays readable.\n"
	      "\n"
	      "Options:\n"
	      "  -o, --output=FILE        the trace file (default calltrap.trace; replaced)\n"
	      "  -e, --functions=PATTERN  functions to trace, as for 'calltrap trace'\n"
	      "  -p, --pid=PID            attach to a running process (all its threads)\n"
	      "      --regs               record the general-purpose registers at every event\n"
	      "  -f, --follow-forks       record forked children too\n"
	      "      --duration=SECONDS   with -p: record that long, then detach\n"
	      "      --max-depth=N        record only frames at depth <= N\n"
	      "      --no-demangle        record C++ functions by their symbol names\n"
	      "      --string-limit=N     record at most N bytes of a char * value (default 32)\n"
	      "      --raw-args           record registers even where DWARF types the arguments\n"
	      "      --debug-dir=DIR      look for separate debug info under DIR first (repeatable)\n"
	      "      --stats              on exit print the stats line of 'calltrap trace'\n"
	      "  -v, --verbose            more diagnostics (repeatable)\n"
	      "  -h, --help               this help\n"
	      "\n"
	      "Exit status as for 'calltrap trace'.\n",
	      fp);
}
