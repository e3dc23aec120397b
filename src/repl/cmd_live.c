/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Commands that control the traced program and what is traced in it. */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "repl/state.h"
#include "stacks/stacks.h"
#include "util/strbuf.h"
#include "view/view.h"

static int need_live(struct ct_repl *r)
{
	if (ct_repl_live(r))
		return 0;
	if (r->live.s && r->live.ended)
		return ct_repl_error(r, "the program has exited ('run' starts it again)");
	return ct_repl_error(r, "no program: 'run' or 'attach' one");
}

/* ---- run, attach, detach, kill ---- */

static int cmd_run(struct ct_repl *r, int argc, char **argv)
{
	if (argc > 1)
		return ct_repl_live_start(r, argv + 1);
	if (!r->run_argv)
		return ct_repl_error(r, "which program? 'run PROGRAM [ARGS...]' (once given, "
					"'run' alone starts it again)");
	return ct_repl_live_start(r, r->run_argv);
}

static int cmd_attach(struct ct_repl *r, int argc, char **argv)
{
	char *end;
	long pid;

	if (argc != 2)
		return ct_repl_error(r, "usage: attach PID");
	pid = strtol(argv[1], &end, 10);
	if (*end || end == argv[1] || pid <= 0 || pid > 0x7fffffff)
		return ct_repl_error(r, "attach: invalid pid '%s'", argv[1]);
	return ct_repl_live_attach(r, (pid_t)pid);
}

static int cmd_detach(struct ct_repl *r, int argc, CT_UNUSED char **argv)
{
	int ret;

	if (argc != 1)
		return ct_repl_error(r, "usage: detach");
	if (need_live(r) < 0)
		return -1;
	ret = ct_session_detach(r->live.s);
	if (ret < 0)
		return ct_repl_error(r, "detach: %s", ct_session_error(r->live.s) ?
							     ct_session_error(r->live.s) :
							     strerror(-ret));
	fprintf(r->out, "detached from process %d; it runs on untraced\n", (int)r->live.pid);
	ct_repl_live_check_end(r);
	return 0;
}

static int cmd_kill(struct ct_repl *r, int argc, CT_UNUSED char **argv)
{
	int ret;

	if (argc != 1)
		return ct_repl_error(r, "usage: kill");
	if (need_live(r) < 0)
		return -1;
	if (!r->live.spawned)
		return ct_repl_error(r, "kill: process %d was attached to, not started here; "
					"'detach' lets it go", (int)r->live.pid);
	ret = ct_session_kill(r->live.s);
	if (ret < 0)
		return ct_repl_error(r, "kill: %s", strerror(-ret));
	ct_repl_live_check_end(r);
	return 0;
}

/* ---- continue, stop ---- */

static void report_stop(struct ct_repl *r, const char *why)
{
	uint64_t n = ct_repl_live_events(r);

	fprintf(r->out, "%s: %llu events (%llu new)\n", why, (unsigned long long)n,
		(unsigned long long)(n - r->live.events_at_stop));
	r->live.events_at_stop = n;
}

static int set_timer(uint64_t ns)
{
	struct itimerval it = { 0 };

	it.it_value.tv_sec = (time_t)(ns / 1000000000u);
	it.it_value.tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
	if (ns && !it.it_value.tv_sec && !it.it_value.tv_usec)
		it.it_value.tv_usec = 1;
	return setitimer(ITIMER_REAL, &it, NULL);
}

static int cmd_continue(struct ct_repl *r, int argc, char **argv)
{
	struct ct_repl_live *l = &r->live;
	uint64_t limit = 0;
	int ret;

	if (argc > 2)
		return ct_repl_error(r, "usage: continue [TIME | &]");
	if (need_live(r) < 0)
		return -1;
	if (argc == 2 && !strcmp(argv[1], "&")) {
		if (l->background)
			return ct_repl_error(r, "the program is already running ('stop' stops it)");
		ret = ct_session_resume_all(l->s);
		if (ret < 0)
			return ct_repl_error(r, "continue: %s", strerror(-ret));
		l->background = true;
		fprintf(r->out, "running in the background ('stop' stops it)\n");
		return 0;
	}
	if (argc == 2 && ct_view_parse_time(argv[1], &limit) < 0)
		return ct_repl_error(r, "continue: invalid time '%s' (e.g. 500ms, 2s)", argv[1]);
	/* a foreground run: until everything exits, Ctrl-C, or the time is up */
	l->stop.sig = 0;
	ct_repl_take_interrupt();
	if (limit && set_timer(limit) < 0)
		return ct_repl_error(r, "continue: setitimer: %s", strerror(errno));
	l->background = false;
	ret = ct_session_run(l->s, &l->stop);
	if (limit)
		set_timer(0);
	ct_repl_take_interrupt();
	if (ret < 0) {
		ct_repl_error(r, "tracing failed: %s", ct_session_error(l->s) ?
							 ct_session_error(l->s) :
							 strerror(-ret));
		ct_repl_live_check_end(r);
		return -1;
	}
	if (ct_session_done(l->s)) {
		ct_repl_live_check_end(r);
		report_stop(r, "recorded");
		return 0;
	}
	report_stop(r, ct_session_stop_signal(l->s) == SIGALRM ? "stopped (time is up)" :
								"stopped");
	l->stop.sig = 0;
	return 0;
}

