/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One tracing session for `trace` and `record`: signals, spawn or attach,
 * the wait loop, the exit status.  The commands differ only in where the
 * events go (struct ct_output).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "cli/cli.h"
#include "session/session.h"
#include "util/log.h"
#include "util/outfile.h"

/* Spin before blocking in waitpid (0: block at once); see bench/. */
#define WAIT_SPIN_US 50

/* The one piece of state a signal handler must reach. */
static struct ct_stop_request *stop_request;

static void on_signal(int sig, siginfo_t *si, void *uctx)
{
	struct ct_stop_request *r = stop_request;

	(void)uctx;
	if (!r)
		return;
	r->user_sent = si->si_code == SI_USER || si->si_code == SI_QUEUE;
	r->sig = sig;
	/* wake the tracer if it is about to block in waitpid */
	if (r->wake_tid > 0)
		ptrace(PTRACE_INTERRUPT, (pid_t)r->wake_tid, 0L, 0L);
}

static int install_handlers(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGALRM };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: a blocked waitpid returns EINTR */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -errno;
	return 0;
}

/* --duration counts from the moment the breakpoints are in: reading a
 * large program's symbols and DWARF at attach can take longer than the
 * duration itself, which would then trace nothing. */
static int arm_duration(uint64_t duration_ns)
{
	struct itimerval it = { 0 };

	if (!duration_ns)
		return 0;
	it.it_value.tv_sec = (time_t)(duration_ns / 1000000000u);
	it.it_value.tv_usec = (suseconds_t)(duration_ns % 1000000000u / 1000u);
	return setitimer(ITIMER_REAL, &it, NULL) < 0 ? -errno : 0;
}

