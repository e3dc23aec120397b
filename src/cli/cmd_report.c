/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `calltrap report`: per-function statistics of a recorded trace. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/outfile.h"
#include "view/view.h"

#define usage_error(...) ct_cli_usage_error("report", __VA_ARGS__)
enum {
	OPT_FIRST = 256, /* below the CT_OPT_* filter codes of cli.h (1000 on) */
	OPT_SORT,
	OPT_PER_THREAD,
	OPT_NS,
	OPT_SRCLINE,
};

static const struct option report_longopts[] = {
	CT_CLI_FILTER_LONGOPTS,
	CT_CLI_NAMES_LONGOPTS,
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "per-thread", no_argument, NULL, OPT_PER_THREAD },
	{ "ns", no_argument, NULL, OPT_NS },
	{ "srcline", no_argument, NULL, OPT_SRCLINE },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int ct_cmd_report(int argc, char **argv)
{
	struct ct_report_opts ro = { .sort = CT_SORT_TOTAL };
	struct ct_view_problems pb;
	struct ct_view_filter f;
	struct ct_trace_reader *r;
	struct ct_view_input *in;
	struct ct_report *rp = NULL;
	const char *path, *output = NULL;
	char why[200], err[CT_TRACE_ERRLEN];
	struct ct_outfile of = CT_OUTFILE_INIT;
	FILE *out = stdout;
	int c, fd, rc, code = 0;
	enum ct_demangle names = CT_DEMANGLE_SHORT;

	ct_view_filter_init(&f);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", report_longopts, NULL)) != -1) {
		switch (c) {
		case CT_OPT_FUNC:
		case CT_OPT_TID:
		case CT_OPT_MAX_DEPTH:
		case CT_OPT_MIN_DURATION:
		case CT_OPT_SINCE:
		case CT_OPT_UNTIL:
			if (ct_view_filter_set(&f, ct_cli_filter_name(c), optarg, why, sizeof(why)))
				return usage_error("%s", why);
			break;
		case OPT_SORT:
			if (ct_report_sort_parse(optarg, &ro.sort) < 0)
				return usage_error("invalid --sort '%s' (calls, total, self, avg, "
						   "min, max or name)",
						   optarg);
			break;
		case OPT_PER_THREAD:
			ro.per_thread = true;
			break;
		case OPT_NS:
			ro.ns = true;
			break;
		case OPT_SRCLINE:
			ro.srcline = true;
			break;
		case 'o':
			output = optarg;
			break;
		case CT_OPT_DEMANGLE:
			if (ct_cli_parse_demangle("report", optarg, &names) < 0)
				return CT_EXIT_USAGE;
			break;
		case CT_OPT_NO_DEMANGLE:
			names = CT_DEMANGLE_NO;
			break;
		case 'h':
			ct_help_report(stdout);
			return 0;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	code = ct_cli_trace_operand("report", argc, argv, optind, &f, &path);
	if (code)
		return code;

	if (ct_view_open_file(path, &fd, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "calltrap: %s: %s\n", path, err);
		return CT_EXIT_ERROR;
	}
	code = ct_cli_view_names(path, r, names);
	if (code)
		goto out_reader;
	rp = ct_report_new(&ro);
	in = rp ? ct_view_input_new(r, fd, f.since_ns, f.until_ns, 0) : NULL;
	if (!in) {
		fprintf(stderr, "calltrap: %s\n", strerror(errno));
		code = CT_EXIT_ERROR;
		goto out_reader;
	}
	rc = ct_report_collect(rp, in, &f);
	ct_view_input_problems(in, &pb);
	if (rc < 0 && !pb.error) {
		fprintf(stderr, "calltrap: %s: %s\n", path, strerror(-rc));
		code = CT_EXIT_ERROR;
		goto out_input;
	}
	/* the table of what was read, even from a damaged file (not into -o
	 * FILE, which an error leaves as it was) */
	if (output && ct_cli_open_output(output, &of, &out)) {
		code = CT_EXIT_ERROR;
		goto out_input;
	}
	rc = ct_report_print(rp, out);
	if (fflush(out) && !rc)
		rc = errno ? -errno : -EIO;
	code = ct_cli_view_verdict(path, output, &pb, rc);
	code = ct_cli_close_output(output, &of, code);
out_input:
	ct_view_input_free(in);
out_reader:
	ct_report_free(rp);
	ct_trace_reader_close(r);
	close(fd);
	return code;
}

void ct_help_report(FILE *fp)
{
	fputs("Usage: calltrap report [OPTIONS] [FILE]\n"
	      "\n"
	      "Per-function statistics of the calls recorded in FILE (default\n"
	      "calltrap.trace): calls, total time, self time (minus the traced functions it\n"
	      "called), average, min and max time of one call.  Frames left by longjmp or an\n"
	      "exception count as calls that lasted until calltrap saw them unwound.  The\n"
	      "total of a recursive function counts each moment once (its outermost calls).\n"
	      "\n"
	      "Filters:\n"
	      "      --func=GLOB          only the subtrees of functions matching GLOB\n"
	      "                           (repeatable); depths count from the match\n"
	      "      --tid=TID[,TID...]   only these threads (repeatable)\n"
	      "      --max-depth=N        only frames at depth <= N (deeper ones count as\n"
	      "                           their caller's self time)\n"
	      "      --min-duration=TIME  only frames that lasted at least TIME\n"
	      "      --since=TIME         only calls at or after TIME from the trace start\n"
	      "      --until=TIME         only calls at or before TIME (frames still open end\n"
	      "                           there)\n"
	      "                           TIME: a number with a unit: ns, us, ms or s (1.5ms)\n"
	      "Options:\n"
	      "      --sort=KEY           total (default), self, calls, avg, min, max (largest\n"
	      "                           first) or name\n"
	      "      --per-thread         a row per thread and function, with a TID column\n"
	      "      --ns                 times as integer nanoseconds\n"
	      "      --srcline            a Source column: each function's file:line (from\n"
	      "                           DWARF), - when unknown\n"
	      "      --demangle=HOW       C++ names: short (default: scope and name, longer\n"
	      "                           only where two functions of the file would read the\n"
	      "                           same), full (as demangled) or no (the symbols)\n"
	      "      --no-demangle        --demangle=no\n"
	      "  -o, --output=FILE        write to FILE instead of stdout (replaced only if\n"
	      "                           the command succeeds)\n"
	      "  -h, --help               this help\n"
	      "\n"
	      "Exit status: 0; 1 if FILE cannot be read or lost bytes (a chunk cut short or\n"
	      "damaged: the table of what was read is printed, and one line on stderr says\n"
	      "where and what was lost); 2 on a usage error.  A file without its end marker\n"
	      "but whole chunks (recorder killed between two) warns and exits 0.\n",
	      fp);
}