static int cmd_stop(struct ct_repl *r, int argc, CT_UNUSED char **argv)
{
	int ret;

	if (argc != 1)
		return ct_repl_error(r, "usage: stop");
	if (need_live(r) < 0)
		return -1;
	if (!r->live.background)
		return ct_repl_error(r, "the program is not running");
	ret = ct_session_stop_all(r->live.s);
	r->live.background = false;
	if (ret < 0)
		return ct_repl_error(r, "stop: %s", strerror(-ret));
	ct_repl_live_check_end(r);
	if (!r->live.ended)
		report_stop(r, "stopped");
	return 0;
}

static int cmd_wait(struct ct_repl *r, int argc, char **argv)
{
	uint64_t limit = 0;
	int ret;

	if (argc > 2)
		return ct_repl_error(r, "usage: wait [TIME]");
	if (argc == 2 && ct_view_parse_time(argv[1], &limit) < 0)
		return ct_repl_error(r, "wait: invalid time '%s' (e.g. 500ms, 2s)", argv[1]);
	if (need_live(r) < 0)
		return -1;
	if (!r->live.background)
		return ct_repl_error(r, "wait: the program is not running ('continue &' first)");
	ret = ct_repl_live_wait(r, limit);
	if (ret < 0)
		return ct_repl_error(r, "wait: %s", strerror(-ret));
	if (r->live.ended)
		report_stop(r, "recorded");
	else
		fprintf(r->out, "running: %llu events\n",
			(unsigned long long)ct_repl_live_events(r));
	return 0;
}

/* ---- trace, untrace ---- */

static int change_patterns(struct ct_repl *r, int argc, char **argv, bool add)
{
	int i, ret;

	if (argc < 2)
		return ct_repl_error(r, "usage: %s PATTERN...", argv[0]);
	for (i = 1; i < argc; i++) {
		char spec[512];

		if (!add && argv[i][0] == '!')
			return ct_repl_error(r, "untrace: '%s': give the functions to stop "
						"tracing, without '!'", argv[i]);
		snprintf(spec, sizeof(spec), "%s%s", add ? "" : "!", argv[i]);
		if (!ct_repl_live(r)) {
			if (ct_patterns_add(&r->patterns, spec) < 0)
				return ct_repl_error(r, "%s: invalid pattern '%s'", argv[0], argv[i]);
			fprintf(r->out, "%s %s: for the next program run or attached\n",
				add ? "tracing" : "not tracing", argv[i]);
			continue;
		}
		ret = add ? ct_session_trace(r->live.s, argv[i]) :
			    ct_session_untrace(r->live.s, argv[i]);
		if (ret < 0)
			return ct_repl_error(r, "%s %s: %s", argv[0], argv[i],
					     ct_session_error(r->live.s) ?
						     ct_session_error(r->live.s) :
						     strerror(-ret));
		if (ret == 0) {
			const char *why = ct_session_error(r->live.s);

			/* nothing matched: a typo, worth failing a script for;
			 * matched but already so: say it and go on */
			if (!why || !ct_session_last_matched(r->live.s))
				return ct_repl_error(r, "%s %s: %s", argv[0], argv[i],
						     why ? why : "no function matches");
			fprintf(r->out, "%s\n", why);
			continue;
		}
		fprintf(r->out, "%s %d function%s\n", add ? "tracing" : "stopped tracing", ret,
			ret == 1 ? "" : "s");
	}
	return 0;
}

static int cmd_trace(struct ct_repl *r, int argc, char **argv)
{
	return change_patterns(r, argc, argv, true);
}

static int cmd_untrace(struct ct_repl *r, int argc, char **argv)
{
	return change_patterns(r, argc, argv, false);
}

