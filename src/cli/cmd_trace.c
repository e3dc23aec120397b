/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `calltrap trace`: spawn or attach, stream events, exit like the program. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli/cli.h"
#include "session/session.h"
#include "util/log.h"

/* Spin before blocking in waitpid: long enough to catch the next stop of
 * a tracee in a call-heavy loop, short enough not to burn a CPU idle. */
#define WAIT_SPIN_US 50

static void print_stats(const struct ct_stats *st)
{
	fprintf(stderr,
		"calltrap: stats: call=%llu return=%llu unwind=%llu stops_entry=%llu "
		"stops_return=%llu stops_step=%llu stops_spurious=%llu stops_internal=%llu "
		"stops_other=%llu\n",
		(unsigned long long)st->events[CT_EV_CALL],
		(unsigned long long)st->events[CT_EV_RETURN],
		(unsigned long long)st->events[CT_EV_UNWIND], (unsigned long long)st->stops_entry,
		(unsigned long long)st->stops_return, (unsigned long long)st->stops_step,
		(unsigned long long)st->stops_spurious, (unsigned long long)st->stops_internal,
		(unsigned long long)st->stops_other);
}

static int exit_code_of(int status)
{
	if (status < 0)
		return 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 0;
}

int ct_cmd_trace(int argc, char **argv)
{
	struct ct_session_opts so = { 0 };
	struct ct_trace_opts o;
	struct ct_session *s = NULL;
	struct ct_output *out = NULL;
	sigset_t stopsigs, old_mask;
	FILE *fp = stderr;
	int ret, code = CT_EXIT_ERROR;

	ret = ct_trace_parse(argc, argv, &o);
	if (ret)
		goto out_opts;
	if (o.verbose)
		ct_log_set_level(o.verbose > 1 ? CT_LOG_DEBUG : CT_LOG_INFO);
	if (o.output) {
		fp = fopen(o.output, "we");
		if (!fp) {
			fprintf(stderr, "calltrap: cannot open '%s': %s\n", o.output, strerror(errno));
			goto out_opts;
		}
	} else {
		/* buffered, flushed whenever the tracer waits: live, yet one write
		 * per burst of events instead of one per event */
		setvbuf(stderr, NULL, _IOFBF, 1 << 16);
	}
	out = ct_output_new(o.format, fp, o.regs ? CT_OUT_REGS : 0);
	if (!out) {
		fprintf(stderr, "calltrap: %s\n", strerror(errno));
		goto out_file;
	}

	/* Signals that end the session are taken synchronously with SIGCHLD
	 * (sigtimedwait), so none is lost between two waits. */
	sigemptyset(&stopsigs);
	sigaddset(&stopsigs, SIGINT);
	sigaddset(&stopsigs, SIGTERM);
	sigaddset(&stopsigs, SIGHUP);
	{
		sigset_t block = stopsigs;

		sigaddset(&block, SIGCHLD);
		sigprocmask(SIG_BLOCK, &block, &old_mask);
	}

	so.patterns = &o.patterns;
	so.max_depth = o.max_depth;
	so.regs = o.regs;
	so.follow_forks = o.follow_forks;
	so.out = out;
	so.spin_us = WAIT_SPIN_US;
	so.flush = fp;
	so.child_mask = &old_mask;
	s = ct_session_new(&so);
	if (!s) {
		fprintf(stderr, "calltrap: %s\n", strerror(errno));
		goto out_mask;
	}
	ret = o.pid ? ct_session_attach(s, o.pid) : ct_session_spawn(s, o.argv);
	if (ret == 0)
		ret = ct_session_run(s, &stopsigs, o.duration_ns);
	ct_output_end(out);
	if (ret < 0) {
		const char *msg = ct_session_error(s);

		fflush(fp);
		if (msg)
			fprintf(stderr, "calltrap: %s\n", msg);
		else
			fprintf(stderr, "calltrap: %s\n", strerror(-ret));
		code = CT_EXIT_ERROR;
	} else {
		code = o.pid ? 0 : exit_code_of(ct_session_exit_status(s));
	}
	if (o.stats) {
		fflush(fp);
		print_stats(ct_session_stats(s));
	}
out_mask:
	ct_session_free(s);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	ct_output_free(out);
out_file:
	if (fp != stderr && fclose(fp) != 0 && code == 0) {
		fprintf(stderr, "calltrap: writing '%s': %s\n", o.output, strerror(errno));
		code = CT_EXIT_ERROR;
	}
	fflush(stderr);
out_opts:
	ct_trace_opts_fini(&o);
	if (ret == 1)
		return 0;
	if (ret == -EINVAL && !s && !out)
		return CT_EXIT_USAGE;
	return code;
}
