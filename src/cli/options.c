/* SPDX-License-Identifier: GPL-2.0-or-later */
/* getopt_long for `calltrap trace`. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "session/session.h"

enum {
	OPT_FORMAT = 256,
	OPT_REGS,
	OPT_DURATION,
	OPT_MAX_DEPTH,
	OPT_STATS,
	OPT_NO_DEMANGLE,
	OPT_DEMANGLE,
	OPT_RAW_ARGS,
	OPT_STRING_LIMIT,
	OPT_DEBUG_DIR,
	OPT_SORT,
	OPT_ENGINE,
};

static const struct option trace_longopts[] = {
	{ "functions", required_argument, NULL, 'e' },
	{ "pid", required_argument, NULL, 'p' },
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "regs", no_argument, NULL, OPT_REGS },
	{ "follow-forks", no_argument, NULL, 'f' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "max-depth", required_argument, NULL, OPT_MAX_DEPTH },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "summary", no_argument, NULL, 'c' },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "no-demangle", no_argument, NULL, OPT_NO_DEMANGLE },
	{ "demangle", required_argument, NULL, OPT_DEMANGLE },
	{ "raw-args", no_argument, NULL, OPT_RAW_ARGS },
	{ "string-limit", required_argument, NULL, OPT_STRING_LIMIT },
	{ "debug-dir", required_argument, NULL, OPT_DEBUG_DIR },
	{ "engine", required_argument, NULL, OPT_ENGINE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* ct_cli_usage_error(), with the parser's -EINVAL */
#define usage_error(cmd, ...) (ct_cli_usage_error(cmd, __VA_ARGS__), -EINVAL)

static int parse_seconds(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 1e9)
		return -EINVAL;
	*ns = (uint64_t)(v * 1e9);
	return *ns ? 0 : -EINVAL;
}

static int parse_engine(const char *s, bool *fast)
{
	if (!strcmp(s, "fast"))
		*fast = true;
	else if (!strcmp(s, "breakpoint"))
		*fast = false;
	else
		return -EINVAL;
	return 0;
}

int ct_trace_parse(int argc, char **argv, struct ct_trace_opts *o)
{
	const char *cmd = argv[0];
	bool record = !strcmp(cmd, "record");
	const char *debug_dirs[CT_CLI_MAX_DEBUG_DIRS];
	unsigned nr_debug_dirs = 0;
	bool format_given = false, sort_given = false;
	unsigned long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->format = CT_FMT_TEXT;
	if (getenv("CALLTRAP_ENGINE") && parse_engine(getenv("CALLTRAP_ENGINE"), &o->fast) < 0)
		return usage_error(cmd, "unknown CALLTRAP_ENGINE '%s' (breakpoint or fast)",
				   getenv("CALLTRAP_ENGINE"));
	optind = 1;
	opterr = 0;
	/* '+': stop at the first non-option, PROGRAM's own options follow */
	while ((c = getopt_long(argc, argv, "+:e:p:o:fcvh", trace_longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (ct_patterns_add(&o->patterns, optarg) < 0)
				return usage_error(cmd, "invalid pattern '%s'", optarg);
			break;
		case 'p':
			if (ct_cli_parse_ulong(optarg, 1, INT_MAX, &v) < 0)
				return usage_error(cmd, "invalid pid '%s'", optarg);
			o->pid = (pid_t)v;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_FORMAT:
			if (record)
				return usage_error(cmd, "record writes a binary trace; --format is for "
						   "trace and dump");
			if (ct_format_parse(optarg, &o->format) < 0)
				return usage_error(cmd, "unknown format '%s' (text or jsonl)", optarg);
			format_given = true;
			break;
		case OPT_REGS:
			o->regs = true;
			break;
		case 'f':
			o->follow_forks = true;
			break;
		case OPT_DURATION:
			if (parse_seconds(optarg, &o->duration_ns) < 0)
				return usage_error(cmd, "invalid duration '%s' (seconds > 0)", optarg);
			break;
		case OPT_MAX_DEPTH:
			if (ct_cli_parse_ulong(optarg, 1, UINT_MAX, &v) < 0)
				return usage_error(cmd, "invalid --max-depth '%s' (a number >= 1)", optarg);
			o->max_depth = (unsigned)v;
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case 'c':
			if (record)
				return usage_error(cmd, "-c is for trace (record writes a trace file: "
						   "'calltrap report' makes its table)");
			o->summary = true;
			break;
		case OPT_SORT:
			if (record)
				return usage_error(cmd, "--sort is for trace -c");
			if (ct_report_sort_parse(optarg, &o->summary_opts.sort) < 0)
				return usage_error(cmd, "invalid --sort '%s' (calls, total, self, avg, "
						   "min, max or name)",
						   optarg);
			sort_given = true;
			break;
		case OPT_NO_DEMANGLE:
			o->demangle = CT_DEMANGLE_NO;
			break;
		case OPT_DEMANGLE:
			if (ct_cli_parse_demangle(cmd, optarg, &o->demangle) < 0)
				return -EINVAL;
			break;
		case OPT_RAW_ARGS:
			o->raw_args = true;
			break;
		case OPT_STRING_LIMIT:
			if (ct_cli_parse_ulong(optarg, 1, CT_MAX_STRING_LIMIT, &v) < 0)
				return usage_error(cmd, "invalid --string-limit '%s' (1 to %d bytes)",
						   optarg, CT_MAX_STRING_LIMIT);
			o->string_limit = (unsigned)v;
			break;
		case OPT_DEBUG_DIR:
			if (nr_debug_dirs == CT_CLI_MAX_DEBUG_DIRS)
				return usage_error(cmd, "at most %d --debug-dir", CT_CLI_MAX_DEBUG_DIRS);
			debug_dirs[nr_debug_dirs++] = optarg;
			break;
		case OPT_ENGINE:
			if (parse_engine(optarg, &o->fast) < 0)
				return usage_error(cmd, "unknown --engine '%s' (breakpoint or fast)",
						   optarg);
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			if (record)
				ct_help_record(stdout);
			else
				ct_help_trace(stdout);
			return 1;
		case ':':
			return usage_error(cmd, "option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->argv = &argv[optind];
	if (record && !o->output)
		o->output = CT_RECORD_DEFAULT_FILE;
	if (o->pid && o->argv)
		return usage_error(cmd, "give either -p PID or a PROGRAM, not both");
	if (!o->pid && !o->argv)
		return usage_error(cmd, "nothing to trace: give -p PID or -- PROGRAM [ARGS...]");
	if (o->duration_ns && !o->pid)
		return usage_error(cmd, "--duration needs -p PID");
	if (sort_given && !o->summary)
		return usage_error(cmd, "--sort needs -c (the summary table)");
	if (o->summary && format_given)
		return usage_error(cmd, "-c prints a table, no events: --format does not apply");
	if (o->summary && o->regs)
		return usage_error(cmd, "-c prints a table, no events: --regs does not apply");
	if (nr_debug_dirs && ct_cli_export_debug_dirs(cmd, debug_dirs, nr_debug_dirs) < 0)
		return -EINVAL;
	return 0;
}

void ct_trace_opts_fini(struct ct_trace_opts *o)
{
	ct_patterns_fini(&o->patterns);
}
