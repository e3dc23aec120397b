/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the subcommands share: usage errors, the trace filters, verdicts. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "view/view.h"

int ct_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("calltrap: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'calltrap %s --help')\n", cmd);
	return CT_EXIT_USAGE;
}

const char *ct_cli_filter_name(int opt)
{
	switch (opt) {
	case CT_OPT_FUNC:
		return "func";
	case CT_OPT_TID:
		return "tid";
	case CT_OPT_MAX_DEPTH:
		return "max-depth";
	case CT_OPT_MIN_DURATION:
		return "min-duration";
	case CT_OPT_SINCE:
		return "since";
	case CT_OPT_UNTIL:
		return "until";
	default:
		return NULL;
	}
}

int ct_cli_view_verdict(const char *path, const char *output, const struct ct_view_problems *pb,
			int rc)
{
	char line[512];

	if (pb->error) {
		ct_view_problems_line(pb, line, sizeof(line));
		fprintf(stderr, "calltrap: %s: %s\n", path, line);
		return CT_EXIT_ERROR;
	}
	if (rc < 0) {
		fprintf(stderr, "calltrap: writing %s: %s\n", output ? output : "the output",
			strerror(-rc));
		return CT_EXIT_ERROR;
	}
	if (ct_view_problems_line(pb, line, sizeof(line)))
		fprintf(stderr, "calltrap: warning: %s: %s\n", path, line);
	return 0;
}

int ct_cli_trace_operand(const char *cmd, int argc, char **argv, int optind_now,
			 const struct ct_view_filter *f, const char **path)
{
	*path = CT_RECORD_DEFAULT_FILE;
	if (optind_now < argc)
		*path = argv[optind_now++];
	if (optind_now < argc)
		return ct_cli_usage_error(cmd, "one trace file at most ('%s' is one too many)",
					  argv[optind_now]);
	if (f->since_ns > f->until_ns)
		return ct_cli_usage_error(cmd, "--since is after --until");
	return 0;
}

int ct_cli_open_trace(const char *path, const char *output, int *fd,
		      struct ct_trace_reader **r, FILE **out)
{
	char err[CT_TRACE_ERRLEN];

	if (ct_view_open_file(path, fd, r, err, sizeof(err)) < 0) {
		fprintf(stderr, "calltrap: %s: %s\n", path, err);
		return CT_EXIT_ERROR;
	}
	*out = stdout;
	if (!output)
		return 0;
	*out = fopen(output, "we");
	if (!*out) {
		fprintf(stderr, "calltrap: cannot open '%s': %s\n", output, strerror(errno));
		ct_trace_reader_close(*r);
		close(*fd);
		return CT_EXIT_ERROR;
	}
	return 0;
}

int ct_cli_parse_id(const char *s, pid_t *out)
{
	char *end;
	long v;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > INT_MAX)
		return -EINVAL;
	*out = (pid_t)v;
	return 0;
}
