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
#include "session/session.h"
#include "symtab/symtab.h"
#include "util/outfile.h"
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
		fprintf(stderr, "calltrap: %s: %s%s%s%s\n", path, line, output ? " (" : "",
			output ? output : "", output ? " not written)" : "");
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
		      struct ct_trace_reader **r, struct ct_outfile *of, FILE **out)
{
	char err[CT_TRACE_ERRLEN];

	if (ct_view_open_file(path, fd, r, err, sizeof(err)) < 0) {
		fprintf(stderr, "calltrap: %s: %s\n", path, err);
		return CT_EXIT_ERROR;
	}
	*out = stdout;
	if (!output)
		return 0;
	if (ct_cli_open_output(output, of, out)) {
		ct_trace_reader_close(*r);
		close(*fd);
		return CT_EXIT_ERROR;
	}
	return 0;
}

int ct_cli_view_names(const char *path, struct ct_trace_reader *r, enum ct_demangle mode)
{
	if (ct_trace_reader_set_names(r, mode) < 0) {
		fprintf(stderr, "calltrap: %s: %s\n", path, strerror(ENOMEM));
		return CT_EXIT_ERROR;
	}
	return 0;
}

int ct_cli_open_output(const char *output, struct ct_outfile *of, FILE **out)
{
	int ret = ct_outfile_open(of, output, 0);

	*out = ret < 0 ? NULL : ct_outfile_stream(of);
	if (!*out) {
		fprintf(stderr, "calltrap: cannot open '%s': %s\n", output,
			strerror(ret < 0 ? -ret : errno));
		ct_outfile_discard(of);
		return CT_EXIT_ERROR;
	}
	return 0;
}

int ct_cli_close_output(const char *output, struct ct_outfile *of, int code)
{
	int ret;

	if (!output)
		return code;
	if (code) {
		ct_outfile_discard(of);
		return code;
	}
	ret = ct_outfile_commit(of);
	if (ret < 0) {
		fprintf(stderr, "calltrap: writing %s: %s\n", output, strerror(-ret));
		return CT_EXIT_ERROR;
	}
	return 0;
}

int ct_cli_parse_demangle(const char *cmd, const char *arg, enum ct_demangle *d)
{
	if (ct_demangle_parse(arg, d) == 0)
		return 0;
	ct_cli_usage_error(cmd, "invalid --demangle '%s' (short, full or no)", arg);
	return -EINVAL;
}

int ct_cli_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	/* strtoul would take leading blanks, a sign, and wrap "-1" */
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int ct_cli_parse_id(const char *s, pid_t *out)
{
	unsigned long v;

	if (ct_cli_parse_ulong(s, 1, INT_MAX, &v) < 0)
		return -EINVAL;
	*out = (pid_t)v;
	return 0;
}

/* The symbolizer and the DWARF argument decoder take extra debug
 * directories from CT_DEBUG_DIR_ENV, which the REPL's `bt` honours too:
 * the --debug-dir directories, made absolute, go before those already in
 * it. */
int ct_cli_export_debug_dirs(const char *cmd, const char *const *dirs, unsigned n)
{
	const char *old = getenv(CT_DEBUG_DIR_ENV);
	char *list = NULL, *grown, *abs;
	size_t len = 0;
	unsigned i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		abs = realpath(dirs[i], NULL);
		if (!abs) {
			ret = ct_cli_usage_error(cmd, "--debug-dir %s: %s", dirs[i], strerror(errno));
		} else if (strchr(abs, ':')) {
			/* the list separator cannot be part of a name in the list */
			ret = ct_cli_usage_error(cmd, "--debug-dir %s: a ':' in the path is "
						 "not supported", dirs[i]);
		} else if (!(grown = realloc(list, len + strlen(abs) + 2))) {
			ret = ct_cli_usage_error(cmd, "%s", strerror(ENOMEM));
		} else {
			list = grown;
			len += (size_t)sprintf(list + len, "%s%s", len ? ":" : "", abs);
		}
		free(abs);
	}
	if (!ret && old && *old) {
		grown = realloc(list, len + strlen(old) + 2);
		if (!grown)
			ret = ct_cli_usage_error(cmd, "%s", strerror(ENOMEM));
		else
			sprintf((list = grown) + len, ":%s", old);
	}
	if (!ret && setenv(CT_DEBUG_DIR_ENV, list, 1) < 0)
		ret = ct_cli_usage_error(cmd, "--debug-dir: %s", strerror(errno));
	free(list);
	return ret ? -EINVAL : 0;
}
