/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `calltrap record`: `trace`, with the events going to a binary trace file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch/arch.h"
#include "cli/cli.h"
#include "trace/tracefile.h"
#include "util/log.h"
#include "util/outfile.h"

static uint64_t realtime_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int ct_cmd_record(int argc, char **argv)
{
	struct ct_trace_info info = { 0 };
	struct ct_outfile of = CT_OUTFILE_INIT;
	struct ct_trace_opts o;
	struct ct_output *out;
	int ret, code = CT_EXIT_ERROR;

	ret = ct_trace_parse(argc, argv, &o);
	if (ret) {
		ct_trace_opts_fini(&o);
		return ret == 1 ? 0 : CT_EXIT_USAGE;
	}
	if (o.verbose)
		ct_log_set_level(o.verbose > 1 ? CT_LOG_DEBUG : CT_LOG_INFO);

	info.arch = ct_arch_host();
	if (!info.arch) {
		fprintf(stderr, "calltrap: this machine's architecture is not supported\n");
		goto out_opts;
	}
	info.start_realtime_ns = realtime_ns();
	info.pid = o.pid;
	if (o.argv) {
		while (o.argv[info.argc])
			info.argc++;
		info.argv = (const char *const *)o.argv;
	}

	ret = ct_outfile_open(&of, o.output, 0);
	if (ret < 0) {
		fprintf(stderr, "calltrap: cannot open '%s': %s\n", o.output, strerror(-ret));
		goto out_opts;
	}
	out = ct_output_new_trace(of.fd, &info);
	if (!out) {
		fprintf(stderr, "calltrap: %s\n", strerror(errno));
		ct_outfile_discard(&of);
		goto out_opts;
	}
	/* the file keeps the full names (and symbols): the views shorten them */
	if (o.demangle == CT_DEMANGLE_SHORT)
		o.demangle = CT_DEMANGLE_FULL;
	code = ct_cli_run(&o, out, &of);
	ct_output_free(out);
out_opts:
	ct_trace_opts_fini(&o);
	return code;
}
