/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `calltrap dump`: a recorded trace as JSON lines, Chrome trace JSON, a
 * Perfetto protobuf trace, folded stacks or a flame-graph SVG. */
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

#define usage_error(...) ct_cli_usage_error("dump", __VA_ARGS__)
enum {
	OPT_FIRST = 256, /* below the CT_OPT_* filter codes of cli.h (1000 on) */
	OPT_FORMAT,
	OPT_NO_REGS,
	OPT_PER_THREAD,
	OPT_TITLE,
};

static const struct option dump_longopts[] = {
	CT_CLI_FILTER_LONGOPTS,
	CT_CLI_NAMES_LONGOPTS,
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "no-regs", no_argument, NULL, OPT_NO_REGS },
	{ "per-thread", no_argument, NULL, OPT_PER_THREAD },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int ct_cmd_dump(int argc, char **argv)
{
	struct ct_dump_opts dopt = { .format = CT_DUMP_JSONL };
	struct ct_view_problems pb;
	struct ct_view_filter f;
	struct ct_trace_reader *r;
	struct ct_view_input *in;
	const char *path, *output = NULL;
	char why[200];
	struct ct_outfile of = CT_OUTFILE_INIT;
	FILE *out;
	int c, fd, rc, code = 0;
	enum ct_demangle names = CT_DEMANGLE_SHORT;

	ct_view_filter_init(&f);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", dump_longopts, NULL)) != -1) {
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
		case OPT_FORMAT:
			if (ct_dump_format_parse(optarg, &dopt.format) < 0)
				return usage_error("unknown format '%s' (jsonl, chrome, "
						   "perfetto, folded or svg)",
						   optarg);
			break;
		case OPT_NO_REGS:
			dopt.no_regs = true;
			break;
		case OPT_PER_THREAD:
			dopt.per_thread = true;
			break;
		case OPT_TITLE:
			dopt.title = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case CT_OPT_DEMANGLE:
			if (ct_cli_parse_demangle("dump", optarg, &names) < 0)
				return CT_EXIT_USAGE;
			break;
		case CT_OPT_NO_DEMANGLE:
			names = CT_DEMANGLE_NO;
			break;
		case 'h':
			ct_help_dump(stdout);
			return 0;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	code = ct_cli_trace_operand("dump", argc, argv, optind, &f, &path);
	if (!code && !output && ct_dump_binary(dopt.format) && isatty(STDOUT_FILENO))
		return usage_error("--format=perfetto writes binary: give -o FILE, or redirect "
				   "the output");
	if (!code)
		code = ct_cli_open_trace(path, output, &fd, &r, &of, &out);
	if (code)
		return code;
	code = ct_cli_view_names(path, r, dopt.format == CT_DUMP_JSONL ? CT_DEMANGLE_FULL : names);
	if (code)
		goto out_file;
	/* events are written as they are read: only --min-duration looks ahead */
	in = ct_view_input_new(r, fd, f.since_ns, f.until_ns, ct_dump_window(&dopt, &f));
	if (!in) {
		fprintf(stderr, "calltrap: %s\n", strerror(errno));
		code = CT_EXIT_ERROR;
		goto out_file;
	}
	dopt.info = ct_trace_reader_info(r);
	setvbuf(out, NULL, _IOFBF, 1 << 16);
	rc = ct_dump(in, &f, &dopt, out);
	if (fflush(out) && !rc)
		rc = errno ? -errno : -EIO;
	ct_view_input_problems(in, &pb);
	code = ct_cli_view_verdict(path, output, &pb, rc);
	ct_view_input_free(in);
out_file:
	code = ct_cli_close_output(output, &of, code);
	ct_trace_reader_close(r);
	close(fd);
	return code;
}

void ct_help_dump(FILE *fp)
{
	fputs("Usage: calltrap dump [OPTIONS] [FILE]\n"
	      "\n"
	      "Write the events recorded in FILE (default calltrap.trace) in another format.\n"
	      "\n"
	      "      --format=FORMAT      jsonl (default): the lines 'calltrap trace\n"
	      "                             --format=jsonl' prints, registers included when\n"
	      "                             the trace has them\n"
	      "                           chrome: Chrome trace-event JSON for Perfetto and\n"
	      "                             chrome://tracing (an X event per frame, us)\n"
	      "                           perfetto: Perfetto's protobuf trace (binary), for\n"
	      "                             ui.perfetto.dev and trace_processor at any size:\n"
	      "                             a track per thread, a slice per frame with its\n"
	      "                             arguments and return value, ns; written as it\n"
	      "                             is read (docs/perfetto_subset.proto)\n"
	      "                           folded: 'a;b;c N' stacks weighted by self time in ns\n"
	      "                             (flamegraph.pl, inferno, speedscope)\n"
	      "                           svg: an interactive flame graph (click to zoom,\n"
	      "                             Search / Ctrl-F, tooltips), self-contained\n"
	      "      --no-regs            jsonl: leave register snapshots out\n"
	      "      --per-thread         folded, svg: a root frame per thread ([tid N])\n"
	      "      --title=TEXT         svg: the title\n"
	      "      --demangle=HOW       chrome, folded, svg: C++ names short (default: scope\n"
	      "                           and name, longer only where two functions of the\n"
	      "                           file would read the same), full (as demangled) or no\n"
	      "                           (the symbols); jsonl: always the recorded name\n"
	      "      --no-demangle        --demangle=no\n"
	      "  -o, --output=FILE        write to FILE instead of stdout (replaced only if\n"
	      "                           the command succeeds)\n"
	      "  -h, --help               this help\n"
	      "Filters:\n"
	      "      --func=GLOB          only the subtrees of functions matching GLOB\n"
	      "                           (repeatable); depths count from the match\n"
	      "      --tid=TID[,TID...]   only these threads (repeatable)\n"
	      "      --max-depth=N        only frames at depth <= N\n"
	      "      --min-duration=TIME  only frames that lasted at least TIME\n"
	      "      --since=TIME         only events at or after TIME from the trace start\n"
	      "      --until=TIME         only events at or before TIME from the trace start\n"
	      "                           TIME: a number with a unit: ns, us, ms or s (1.5ms)\n"
	      "\n"
	      "Exit status: 0; 1 if FILE cannot be read or lost bytes (a chunk cut short or\n"
	      "damaged: what was read is written, and one line on stderr says where and\n"
	      "what was lost); 2 on a usage error.  A file without its end marker but whole\n"
	      "chunks (recorder killed between two) warns and exits 0.\n",
	      fp);
}