static void print_stats(const struct ct_stats *st, bool fast)
{
	fprintf(stderr,
		"calltrap: stats: call=%llu return=%llu unwind=%llu stops_entry=%llu "
		"stops_return=%llu stops_step=%llu stops_spurious=%llu stops_internal=%llu "
		"stops_other=%llu returns_unseen=%llu\n",
		(unsigned long long)st->events[CT_EV_CALL],
		(unsigned long long)st->events[CT_EV_RETURN],
		(unsigned long long)st->events[CT_EV_UNWIND], (unsigned long long)st->stops_entry,
		(unsigned long long)st->stops_return, (unsigned long long)st->stops_step,
		(unsigned long long)st->stops_spurious, (unsigned long long)st->stops_internal,
		(unsigned long long)st->stops_other, (unsigned long long)st->returns_unseen);
	if (!fast)
		return;
	fprintf(stderr,
		"calltrap: fast path: functions=%llu exit_breakpoints=%llu ring_records=%llu "
		"ring_calls=%llu ring_returns=%llu ring_waits=%llu ring_drops=%llu "
		"ring_unregistered=%llu ring_unmatched=%llu\n",
		(unsigned long long)st->fast_funcs, (unsigned long long)st->fast_exit_breaks,
		(unsigned long long)st->ring_records, (unsigned long long)st->ring_calls,
		(unsigned long long)st->ring_returns,
		(unsigned long long)st->ring_waits, (unsigned long long)st->ring_drops,
		(unsigned long long)st->ring_unregistered,
		(unsigned long long)st->ring_unmatched);
	fprintf(stderr, "calltrap: fast path: left on breakpoints:");
	for (int i = 0; i < CT_FAST_NR_WHY; i++)
		fprintf(stderr, " %s=%llu", ct_fast_why_name((enum ct_fast_why)i),
			(unsigned long long)st->fast_left[i]);
	fputc('\n', stderr);
	if (st->fast_clock[0])
		fprintf(stderr, "calltrap: fast path: clock %s\n", st->fast_clock);
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

/*
 * The -o file takes its name once the program runs (the spawn or attach
 * succeeded), not before: a command that fails to start leaves an existing
 * file as it was.  If the name cannot be taken then, the program is not
 * traced at all: a spawned one is killed before its first instruction of
 * its own ran, an attached one is detached.
 */
static int publish_output(const struct ct_trace_opts *o, struct ct_session *s,
			  struct ct_outfile *of)
{
	int ret = ct_outfile_publish(of);

	if (ret < 0) {
		fprintf(stderr, "calltrap: cannot write '%s': %s\n", o->output, strerror(-ret));
		if (o->pid)
			ct_session_detach(s);
		else
			ct_session_kill(s);
	}
	return ret;
}

/* The end of the -o file: kept if it was published, else dropped. */
static int finish_output(const struct ct_trace_opts *o, struct ct_outfile *of, bool published,
			 int code)
{
	int ret;

	if (!published) {
		ct_outfile_discard(of);
		return code;
	}
	ret = ct_outfile_commit(of);
	if (ret < 0 && code == 0) {
		fprintf(stderr, "calltrap: writing '%s': %s\n", o->output, strerror(-ret));
		code = CT_EXIT_ERROR;
	}
	return code;
}

int ct_cli_run(const struct ct_trace_opts *o, struct ct_output *out, struct ct_outfile *of)
{
	bool published = false, started = false;
	struct ct_session_opts so = { 0 };
	struct ct_stop_request stop = { 0 };
	struct ct_session *s = NULL;
	sigset_t old_mask;
	int ret, code = CT_EXIT_ERROR;

	/* The program gets calltrap's own signal mask; the stop signals are
	 * blocked while the session is set up and caught once it runs. */
	{
		sigset_t block;

		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGHUP);
		sigaddset(&block, SIGALRM);
		sigprocmask(SIG_BLOCK, &block, &old_mask);
	}
	stop_request = &stop;
	if (install_handlers() < 0) {
		fprintf(stderr, "calltrap: installing signal handlers: %s\n", strerror(errno));
		goto out_mask;
	}

	so.patterns = (struct ct_patterns *)&o->patterns;
	so.max_depth = o->max_depth;
	so.regs = o->regs;
	so.follow_forks = o->follow_forks;
	so.no_demangle = o->demangle == CT_DEMANGLE_NO;
	so.short_names = o->demangle == CT_DEMANGLE_SHORT;
	so.raw_args = o->raw_args;
	so.string_limit = o->string_limit;
	so.fast = o->fast;
	so.out = out;
	so.spin_us = WAIT_SPIN_US;
	so.child_mask = &old_mask;
	s = ct_session_new(&so);
	if (!s) {
		fprintf(stderr, "calltrap: %s\n", strerror(errno));
		goto out_mask;
	}
	ret = o->pid ? ct_session_attach(s, o->pid) : ct_session_spawn(s, o->argv);
	started = ret == 0;
	if (ret == 0 && of) {
		ret = publish_output(o, s, of);
		published = ret == 0;
		if (ret < 0) {
			ct_output_end(out);
			goto out_stats;
		}
	}
	if (ret == 0) {
		/* A reader that goes away (| head) must not kill calltrap with
		 * breakpoints still in a process: the write fails, the session
		 * ends and detaches.  Set after the spawn, so the program keeps
		 * calltrap's own SIGPIPE disposition. */
		signal(SIGPIPE, SIG_IGN);
		ret = arm_duration(o->duration_ns);
		if (ret < 0) {
			fprintf(stderr, "calltrap: setting the --duration timer: %s\n", strerror(-ret));
			ct_output_end(out);
			goto out_stats;
		}
	}
	if (ret == 0) {
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		ret = ct_session_run(s, &stop);
	}
	/* a program that never ran has no events: nothing to end (trace -c
	 * would print an empty table under the error line) */
	if (started && ct_output_end(out) < 0 && ret == 0) {
		fprintf(stderr, "calltrap: writing events: %s\n", strerror(errno ? errno : EIO));
		code = CT_EXIT_ERROR;
		goto out_stats;
	}
	if (ret < 0) {
		const char *msg = ct_session_error(s);

		if (msg)
			fprintf(stderr, "calltrap: %s\n", msg);
		else
			fprintf(stderr, "calltrap: %s\n", strerror(-ret));
		code = CT_EXIT_ERROR;
	} else {
		code = o->pid ? 0 : exit_code_of(ct_session_exit_status(s));
		/* the program ran its course: now a pattern that never matched
		 * anything is an error, said once */
		if (ct_session_end_notes(s, stderr, "calltrap: "))
			code = CT_EXIT_ERROR;
	}
out_stats:
	if (o->stats)
		print_stats(ct_session_stats(s), o->fast);
out_mask:
	ct_session_free(s);
	stop_request = NULL;
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (of)
		code = finish_output(o, of, published, code);
	return code;
}
