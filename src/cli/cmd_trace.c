/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `calltrap trace`: spawn or attach, stream events (or, with -c, print their
 * summary table at the end), exit like the program. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/log.h"
#include "util/outfile.h"

int ct_cmd_trace(int argc, char **argv)
{
	struct ct_trace_opts o;
	struct ct_outfile of = CT_OUTFILE_INIT;
	struct ct_output *out = NULL;
	FILE *fp = stderr;
	int ret, code = CT_EXIT_ERROR;

	ret = ct_trace_parse(argc, argv, &o);
	if (ret) {
		ct_trace_opts_fini(&o);
		return ret == 1 ? 0 : CT_EXIT_USAGE;
	}
	if (o.verbose)
		ct_log_set_level(o.verbose > 1 ? CT_LOG_DEBUG : CT_LOG_INFO);
	if (o.output) {
		ret = ct_outfile_open(&of, o.output, 0);
		fp = ret < 0 ? NULL : ct_outfile_stream(&of);
		if (!fp) {
			fprintf(stderr, "calltrap: cannot open '%s': %s\n", o.output,
				strerror(ret < 0 ? -ret : errno));
			ct_outfile_discard(&of);
			goto out_opts;
		}
	} else {
		/* buffered, flushed whenever the tracer waits: live, yet one write
		 * per burst of events instead of one per event */
		setvbuf(stderr, NULL, _IOFBF, 1 << 16);
	}
	if (o.summary)
		out = ct_output_new_summary(fp, &o.summary_opts);
	else
		out = ct_output_new(o.format, fp, o.regs ? CT_OUT_REGS : 0);
	if (!out) {
		fprintf(stderr, "calltrap: %s\n", strerror(errno));
		ct_outfile_discard(&of);
		goto out_opts;
	}
	/* JSON lines have the full names: no labels to work out */
	if (o.format == CT_FMT_JSONL && o.demangle == CT_DEMANGLE_SHORT)
		o.demangle = CT_DEMANGLE_FULL;
	code = ct_cli_run(&o, out, o.output ? &of : NULL);
	ct_output_free(out);
	fflush(stderr);
out_opts:
	ct_trace_opts_fini(&o);
	return code;
}