/* ---- list functions, info breakpoints ---- */

struct list_ctx {
	struct ct_repl *r;
	const char *glob;
	bool only_traced;
	unsigned n;
};

/* Names come from the program's files (a module named "x\nFORGED" is
 * possible): each shown on one line, escaped as the event output escapes
 * them.  A malloc'ed copy, or NULL. */
static char *escaped(const char *s)
{
	struct ct_sbuf b;
	char *p;

	ct_sbuf_init(&b, NULL, 0);
	ct_sbuf_put_escaped(&b, s);
	p = malloc(b.len + 1);
	if (!p)
		return NULL;
	ct_sbuf_init(&b, p, b.len + 1);
	ct_sbuf_put_escaped(&b, s);
	ct_sbuf_finish(&b);
	return p;
}

static void list_one(void *ctx, const struct ct_session_func *f)
{
	struct list_ctx *c = ctx;
	char *name, *module;

	if (c->only_traced && !f->traced)
		return;
	if (c->glob && fnmatch(c->glob, f->name, 0) != 0)
		return;
	name = escaped(f->name);
	module = escaped(f->module);
	if (c->only_traced)
		fprintf(c->r->out, "%-32s %-20s 0x%-14llx %llu\n", name ? name : "?",
			module ? module : "?", (unsigned long long)f->addr,
			(unsigned long long)f->hits);
	else
		fprintf(c->r->out, "%-32s %-20s 0x%-14llx %s\n", name ? name : "?",
			module ? module : "?", (unsigned long long)f->addr,
			f->traced ? "traced" : "");
	free(name);
	free(module);
	c->n++;
}

static int cmd_list(struct ct_repl *r, int argc, char **argv)
{
	struct list_ctx c = { .r = r };

	if (argc < 2 || argc > 3 || strcmp(argv[1], "functions"))
		return ct_repl_error(r, "usage: list functions [GLOB]");
	if (need_live(r) < 0)
		return -1;
	c.glob = argc == 3 ? argv[2] : NULL;
	fprintf(r->out, "%-32s %-20s %-16s %s\n", "FUNCTION", "MODULE", "ADDRESS", "");
	ct_session_foreach_func(r->live.s, list_one, &c);
	fprintf(r->out, "%u function%s\n", c.n, c.n == 1 ? "" : "s");
	return 0;
}

static int cmd_info(struct ct_repl *r, int argc, char **argv)
{
	struct list_ctx c = { .r = r, .only_traced = true };

	if (argc != 2 || strcmp(argv[1], "breakpoints"))
		return ct_repl_error(r, "usage: info breakpoints | threads | registers | "
					"functions [GLOB]");
	if (need_live(r) < 0)
		return -1;
	fprintf(r->out, "%-32s %-20s %-16s %s\n", "FUNCTION", "MODULE", "ADDRESS", "HITS");
	ct_session_foreach_func(r->live.s, list_one, &c);
	fprintf(r->out, "%u breakpoint%s\n", c.n, c.n == 1 ? "" : "s");
	return 0;
}

/* ---- threads, bt ---- */

static void thread_one(void *ctx, const struct ct_session_thread *t)
{
	struct ct_repl *r = ctx;
	char *func = t->func ? escaped(t->func) : NULL;

	fprintf(r->out, "%-8d %-8d %-14s %-6u %s\n", (int)t->tid, (int)t->pid, t->state,
		t->depth, func ? func : "-");
	free(func);
}

static int cmd_threads(struct ct_repl *r, int argc, CT_UNUSED char **argv)
{
	if (argc != 1)
		return ct_repl_error(r, "usage: threads");
	if (need_live(r) < 0)
		return -1;
	fprintf(r->out, "%-8s %-8s %-14s %-6s %s\n", "TID", "PID", "STATE", "DEPTH", "FUNCTION");
	ct_session_foreach_thread(r->live.s, thread_one, r);
	return 0;
}

/* The stopped threads of the main process, for the unwinder. */
struct bt_tids {
	pid_t pid;
	pid_t *v;
	unsigned n, cap;
	bool running;
};

