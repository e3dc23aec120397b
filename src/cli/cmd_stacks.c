/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `calltrap stacks -p PID`: every thread's system call and backtrace from
 * one consistent stop, mutex owners and deadlocks; then detach. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "stacks/stacks.h"
#include "symtab/symtab.h"
#include "util/outfile.h"

#define usage_error(...) ct_cli_usage_error("stacks", __VA_ARGS__)

enum {
	OPT_FORMAT = 256,
	OPT_TID,
	OPT_MAX_FRAMES,
	OPT_TIMEOUT,
	OPT_NO_DEMANGLE,
	OPT_DEMANGLE,
	OPT_DEBUG_DIR,
};

static const struct option stacks_longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "tid", required_argument, NULL, OPT_TID },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "max-frames", required_argument, NULL, OPT_MAX_FRAMES },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "no-demangle", no_argument, NULL, OPT_NO_DEMANGLE },
	{ "demangle", required_argument, NULL, OPT_DEMANGLE },
	{ "debug-dir", required_argument, NULL, OPT_DEBUG_DIR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void ct_help_stacks(FILE *fp)
{
	fputs("usage: calltrap stacks -p PID [OPTIONS]\n"
	      "\n"
	      "Stop every thread of PID at once, print what each is doing (the system call\n"
	      "it is blocked in, with its arguments, and its backtrace), who holds the mutex\n"
	      "each blocked thread waits for and any cycle of such waits (a deadlock), then\n"
	      "detach, leaving the process as it was (running, or still stopped).\n"
	      "Inlined calls are frames of their own ([inlined]); an address inside a data\n"
	      "symbol is named as gdb does (0x...<accounts+56>).  A kernel thread has no\n"
	      "stack to show: one line, exit status 1.\n"
	      "\n"
	      "  -p, --pid=PID         the process (a thread id stands for its process)\n"
	      "      --tid=TID         show this thread only (all are still stopped together)\n"
	      "      --format=FORMAT   text (default) or json (docs/stacks.md)\n"
	      "  -o, --output=FILE     write there instead of stdout (replaced only if the\n"
	      "                        command succeeds)\n"
	      "      --max-frames=N    at most N frames per thread (default 256; inlined ones\n"
	      "                        not counted)\n"
	      "      --timeout=SECS    wait that long for each thread to stop (default 2)\n"
	      "      --demangle=HOW    text names C++ functions short (default: scope and\n"
	      "                        name, longer only where two frames would read the\n"
	      "                        same), full (as demangled; json always) or no (the\n"
	      "                        symbols as they are in the binary, json too)\n"
	      "      --no-demangle     --demangle=no\n"
	      "      --debug-dir=DIR   look for separate debug info under DIR first, as under\n"
	      "                        /usr/lib/debug (.build-id/, or the binary's directory);\n"
	      "                        repeatable\n"
	      "  -h, --help            this text\n",
	      fp);
}

int ct_cmd_stacks(int argc, char **argv)
{
	struct ct_stacks_opts o = { 0 };
	struct ct_snapshot *snap = NULL;
	const char *output = NULL;
	bool json = false;
	pid_t tid = 0;
	char err[256];
	struct ct_outfile of = CT_OUTFILE_INIT;
	FILE *out = stdout;
	const char *debug_dirs[CT_CLI_MAX_DEBUG_DIRS];
	unsigned nr_debug_dirs = 0;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:o:h", stacks_longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (ct_cli_parse_id(optarg, &o.pid) < 0)
				return usage_error("invalid pid '%s'", optarg);
			break;
		case OPT_TID:
			if (ct_cli_parse_id(optarg, &tid) < 0)
				return usage_error("invalid tid '%s'", optarg);
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "json"))
				json = true;
			else if (!strcmp(optarg, "text"))
				json = false;
			else
				return usage_error("unknown format '%s' (text or json)", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_MAX_FRAMES: {
			unsigned long v;

			if (ct_cli_parse_ulong(optarg, 1, 100000, &v) < 0)
				return usage_error("invalid --max-frames '%s' (1 to 100000)", optarg);
			o.max_frames = (unsigned)v;
			break;
		}
		case OPT_TIMEOUT: {
			char *end;
			double v;

			errno = 0;
			v = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(v) || v <= 0 || v > 3600)
				return usage_error("invalid --timeout '%s' (seconds, > 0)", optarg);
			o.stop_timeout_ms = v * 1000 < 1 ? 1 : (unsigned)(v * 1000);
			break;
		}
		case OPT_NO_DEMANGLE:
			o.demangle = CT_DEMANGLE_NO;
			break;
		case OPT_DEMANGLE:
			if (ct_cli_parse_demangle("stacks", optarg, &o.demangle) < 0)
				return CT_EXIT_USAGE;
			break;
		case OPT_DEBUG_DIR:
			if (nr_debug_dirs == CT_CLI_MAX_DEBUG_DIRS)
				return usage_error("at most %d --debug-dir", CT_CLI_MAX_DEBUG_DIRS);
			debug_dirs[nr_debug_dirs++] = optarg;
			break;
		case 'h':
			ct_help_stacks(stdout);
			return 0;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!o.pid)
		return usage_error("which process? give -p PID");
	if (nr_debug_dirs) {
		if (ct_cli_export_debug_dirs("stacks", debug_dirs, nr_debug_dirs) < 0)
			return CT_EXIT_USAGE;
	}

	ret = ct_stacks_take(&o, &snap, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "calltrap: stacks %d: %s\n", (int)o.pid, err[0] ? err : strerror(-ret));
		return CT_EXIT_ERROR;
	}
	if (tid && !ct_snapshot_thread(snap, tid)) {
		fprintf(stderr, "calltrap: stacks %d: no thread %d in process %d\n", (int)o.pid,
			(int)tid, (int)snap->pid);
		ct_snapshot_free(snap);
		return CT_EXIT_ERROR;
	}
	/* opened only now: a bad pid must not touch an existing file */
	if (output && ct_cli_open_output(output, &of, &out)) {
		ct_snapshot_free(snap);
		return CT_EXIT_ERROR;
	}
	ret = json ? ct_stacks_print_json(out, snap, tid) : ct_stacks_print_text(out, snap, tid);
	if (ret < 0)
		fprintf(stderr, "calltrap: writing %s: %s\n", output ? output : "stdout",
			strerror(-ret));
	ret = ct_cli_close_output(output, &of, ret < 0 ? CT_EXIT_ERROR : 0);
	ct_snapshot_free(snap);
	return ret;
}
