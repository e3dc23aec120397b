/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `calltrap replay`: a recorded trace as an indented call tree. */
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

#define usage_error(...) ct_cli_usage_error("replay", __VA_ARGS__)
enum {
	OPT_FIRST = 256, /* below the CT_OPT_* filter codes of cli.h (1000 on) */
	OPT_PER_THREAD,
	OPT_COLOR,
	OPT_NO_ARGS,
	OPT_SRCLINE,
};

static const struct option replay_longopts[] = {
	CT_CLI_FILTER_LONGOPTS,
	CT_CLI_NAMES_LONGOPTS,
	{ "per-thread", no_argument, NULL, OPT_PER_THREAD },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "no-args", no_argument, NULL, OPT_NO_ARGS },
	{ "srcline", no_argument, NULL, OPT_SRCLINE },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* stdout is a terminal that takes colors */
static bool color_auto(void)
{
	const char *term = getenv("TERM");

	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		return false;
	return isatty(STDOUT_FILENO) && (!term || strcmp(term, "dumb"));
}

int ct_cmd_replay(int argc, char **argv)
{
	struct ct_replay_opts ro = { 0 };
	enum ct_replay_color color = CT_COLOR_AUTO;
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
	while ((c = getopt_long(argc, argv, ":o:h", replay_longopts, NULL)) != -1) {
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
		case OPT_PER_THREAD:
			ro.per_thread = true;
			break;
		case OPT_COLOR:
			if (!strcmp(optarg, "auto"))
				color = CT_COLOR_AUTO;
			else if (!strcmp(optarg, "always"))
				color = CT_COLOR_ALWAYS;
			else if (!strcmp(optarg, "never"))
				color = CT_COLOR_NEVER;
			else
				return usage_error("invalid --color '%s' (auto, always or never)",
						   optarg);
			break;
		case OPT_NO_ARGS:
			ro.no_args = true;
			break;
		case OPT_SRCLINE:
			ro.srcline = true;
			break;
		case 'o':
			output = optarg;
			break;
		case CT_OPT_DEMANGLE:
			if (ct_cli_parse_demangle("replay", optarg, &names) < 0)
				return CT_EXIT_USAGE;
			break;
		case CT_OPT_NO_DEMANGLE:
			names = CT_DEMANGLE_NO;
			break;
		case 'h':
			ct_help_replay(stdout);
			return 0;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	code = ct_cli_trace_operand("replay", argc, argv, optind, &f, &path);
	if (!code)
		code = ct_cli_open_trace(path, output, &fd, &r, &of, &out);
	if (code)
		return code;
	code = ct_cli_view_names(path, r, names);
	if (code)
		goto out_file;
	ro.color = color == CT_COLOR_ALWAYS || (color == CT_COLOR_AUTO && !output && color_auto());
	in = ct_view_input_new(r, fd, f.since_ns, f.until_ns, CT_VIEW_LOOKAHEAD);
	if (!in) {
		fprintf(stderr, "calltrap: %s\n", strerror(errno));
		code = CT_EXIT_ERROR;
		goto out_file;
	}
	setvbuf(out, NULL, _IOFBF, 1 << 16);
	rc = ct_replay(in, &f, &ro, out);
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

void ct_help_replay(FILE *fp)
{
	fputs("Usage: calltrap replay [OPTIONS] [FILE]\n"
	      "\n"
	      "Print the calls recorded in FILE (default calltrap.trace) as an indented call\n"
	      "tree, like uftrace replay:  f(args) {  ...  } = retval; /* f */  and leaf calls\n"
	      "on one line  g(args) = retval;  with each frame's duration and thread id.\n"
	      "Frames left by longjmp or an exception end with  } /* f: unwound */.\n"
	      "Functions with DWARF debug info show arguments by name and decoded values:\n"
	      "f(n=10, s=\"abc\") = 3;  (void functions: no value).\n"
	      "\n"
	      "Filters:\n"
	      "      --func=GLOB          only the subtrees of functions matching GLOB\n"
	      "                           (repeatable); depths count from the match\n"
	      "      --tid=TID[,TID...]   only these threads (repeatable)\n"
	      "      --max-depth=N        only frames at depth <= N\n"
	      "      --min-duration=TIME  only frames that lasted at least TIME\n"
	      "      --since=TIME         only events at or after TIME from the trace start\n"
	      "      --until=TIME         only events at or before TIME from the trace start\n"
	      "                           TIME: a number with a unit: ns, us, ms or s (1.5ms)\n"
	      "Options:\n"
	      "      --per-thread         each thread's tree on its own, one after the other\n"
	      "      --color=WHEN         auto (default: only when stdout is a terminal),\n"
	      "                           always or never\n"
	      "      --no-args            leave out arguments and return values\n"
	      "      --srcline            end call lines with the function's source file and\n"
	      "                           line (from DWARF):  f() { /* calls.c:12 */\n"
	      "      --demangle=HOW       C++ names: short (default: scope and name, longer\n"
	      "                           only where two functions of the file would read the\n"
	      "                           same), full (as demangled) or no (the symbols)\n"
	      "      --no-demangle        --demangle=no\n"
	      "  -o, --output=FILE        write to FILE instead of stdout (replaced only if\n"
	      "                           the command succeeds)\n"
	      "  -h, --help               this help\n"
	      "\n"
	      "Exit status: 0; 1 if FILE cannot be read or lost bytes (a chunk cut short or\n"
	      "damaged: what was read is printed, and one line on stderr says where and\n"
	      "what was lost); 2 on a usage error.  A file without its end marker but whole\n"
	      "chunks (recorder killed between two) is printed, warns, and exits 0.\n",
	      fp);
}