static void bt_tid(void *ctx, const struct ct_session_thread *t)
{
	struct bt_tids *b = ctx;

	if (t->pid != b->pid)
		return;
	if (t->run == CT_THREAD_RUNNING)
		b->running = true;
	if (t->run != CT_THREAD_STOPPED && t->run != CT_THREAD_GROUP_STOPPED)
		return;
	if (b->n == b->cap) {
		unsigned cap = b->cap ? b->cap * 2 : 16;
		pid_t *v = realloc(b->v, cap * sizeof(*v));

		if (!v)
			return;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = t->tid;
}

static int map_pc(void *ctx, pid_t tid, uint64_t pc, uint64_t *out)
{
	return ct_session_orig_pc(ctx, tid, pc, out);
}

/*
 * Every stopped thread's system call and backtrace, unwound through every
 * frame (CFI, frame-pointer fallback) and symbolized with file:line: the
 * unwinder of `calltrap stacks`, over the threads we hold stopped.
 */
static int cmd_bt(struct ct_repl *r, int argc, char **argv)
{
	struct ct_stacks_opts so = { 0 };
	struct bt_tids b = { 0 };
	struct ct_snapshot *snap = NULL;
	char err[256];
	pid_t tid = 0;
	char *end;
	long v;
	int ret;

	if (argc > 2)
		return ct_repl_error(r, "usage: bt [TID]");
	if (need_live(r) < 0)
		return -1;
	if (argc == 2) {
		v = strtol(argv[1], &end, 10);
		if (*end || end == argv[1] || v <= 0 || v > 0x7fffffff)
			return ct_repl_error(r, "bt: invalid thread id '%s'", argv[1]);
		tid = (pid_t)v;
	}
	b.pid = r->live.pid;
	ct_session_foreach_thread(r->live.s, bt_tid, &b);
	if (b.running) {
		free(b.v);
		return ct_repl_error(r, "bt: the program is running: 'stop' it first");
	}
	if (tid) {
		unsigned i;

		for (i = 0; i < b.n && b.v[i] != tid; i++)
			;
		if (i == b.n) {
			free(b.v);
			return ct_repl_error(r, "bt: no stopped thread %d in process %d", (int)tid,
					     (int)b.pid);
		}
	}
	so.pid = b.pid;
	so.demangle = ct_repl_demangle(r);
	so.map_pc = map_pc;
	so.map_ctx = r->live.s;
	so.stopped_tids = b.v;
	so.nr_stopped = b.n;
	ret = ct_stacks_take(&so, &snap, err, sizeof(err));
	free(b.v);
	if (ret < 0)
		return ct_repl_error(r, "bt: %s", err[0] ? err : strerror(-ret));
	ret = ct_stacks_print_text(r->out, snap, tid);
	ct_snapshot_free(snap);
	return ret < 0 ? ct_repl_error(r, "bt: %s", strerror(-ret)) : 0;
}

/* ---- completion sources ---- */

struct names_ctx {
	ct_repl_name_cb cb;
	void *ctx;
};

struct funcs_ctx {
	ct_repl_func_cb cb;
	void *ctx;
};

static void name_one(void *ctx, const struct ct_session_func *f)
{
	struct funcs_ctx *c = ctx;

	c->cb(c->ctx, f->module, f->name);
}

void ct_repl_live_names(struct ct_repl *r, ct_repl_func_cb cb, void *ctx)
{
	struct funcs_ctx c = { cb, ctx };

	if (ct_repl_live(r))
		ct_session_foreach_func(r->live.s, name_one, &c);
}

static void tid_one(void *ctx, const struct ct_session_thread *t)
{
	struct names_ctx *c = ctx;
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", (int)t->tid);
	c->cb(c->ctx, buf);
}

void ct_repl_live_tids(struct ct_repl *r, ct_repl_name_cb cb, void *ctx)
{
	struct names_ctx c = { cb, ctx };

	if (ct_repl_live(r))
		ct_session_foreach_thread(r->live.s, tid_one, &c);
}

const struct ct_repl_cmd ct_repl_live_cmds[] = {
	{ "run", cmd_run, "run [PROGRAM [ARGS...]]", "start a program, stopped at its entry point",
	  "Start PROGRAM (by default the one given to 'calltrap repl --' or last run) and\n"
	  "stop it at its entry point, once the dynamic linker has loaded its libraries,\n"
	  "so that 'trace' can choose functions of any of them.  Its events replace the\n"
	  "ones shown so far.\n"
	  "\nExamples:\n  run ./server --port 8080\n  run\n",
	  CT_COMPLETE_FILE },
	{ "attach", cmd_attach, "attach PID", "attach to a running process, all threads stopped",
	  "Seize every thread of PID and stop them; 'continue' lets them run traced.\n"
	  "\nExamples:\n  attach 4242\n",
	  CT_COMPLETE_NONE },
	{ "detach", cmd_detach, "detach", "let the process go, exactly as it was",
	  "Remove every breakpoint, restore every byte and detach; the process runs on.\n"
	  "The events recorded so far stay for the event commands.\n"
	  "\nExamples:\n  detach\n",
	  CT_COMPLETE_NONE },
	{ "continue", cmd_continue, "continue [TIME | &]", "let the program run, traced",
	  "Resume every thread and trace until the program exits, Ctrl-C, or TIME has\n"
	  "passed (500ms, 2s); then every thread is stopped again.  'continue &' runs\n"
	  "it in the background: the prompt stays, shows the events counted so far, and\n"
	  "'stop' stops it.\n"
	  "\nExamples:\n  continue\n  continue 2s\n  continue &\n",
	  CT_COMPLETE_NONE },
	{ "stop", cmd_stop, "stop", "stop a program running in the background",
	  "Stop every thread of a program resumed with 'continue &'.\n"
	  "\nExamples:\n  stop\n",
	  CT_COMPLETE_NONE },
	{ "wait", cmd_wait, "wait [TIME]", "wait while the program runs in the background",
	  "Wait until a program resumed with 'continue &' ends, or TIME has passed\n"
	  "(500ms, 2s), or Ctrl-C; it is traced meanwhile and runs on after.  For\n"
	  "scripts, which read their next command at once.\n"
	  "\nExamples:\n  continue &\n  wait 2s\n  stop\n",
	  CT_COMPLETE_NONE },
	{ "kill", cmd_kill, "kill", "kill the program calltrap started",
	  "SIGKILL to the program started with 'run'; its events stay.\n"
	  "\nExamples:\n  kill\n",
	  CT_COMPLETE_NONE },
	{ "trace", cmd_trace, "trace PATTERN...", "trace more functions (also while running)",
	  "Place breakpoints on the functions matching each PATTERN: a shell glob over\n"
	  "symbol names, or MODULE:GLOB for one module (as -e of calltrap trace).\n"
	  "Before a program is started or attached, the patterns are kept for it.\n"
	  "\nExamples:\n  trace parse_*\n  trace libc.so.6:malloc libc.so.6:free\n",
	  CT_COMPLETE_PATTERN },
	{ "untrace", cmd_untrace, "untrace PATTERN...", "stop tracing functions",
	  "Remove the breakpoints of the functions matching each PATTERN.  Calls already\n"
	  "in progress still report their return.\n"
	  "\nExamples:\n  untrace log_*\n  untrace '*'\n",
	  CT_COMPLETE_PATTERN },
	{ "list", cmd_list, "list functions [GLOB]", "functions of the loaded modules",
	  "Every function symbol of the program and its loaded libraries, with its module\n"
	  "and address, and whether it is traced.\n"
	  "\nExamples:\n  list functions\n  list functions 'str*'\n",
	  CT_COMPLETE_FUNCTION },
	{ "info", cmd_info, "info breakpoints | threads | registers | functions [GLOB]",
	  "traced functions and their hit counts; threads; regs; list functions",
	  "'info breakpoints' (i b): one line per function with a breakpoint: name,\n"
	  "module, address and how many times it was called.  As in gdb, 'info threads'\n"
	  "is 'threads', 'info registers' (i r) is 'regs' and 'info functions' is 'list\n"
	  "functions'.  Any unique beginning of a subcommand will do.\n"
	  "\nExamples:\n  info breakpoints\n  i b\n  info threads\n",
	  CT_COMPLETE_NONE },
	{ "threads", cmd_threads, "threads", "threads, their state and current function",
	  "Each traced thread: its id, process, state (running, stopped, group-stopped)\n"
	  "and the innermost traced function it is in.\n"
	  "\nExamples:\n  threads\n",
	  CT_COMPLETE_NONE },
	{ "bt", cmd_bt, "bt [TID]", "backtrace and system call of each stopped thread",
	  "What each thread of the stopped program is doing, as 'calltrap stacks' shows\n"
	  "it: the system call it is blocked in, with its arguments, and its backtrace\n"
	  "through every frame, traced or not (CFI, frame-pointer fallback), with\n"
	  "file:line where there is debug information.  TID: that thread only.  The\n"
	  "program must be stopped ('stop' one running in the background).\n"
	  "\nExamples:\n  bt\n  bt 4243\n",
	  CT_COMPLETE_THREAD },
	{ NULL, NULL, NULL, NULL, NULL, CT_COMPLETE_NONE },
};
