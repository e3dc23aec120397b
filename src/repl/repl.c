/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * calltrap repl: read commands (a terminal through libedit, or a script),
 * run them, and keep the events they work on: a trace file loaded, or the
 * recording of the program traced.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "repl/state.h"
#include "repl/store.h"

/* The SIGINT handler's only ways out: a flag, and waking a tracer blocked
 * in waitpid (the session's stop request). */
static volatile sig_atomic_t interrupted;
static volatile sig_atomic_t terminating; /* SIGTERM or SIGHUP: leave cleanly */
static struct ct_stop_request *interrupt_stop;

static void on_signal(int sig)
{
	int saved = errno;
	struct ct_stop_request *stop = interrupt_stop;

	/* SIGALRM: the time of `continue TIME` is up */
	if (sig == SIGINT)
		interrupted = 1;
	else if (sig == SIGTERM || sig == SIGHUP)
		terminating = sig;
	if (stop) {
		stop->sig = sig;
		stop->user_sent = 0;
		if (stop->wake_tid > 0)
			ptrace(PTRACE_INTERRUPT, (pid_t)stop->wake_tid, 0, 0);
	}
	errno = saved;
}

static void on_sigpipe(CT_UNUSED int sig)
{
}

int ct_repl_terminating(void)
{
	return terminating;
}

bool ct_repl_take_interrupt(void)
{
	bool was = interrupted;

	interrupted = 0;
	return was;
}

FILE *ct_repl_out(struct ct_repl *r)
{
	return r->out;
}

int ct_repl_error(struct ct_repl *r, const char *fmt, ...)
{
	va_list ap;

	fflush(r->out);
	fputs("calltrap: ", stderr);
	if (r->batch && r->lineno)
		fprintf(stderr, "%s:%u: ", r->where, r->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

void ct_repl_fail_later(struct ct_repl *r)
{
	r->failed = true;
}

bool ct_repl_interactive(const struct ct_repl *r)
{
	return r->interactive;
}

enum ct_demangle ct_repl_demangle(const struct ct_repl *r)
{
	return r->opts.demangle;
}

bool ct_repl_live(const struct ct_repl *r)
{
	return r->live.s && !r->live.ended;
}

void ct_repl_view_end(const struct ct_repl *r, struct ct_view_input *in)
{
	if (in && ct_repl_live(r))
		ct_view_input_end_at(in, ct_session_clock(r->live.s));
}

struct ct_store *ct_repl_store(struct ct_repl *r)
{
	if (r->live.rec_fd >= 0 && ct_repl_live_sync(r) < 0)
		return NULL;
	if (!r->store) {
		if (r->live.s)
			ct_repl_error(r, "no events yet: 'continue' the program first");
		else
			ct_repl_error(r, "no events: 'load' a trace file, or 'run' or 'attach' a "
					 "program");
	}
	return r->store;
}

int ct_repl_set_store(struct ct_repl *r, struct ct_store *st)
{
	if (ct_repl_live(r))
		return ct_repl_error(r, "a program is being traced: 'detach' or 'kill' it "
					"before loading a file");
	/* the recording of a program that ended is no longer what we show */
	ct_repl_live_forget(r);
	if (r->store)
		ct_store_free(r->store);
	r->store = st;
	return 0;
}

static int load_initial(struct ct_repl *r, const char *path)
{
	char *line;
	size_t len = strlen(path) * 2 + 8;
	const char *p;
	char *o;
	int rc;

	/* through the `load` command, so errors read the same; quote it */
	line = malloc(len);
	if (!line)
		return ct_repl_error(r, "%s", strerror(ENOMEM));
	o = line;
	o += sprintf(o, "load '");
	for (p = path; *p; p++) {
		if (*p == '\'') {
			o += sprintf(o, "'\\''");
			continue;
		}
		*o++ = *p;
	}
	strcpy(o, "'");
	rc = ct_repl_exec_line(r, line);
	free(line);
	return rc;
}

static int install_handlers(struct ct_repl *r)
{
	struct sigaction sa;

	interrupt_stop = ct_repl_stop_request(r);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a blocking read or wait returns EINTR */
	/* SIGTERM, SIGHUP (the terminal went away): let the program go as
	 * `quit` does, never leave breakpoints in it */
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGALRM, &sa, NULL) < 0 ||
	    sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGHUP, &sa, NULL) < 0)
		return -errno;
	/* a reader that goes away must not kill us with breakpoints in place;
	 * caught rather than ignored, so a program we start gets the default
	 * disposition (exec resets handlers, not SIG_IGN) */
	sa.sa_handler = on_sigpipe;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -errno;
	return 0;
}

int ct_repl_main(const struct ct_repl_opts *o)
{
	struct ct_repl r;
	FILE *in = stdin;
	int status = 0;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.opts = *o;
	r.out = stdout;
	r.echo = true;
	r.regs = o->regs;
	ct_repl_live_init(&r);
	for (i = 0; i < o->nr_functions; i++) {
		if (ct_patterns_add(&r.patterns, o->functions[i]) < 0) {
			fprintf(stderr, "calltrap: invalid function pattern '%s'\n",
				o->functions[i]);
			ct_patterns_fini(&r.patterns);
			return 2;
		}
	}
	if (o->script) {
		in = fopen(o->script, "re");
		if (!in) {
			fprintf(stderr, "calltrap: cannot open script '%s': %s\n", o->script,
				strerror(errno));
			ct_patterns_fini(&r.patterns);
			return 1;
		}
		r.batch = true;
		r.where = o->script;
	} else if (!isatty(STDIN_FILENO)) {
		r.batch = true;
		r.where = "stdin";
	}
	r.interactive = !r.batch;
	r.io = ct_lineio_new(&r, in);
	if (!r.io) {
		fprintf(stderr, "calltrap: %s\n", strerror(errno));
		if (in != stdin)
			fclose(in);
		ct_patterns_fini(&r.patterns);
		return 1;
	}
	if (install_handlers(&r) < 0) {
		fprintf(stderr, "calltrap: installing signal handlers: %s\n", strerror(errno));
		r.quit = r.failed = true;
	}

	if (o->file && load_initial(&r, o->file) < 0)
		r.quit = r.failed = true;
	else if (o->argv && ct_repl_live_start(&r, o->argv) < 0)
		r.quit = r.failed = true;
	else if (o->pid && ct_repl_live_attach(&r, o->pid) < 0)
		r.quit = r.failed = true;

	while (!r.quit) {
		const char *line = terminating ? NULL : ct_lineio_read(r.io);

		if (terminating)
			break;
		if (!line) {
			if (r.interactive)
				fputc('\n', r.out);
			if (ct_repl_live_quit(&r))
				break;
			continue;
		}
		if (r.batch)
			r.lineno++;
		if (ct_repl_exec_line(&r, line) < 0) {
			r.failed = true;
			if (r.batch && !r.continue_on_error)
				break;
		}
		fflush(r.out);
	}
	ct_repl_live_fini(&r);
	interrupt_stop = NULL;
	if (r.store)
		ct_store_free(r.store);
	ct_lineio_free(r.io);
	if (in != stdin)
		fclose(in);
	ct_patterns_fini(&r.patterns);
	for (i = 0; r.run_argv && r.run_argv[i]; i++)
		free(r.run_argv[i]);
	free(r.run_argv);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "calltrap: writing output: %s\n", strerror(errno));
		status = 1;
	}
	if (r.failed && r.batch)
		status = 1;
	if (terminating) {
		fprintf(stderr, "calltrap: ended by %s\n", terminating == SIGTERM ? "SIGTERM" : "SIGHUP");
		status = 128 + terminating;
	}
	return status;
}
