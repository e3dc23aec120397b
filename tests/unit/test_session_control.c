/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session's live control (the REPL's run/continue/stop/trace/untrace/
 * kill/detach) driving tests/targets/control, with the events captured by
 * an output of our own and checked against the truth the target writes
 * about itself (see tests/targets/control.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "output/internal.h"
#include "session/session.h"

/* ---- events, as an output ---- */

struct cev {
	enum ct_event_type type;
	pid_t pid, tid;
	char func[64];
	char module[64];
	unsigned depth;
	uint64_t retval;
	int signo;
};

struct capture {
	struct ct_output out; /* first: the ops get &out */
	struct cev *v;
	size_t n, cap;
};

static int cap_nop(CT_UNUSED struct ct_output *o)
{
	return 0;
}

static int cap_event(struct ct_output *o, const struct ct_event *ev)
{
	struct capture *c = (struct capture *)o;
	struct cev *e;

	if (c->n == c->cap) {
		size_t ncap = c->cap ? 2 * c->cap : 4096;
		struct cev *v = realloc(c->v, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = ncap;
	}
	e = &c->v[c->n++];
	memset(e, 0, sizeof(*e));
	e->type = ev->type;
	e->pid = ev->pid;
	e->tid = ev->tid;
	snprintf(e->func, sizeof(e->func), "%s", ev->func ? ev->func : "");
	snprintf(e->module, sizeof(e->module), "%s", ev->module ? ev->module : "");
	e->depth = ev->depth;
	e->retval = ev->retval;
	e->signo = ev->signo;
	return 0;
}

static const struct ct_output_ops cap_ops = {
	.begin = cap_nop,
	.event = cap_event,
	.idle = cap_nop,
	.end = cap_nop,
};

/* Events of a type for func (NULL: any), on tid (0: any). */
static long count(const struct capture *c, enum ct_event_type type, const char *func, pid_t tid)
{
	long n = 0;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].type == type && (!func || !strcmp(c->v[i].func, func)) &&
		    (!tid || c->v[i].tid == tid))
			n++;
	return n;
}

/* ---- one test's world ---- */

struct fx {
	char dir[64];
	char truth[128];
	char stopfile[128];
	struct capture cap;
	struct ct_session *s;
	struct ct_patterns pats;
	sigset_t child_mask;
	pid_t own_child; /* started by the test itself (attach) */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ct-control-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->truth, sizeof(f->truth), "%s/truth", f->dir);
	snprintf(f->stopfile, sizeof(f->stopfile), "%s/stop", f->dir);
	f->cap.out.ops = &cap_ops;
	sigemptyset(&f->child_mask);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->s && !ct_session_done(f->s))
		ct_session_kill(f->s);
	ct_session_free(f->s);
	if (f->own_child > 0) {
		kill(f->own_child, SIGKILL);
		waitpid(f->own_child, NULL, 0);
	}
	ct_patterns_fini(&f->pats);
	unlink(f->truth);
	unlink(f->stopfile);
	rmdir(f->dir);
	free(f->cap.v);
	free(f);
	return 0;
}

static void target_path(char *buf, size_t n, const char *name)
{
	const char *dir = getenv("TARGETS");

	snprintf(buf, n, "%s/%s", dir && *dir ? dir : CT_TARGETS_DIR, name);
}

static struct ct_session *new_session(struct fx *f, bool pause, bool interactive)
{
	struct ct_session_opts so = { 0 };

	so.patterns = NULL; /* nothing traced until ct_session_trace */
	so.out = &f->cap.out;
	so.child_mask = &f->child_mask;
	so.pause_at_start = pause;
	so.interactive = interactive;
	f->s = ct_session_new(&so);
	assert_non_null(f->s);
	return f->s;
}

static void spawn(struct fx *f, const char *target, const char *mode, const char *a1,
		  const char *a2)
{
	char path[512];
	char *argv[] = { path, (char *)mode, f->truth, (char *)a1, (char *)a2, NULL };
	int ret;

	target_path(path, sizeof(path), target);
	ret = ct_session_spawn(f->s, argv);
	if (ret < 0)
		fail_msg("spawn %s: %s", path, ct_session_error(f->s));
}

/* Waits last this many times longer where everything runs slower (the
 * emulated aarch64 guest sets CT_TIMEOUT to 180: 3 times), as lib.sh's
 * CT_WAIT_SCALE; a wait that ends early costs nothing. */
static double wait_scale(void)
{
	const char *t = getenv("CT_TIMEOUT");
	long v = t ? strtol(t, NULL, 10) : 0;

	return v >= 120 ? (double)(v / 60) : 1.0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Drive the session with ct_session_poll for `secs` (or until done). */
static void poll_for(struct ct_session *s, double secs)
{
	double end = now() + secs;

	while (!ct_session_done(s) && now() < end) {
		int n = ct_session_poll(s, 20);

		assert_true(n >= 0);
	}
}

static void run_to_end(struct ct_session *s)
{
	double end = now() + 60;

	while (!ct_session_done(s)) {
		if (now() > end)
			fail_msg("the target did not end");
		assert_true(ct_session_poll(s, 500) >= 0);
	}
}

static void touch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0600);

	assert_true(fd >= 0);
	close(fd);
}

/* The value of "key VALUE" in the truth file, -1 when absent. */
static long truth(const struct fx *f, const char *key)
{
	char line[256], k[64];
	long v, ret = -1;
	FILE *fp = fopen(f->truth, "r");

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "%63s %ld", k, &v) == 2 && !strcmp(k, key))
			ret = v;
	fclose(fp);
	return ret;
}

/* ---- functions and threads as the session lists them ---- */

struct find_func {
	const char *module, *name;
	struct ct_session_func got;
	int found;
};

static void find_func_cb(void *ctx, const struct ct_session_func *fn)
{
	struct find_func *c = ctx;

	if (!strcmp(fn->name, c->name) && (!c->module || !strcmp(fn->module, c->module))) {
		c->got = *fn;
		c->found++;
	}
}

static struct ct_session_func func_info(struct ct_session *s, const char *module, const char *name)
{
	struct find_func c = { .module = module, .name = name };

	ct_session_foreach_func(s, find_func_cb, &c);
	if (c.found != 1)
		fail_msg("%s:%s listed %d times", module ? module : "*", name, c.found);
	return c.got;
}

struct thread_list {
	struct ct_session_thread t[64];
	struct ct_session_frame frames[64][4];
	size_t n;
};

static void thread_cb(void *ctx, const struct ct_session_thread *t)
{
	struct thread_list *l = ctx;
	unsigned i;

	if (l->n >= 64)
		return;
	l->t[l->n] = *t;
	for (i = 0; i < t->depth && i < 4; i++)
		l->frames[l->n][i] = t->frames[i];
	l->n++;
}

static void threads(struct ct_session *s, struct thread_list *l)
{
	memset(l, 0, sizeof(*l));
	assert_int_equal(ct_session_foreach_thread(s, thread_cb, l), 0);
}

/* Do the `len` bytes at addr in pid equal those of the file mapped there? */
static bool same_as_file(pid_t pid, uint64_t addr, size_t len)
{
	char path[64], line[1024];
	uint8_t a[16], b[16];
	bool found = false, same = false;
	FILE *maps;

	assert_true(len <= sizeof(a));
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "r");
	assert_non_null(maps);
	while (!found && fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi, off;
		char file[512] = "";
		int fd;

		if (sscanf(line, "%lx-%lx %*s %lx %*s %*u %511s", &lo, &hi, &off, file) < 3 ||
		    addr < lo || addr + len > hi)
			continue;
		found = true;
		assert_true(file[0] == '/');
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
		fd = open(path, O_RDONLY);
		assert_true(fd >= 0);
		assert_int_equal(pread(fd, a, len, (off_t)addr), (ssize_t)len);
		close(fd);
		fd = open(file, O_RDONLY);
		assert_true(fd >= 0);
		assert_int_equal(pread(fd, b, len, (off_t)(addr - lo + off)), (ssize_t)len);
		close(fd);
		same = memcmp(a, b, len) == 0;
	}
	fclose(maps);
	assert_true(found);
	return same;
}

/* ---- the tests ---- */

/* Stopped at the entry point, libc is there to trace; what is traced then
 * gives exactly the calls the program made, and nothing else. */
static void pause_trace_calls(void **state, const char *target)
{
	struct fx *f = *state;
	struct ct_stop_request stop = { 0 };
	struct ct_session_func fn;
	struct thread_list tl;
	struct ct_session *s = new_session(f, true, false);
	int status;

	spawn(f, target, "calls", "100", NULL);
	assert_true(ct_session_stopped(s));
	assert_false(ct_session_done(s));
	assert_int_equal(count(&f->cap, CT_EV_CALL, NULL, 0), 0);

	threads(s, &tl);
	assert_int_equal(tl.n, 1);
	assert_int_equal(tl.t[0].tid, ct_session_pid(s));
	assert_int_equal(tl.t[0].run, CT_THREAD_STOPPED);
	assert_string_equal(tl.t[0].state, "stopped");
	assert_int_equal(tl.t[0].depth, 0);
	assert_null(tl.t[0].func);

	/* the libraries are mapped: libc's functions are listed, untraced */
	fn = func_info(s, "libc.so.6", "getppid");
	assert_true(fn.addr != 0);
	assert_false(fn.traced);
	assert_false(fn.inserted);
	fn = func_info(s, NULL, "mid");
	assert_false(fn.traced);

	assert_int_equal(ct_session_trace(s, "libc.so.6:getppid"), 1);
	assert_null(ct_session_error(s));
	assert_int_equal(ct_session_trace(s, "mid"), 1);
	assert_int_equal(ct_session_trace(s, "leaf"), 1);
	assert_int_equal(ct_session_last_matched(s), 1);
	/* nothing new, nothing matched: 0 and a message; what matched tells
	 * them apart */
	assert_int_equal(ct_session_trace(s, "leaf"), 0);
	assert_non_null(ct_session_error(s));
	assert_int_equal(ct_session_last_matched(s), 1);
	assert_int_equal(ct_session_trace(s, "no_such_function_here"), 0);
	assert_non_null(ct_session_error(s));
	assert_int_equal(ct_session_last_matched(s), 0);
	/* leaf, traced, and mid, not */
	assert_int_equal(ct_session_untrace(s, "mid"), 1);
	assert_int_equal(ct_session_trace(s, "control-*:[lm][ei]*"), 1);
	assert_int_equal(ct_session_last_matched(s), 2);
	assert_int_equal(ct_session_untrace(s, "control-*:[lm][ei]*"), 2);
	assert_int_equal(ct_session_trace(s, "bad:"), -EINVAL);
	assert_int_equal(ct_session_last_matched(s), 0);
	assert_int_equal(ct_session_trace(s, "mid"), 1);
	assert_int_equal(ct_session_trace(s, "leaf"), 1);
	assert_int_equal(ct_session_untrace(s, "!mid"), -EINVAL);
	fn = func_info(s, "libc.so.6", "getppid");
	assert_true(fn.traced);
	assert_true(fn.inserted);
	assert_int_equal(fn.hits, 0);
	assert_true(ct_session_stopped(s));

	assert_int_equal(ct_session_run(s, &stop), 0);
	assert_true(ct_session_done(s));
	assert_false(ct_session_stopped(s));
	status = ct_session_exit_status(s);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(truth(f, "status"), 0);

	/* 100 mid, each 2 leaf, getppid for the 50 even i */
	assert_int_equal(truth(f, "mid"), 100);
	assert_int_equal(count(&f->cap, CT_EV_CALL, "mid", 0), 100);
	assert_int_equal(count(&f->cap, CT_EV_RETURN, "mid", 0), 100);
	assert_int_equal(count(&f->cap, CT_EV_CALL, "leaf", 0), 200);
	assert_int_equal(count(&f->cap, CT_EV_RETURN, "leaf", 0), 200);
	assert_int_equal(count(&f->cap, CT_EV_CALL, "getppid", 0), 50);
	assert_int_equal(count(&f->cap, CT_EV_RETURN, "getppid", 0), 50);
	assert_int_equal(count(&f->cap, CT_EV_CALL, NULL, 0), 350);
	assert_int_equal(count(&f->cap, CT_EV_UNWIND, NULL, 0), 0);
	assert_int_equal(count(&f->cap, CT_EV_EXIT, NULL, 0), 1);
	{
		size_t i;

		for (i = 0; i < f->cap.n; i++) {
			const struct cev *e = &f->cap.v[i];

			if (e->type != CT_EV_CALL)
				continue;
			if (!strcmp(e->func, "leaf"))
				assert_int_equal(e->depth, 2);
			else
				assert_int_equal(e->depth, 1);
			if (!strcmp(e->func, "getppid"))
				assert_string_equal(e->module, "libc.so.6");
		}
	}
}

static void test_pause_trace_calls_O0(void **state)
{
	pause_trace_calls(state, "control-O0");
}

static void test_pause_trace_calls_O2(void **state)
{
	pause_trace_calls(state, "control-O2");
}

/* Wait for SIGCHLD on a signalfd beside nothing else, the way the REPL
 * waits beside the keyboard, for `secs`. */
static void drive_by_signalfd(struct ct_session *s, int sfd, double secs)
{
	double end = now() + secs;

	while (!ct_session_done(s) && now() < end) {
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };
		struct signalfd_siginfo si;

		/* statuses left by a spent budget raise no new SIGCHLD */
		if (poll(&pfd, 1, ct_session_poll_more(s) ? 0 : 50) > 0)
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				;
		assert_true(ct_session_poll(s, 0) >= 0);
	}
}

/* Every thread stopped, and the calls reported on it so far that have not
 * returned are the frames on its shadow stack. */
static void check_all_stopped(struct fx *f, size_t want_threads)
{
	struct thread_list tl;
	size_t i;

	threads(f->s, &tl);
	assert_int_equal(tl.n, want_threads);
	for (i = 0; i < tl.n; i++) {
		pid_t tid = tl.t[i].tid;

		assert_int_equal(tl.t[i].run, CT_THREAD_STOPPED);
		assert_int_equal(count(&f->cap, CT_EV_CALL, NULL, tid) -
					 count(&f->cap, CT_EV_RETURN, NULL, tid),
				 tl.t[i].depth);
		if (tl.t[i].depth)
			assert_string_equal(tl.t[i].func, "work");
	}
}

/* Per thread: calls and returns equal the calls it counted itself. */
static void check_work_truth(struct fx *f, long nthreads)
{
	char line[256];
	long n = 0, total = 0;
	FILE *fp = fopen(f->truth, "r");

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		int tid;
		long calls;

		if (sscanf(line, "work %d %ld", &tid, &calls) != 2)
			continue;
		assert_true(calls > 0);
		if (count(&f->cap, CT_EV_CALL, "work", tid) != calls)
			fail_msg("thread %d: %ld calls reported, %ld made", tid,
				 count(&f->cap, CT_EV_CALL, "work", tid), calls);
		assert_int_equal(count(&f->cap, CT_EV_RETURN, "work", tid), calls);
		n++;
		total += calls;
	}
	fclose(fp);
	print_message("%ld threads made %ld calls, each reported\n", n, total);
	assert_int_equal(n, nthreads);
	assert_int_equal(count(&f->cap, CT_EV_CALL, "work", 0), total);
	assert_int_equal(count(&f->cap, CT_EV_UNWIND, NULL, 0), 0);
	assert_int_equal(truth(f, "status"), 0);
}

/* Stop the world again and again in the middle of four busy threads: while
 * stopped nothing happens, and in the end no call was lost. */
static void test_stop_resume_threads(void **state)
{
	struct fx *f = *state;
	struct ct_session *s = new_session(f, true, false);
	sigset_t chld, old;
	int sfd, round;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	assert_true(sfd >= 0);

	spawn(f, "control-O2", "threads", "4", f->stopfile);
	assert_int_equal(ct_session_trace(s, "work"), 1);
	assert_int_equal(ct_session_resume_all(s), 0);
	assert_false(ct_session_stopped(s));
	for (round = 0; round < 8; round++) {
		size_t before;

		drive_by_signalfd(s, sfd, 0.1);
		assert_int_equal(ct_session_stop_all(s), 0);
		assert_true(ct_session_stopped(s));
		check_all_stopped(f, 5);
		before = f->cap.n;
		assert_int_equal(ct_session_poll(s, 30), 0);
		assert_int_equal(f->cap.n, before);
		/* stopping twice is stopping once */
		assert_int_equal(ct_session_stop_all(s), 0);
		assert_int_equal(f->cap.n, before);
		assert_int_equal(ct_session_resume_all(s), 0);
	}
	assert_true(count(&f->cap, CT_EV_CALL, "work", 0) > 0);
	touch(f->stopfile);
	drive_by_signalfd(s, sfd, 60);
	assert_true(ct_session_done(s));
	close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	check_work_truth(f, 4);
}

/* Four threads keep a stop pending at all times: every poll still comes
 * back, having handled at most its budget, says when it left some, and
 * the next one goes on where it stopped, losing nothing. */
static void test_poll_budget(void **state)
{
	struct fx *f = *state;
	struct ct_session *s = new_session(f, true, false);
	double end;
	long polls = 0, full = 0;

	spawn(f, "control-O2", "threads", "4", f->stopfile);
	assert_int_equal(ct_session_trace(s, "work"), 1);
	assert_int_equal(ct_session_resume_all(s), 0);
	end = now() + 0.5;
	while (now() < end) {
		int n = ct_session_poll(s, 20);

		assert_true(n >= 0 && n <= CT_SESSION_POLL_BUDGET);
		assert_int_equal(ct_session_poll_more(s), n == CT_SESSION_POLL_BUDGET);
		polls++;
		full += n == CT_SESSION_POLL_BUDGET;
	}
	assert_false(ct_session_done(s));
	assert_int_equal(ct_session_stop_all(s), 0);
	check_all_stopped(f, 5);
	assert_int_equal(ct_session_poll(s, 0), 0);
	assert_false(ct_session_poll_more(s));
	assert_int_equal(ct_session_resume_all(s), 0);
	touch(f->stopfile);
	run_to_end(s);
	print_message("%ld polls, %ld of them at the budget\n", polls, full);
	check_work_truth(f, 4);
}

/* untrace and trace again and again while four threads call the function:
 * no breakpoint trap is left to hit a removed site (the program would die
 * of SIGTRAP), and every call reported has its return. */
static void test_retrace_busy(void **state)
{
	struct fx *f = *state;
	struct ct_session *s = new_session(f, true, false);
	char line[256];
	long reported = 0, made = 0;
	int round;
	FILE *fp;

	spawn(f, "control-O2", "threads", "4", f->stopfile);
	assert_int_equal(ct_session_trace(s, "work"), 1);
	assert_int_equal(ct_session_resume_all(s), 0);
	for (round = 0; round < 25; round++) {
		poll_for(s, 0.02);
		assert_int_equal(ct_session_untrace(s, "work"), 1);
		assert_false(ct_session_stopped(s));
		poll_for(s, 0.01);
		assert_int_equal(ct_session_trace(s, "work"), 1);
	}
	touch(f->stopfile);
	run_to_end(s);
	assert_true(WIFEXITED(ct_session_exit_status(s)));
	assert_int_equal(truth(f, "status"), 0);
	fp = fopen(f->truth, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		int tid;
		long calls, got;

		if (sscanf(line, "work %d %ld", &tid, &calls) != 2)
			continue;
		/* a thread may miss every traced window on a slow machine (the
		 * emulated aarch64 guest): together they must not */
		got = count(&f->cap, CT_EV_CALL, "work", tid);
		assert_true(got <= calls);
		assert_int_equal(count(&f->cap, CT_EV_RETURN, "work", tid), got);
		reported += got;
		made += calls;
	}
	fclose(fp);
	assert_true(reported > 0);
	assert_int_equal(count(&f->cap, CT_EV_SIGNAL, NULL, 0), 0);
	print_message("%ld of %ld calls made while traced\n", reported, made);
}

/* Frames open when their functions are untraced still get their returns;
 * a function traced again is reported again; hit counts are kept. */
static void test_untrace_open_frames(void **state)
{
	struct fx *f = *state;
	struct ct_session *s = new_session(f, true, false);
	struct ct_session_func fn;
	struct thread_list tl;
	double end;
	size_t i;

	spawn(f, "control-O2", "block", f->stopfile, "5");
	assert_int_equal(ct_session_trace(s, "outer"), 1);
	assert_int_equal(ct_session_trace(s, "inner"), 1);
	assert_int_equal(ct_session_resume_all(s), 0);
	end = now() + 20;
	while (count(&f->cap, CT_EV_CALL, "inner", 0) == 0) {
		assert_true(now() < end);
		assert_true(ct_session_poll(s, 20) >= 0);
	}
	assert_int_equal(ct_session_stop_all(s), 0);

	/* bt: outer then inner, on the main thread */
	threads(s, &tl);
	assert_int_equal(tl.n, 1);
	assert_int_equal(tl.t[0].depth, 2);
	assert_string_equal(tl.t[0].func, "inner");
	assert_string_equal(tl.frames[0][0].func, "outer");
	assert_string_equal(tl.frames[0][1].func, "inner");
	assert_true(tl.frames[0][0].ret_addr != 0);
	assert_true(tl.frames[0][1].ret_addr != 0);
	assert_true(tl.frames[0][1].entry_sp < tl.frames[0][0].entry_sp);
	assert_int_equal(func_info(s, NULL, "outer").hits, 1);
	assert_int_equal(func_info(s, NULL, "inner").hits, 1);

	fn = func_info(s, NULL, "inner");
	assert_false(same_as_file(ct_session_pid(s), fn.addr, 4));
	assert_int_equal(ct_session_untrace(s, "outer"), 1);
	assert_int_equal(ct_session_untrace(s, "inner"), 1);
	/* the original bytes are back at their entries */
	assert_true(same_as_file(ct_session_pid(s), fn.addr, 4));
	fn = func_info(s, NULL, "outer");
	assert_true(same_as_file(ct_session_pid(s), fn.addr, 4));
	assert_false(fn.traced);
	assert_false(fn.inserted);
	assert_int_equal(fn.hits, 1);
	assert_int_equal(ct_session_untrace(s, "outer"), 0);
	assert_non_null(ct_session_error(s));
	/* the frames stay */
	threads(s, &tl);
	assert_int_equal(tl.t[0].depth, 2);
	/* outer back (its retired site inserted again): the next 5 calls */
	assert_int_equal(ct_session_trace(s, "outer"), 1);
	fn = func_info(s, NULL, "outer");
	assert_true(fn.traced && fn.inserted);
	assert_int_equal(fn.hits, 1);
	assert_false(same_as_file(ct_session_pid(s), fn.addr, 4));

	assert_int_equal(ct_session_resume_all(s), 0);
	touch(f->stopfile);
	run_to_end(s);
	assert_int_equal(truth(f, "status"), 0);
	assert_int_equal(truth(f, "outer"), 6);

	assert_int_equal(count(&f->cap, CT_EV_CALL, "inner", 0), 1);
	assert_int_equal(count(&f->cap, CT_EV_RETURN, "inner", 0), 1);
	assert_int_equal(count(&f->cap, CT_EV_CALL, "outer", 0), 6);
	assert_int_equal(count(&f->cap, CT_EV_RETURN, "outer", 0), 6);
	assert_int_equal(count(&f->cap, CT_EV_UNWIND, NULL, 0), 0);
	for (i = 0; i < f->cap.n; i++) {
		const struct cev *e = &f->cap.v[i];

		if (e->type == CT_EV_RETURN && !strcmp(e->func, "inner")) {
			assert_int_equal(e->retval, 7);
			assert_int_equal(e->depth, 2);
		}
		if (e->type == CT_EV_RETURN && !strcmp(e->func, "outer")) {
			assert_int_equal(e->retval, 8);
			assert_int_equal(e->depth, 1);
		}
	}
}

/* Kill, running and stopped: every open frame closed, the exit reported. */
static void test_kill_running(void **state)
{
	struct fx *f = *state;
	struct ct_session *s = new_session(f, true, false);
	pid_t pid;
	size_t i;

	spawn(f, "control-O2", "threads", "3", f->stopfile);
	pid = ct_session_pid(s);
	assert_int_equal(ct_session_trace(s, "work"), 1);
	assert_int_equal(ct_session_resume_all(s), 0);
	poll_for(s, 0.2);
	assert_int_equal(ct_session_kill(s), 0);
	assert_true(ct_session_done(s));
	assert_false(ct_session_stopped(s));
	assert_true(WIFSIGNALED(ct_session_exit_status(s)));
	assert_int_equal(WTERMSIG(ct_session_exit_status(s)), SIGKILL);
	assert_int_equal(ct_session_poll(s, 0), 0);
	assert_true(count(&f->cap, CT_EV_CALL, "work", 0) > 0);
	/* every call closed by its return or an unwind, per thread */
	for (i = 0; i < f->cap.n; i++) {
		pid_t tid = f->cap.v[i].tid;

		if (f->cap.v[i].type != CT_EV_CALL)
			continue;
		assert_int_equal(count(&f->cap, CT_EV_CALL, "work", tid),
				 count(&f->cap, CT_EV_RETURN, "work", tid) +
					 count(&f->cap, CT_EV_UNWIND, "work", tid));
	}
	assert_int_equal(count(&f->cap, CT_EV_EXIT, NULL, 0), 1);
	for (i = 0; i < f->cap.n; i++)
		if (f->cap.v[i].type == CT_EV_EXIT) {
			assert_int_equal(f->cap.v[i].pid, pid);
			assert_int_equal(f->cap.v[i].signo, SIGKILL);
		}
	assert_true(kill(pid, 0) < 0 && errno == ESRCH);
}

static void test_kill_stopped(void **state)
{
	struct fx *f = *state;
	struct ct_session *s = new_session(f, true, false);
	pid_t pid;

	spawn(f, "control-O2", "calls", "10", NULL);
	pid = ct_session_pid(s);
	assert_true(ct_session_stopped(s));
	assert_int_equal(ct_session_kill(s), 0);
	assert_true(ct_session_done(s));
	assert_int_equal(WTERMSIG(ct_session_exit_status(s)), SIGKILL);
	assert_int_equal(count(&f->cap, CT_EV_EXIT, NULL, 0), 1);
	assert_true(kill(pid, 0) < 0 && errno == ESRCH);
}

/* Every file-backed executable mapping of pid holds the file's bytes, and
 * no anonymous executable mapping (a scratch area) is left. */
static void check_no_trace_left(pid_t pid)
{
	char path[64], line[1024];
	FILE *maps;
	int mem, nfiles = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "r");
	assert_non_null(maps);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	mem = open(path, O_RDONLY);
	assert_true(mem >= 0);
	while (fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi, off, inode;
		char perms[8], dev[16], file[512] = "";
		size_t len, done;
		uint8_t *a, *b;
		int fd;

		if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %511s", &lo, &hi, perms, &off, dev,
			   &inode, file) < 6)
			continue;
		if (perms[2] != 'x')
			continue;
		if (!file[0]) {
			fail_msg("an anonymous executable mapping is left: %s", line);
			continue;
		}
		if (file[0] != '/')
			continue; /* [vdso], [vsyscall] */
		fd = open(file, O_RDONLY);
		assert_true(fd >= 0);
		len = hi - lo;
		a = malloc(len);
		b = calloc(1, len);
		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(pread(mem, a, len, (off_t)lo), (ssize_t)len);
		/* the tail of the last page past the file's end reads as zeros */
		for (done = 0; done < len;) {
			ssize_t r = pread(fd, b + done, len - done, (off_t)(off + done));

			assert_true(r >= 0);
			if (r == 0)
				break;
			done += (size_t)r;
		}
		if (memcmp(a, b, len) != 0) {
			size_t i;

			for (i = 0; i < len && a[i] == b[i]; i++)
				;
			fail_msg("%s: byte %#lx differs from the file (%#x, file %#x)", file,
				 lo + i, a[i], b[i]);
		}
		free(a);
		free(b);
		close(fd);
		nfiles++;
	}
	fclose(maps);
	close(mem);
	assert_true(nfiles >= 3); /* the program, ld.so, libc */
}

static bool has_anon_exec(pid_t pid)
{
	char path[64], line[1024];
	bool found = false;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "r");
	assert_non_null(maps);
	while (fgets(line, sizeof(line), maps)) {
		char perms[8], file[512] = "";

		if (sscanf(line, "%*x-%*x %7s %*x %*s %*u %511s", perms, file) >= 1 &&
		    perms[2] == 'x' && !file[0])
			found = true;
	}
	fclose(maps);
	return found;
}

/* Detach leaves the program running as if never traced. */
static void detach(void **state, bool stopped_first)
{
	struct fx *f = *state;
	struct ct_session *s = new_session(f, true, false);
	double end;
	pid_t pid;
	int status;

	spawn(f, "control-O2", "threads", "3", f->stopfile);
	pid = ct_session_pid(s);
	assert_int_equal(ct_session_trace(s, "work"), 1);
	assert_int_equal(ct_session_trace(s, "libc.so.6:getppid"), 1);
	assert_int_equal(ct_session_resume_all(s), 0);
	poll_for(s, 0.2);
	assert_true(count(&f->cap, CT_EV_CALL, "work", 0) > 0);
	assert_true(has_anon_exec(pid));
	if (stopped_first)
		assert_int_equal(ct_session_stop_all(s), 0);
	assert_int_equal(ct_session_detach(s), 0);
	assert_true(ct_session_done(s));
	assert_int_equal(ct_session_exit_status(s), -1);

	check_no_trace_left(pid);
	/* it runs on, untraced, and ends well */
	touch(f->stopfile);
	end = now() + 30;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		assert_true(now() < end);
		usleep(10000);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(truth(f, "status"), 0);
}

static void test_detach_running(void **state)
{
	detach(state, false);
}

static void test_detach_stopped(void **state)
{
	detach(state, true);
}

/* An idle poll sleeps: no spinning while nothing happens. */
static void test_poll_sleeps(void **state)
{
	struct fx *f = *state;
	struct ct_session *s = new_session(f, true, false);
	struct rusage r0, r1;
	double t0, wall, cpu;

	spawn(f, "control-O2", "calls", "10", NULL);
	getrusage(RUSAGE_SELF, &r0);
	t0 = now();
	assert_int_equal(ct_session_poll(s, 300), 0);
	wall = now() - t0;
	getrusage(RUSAGE_SELF, &r1);
	cpu = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) +
	      (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6 +
	      (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) +
	      (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
	assert_true(wall >= 0.25);
	assert_true(cpu < 0.1);
	assert_true(ct_session_stopped(s));
	assert_int_equal(ct_session_poll(s, 0), 0);
}

/* ^C in an interactive run: the world stops, the run returns, nothing is
 * lost; run again to the end. */
static struct ct_stop_request *alarm_stop;

static void on_alarm(CT_UNUSED int sig)
{
	alarm_stop->sig = SIGINT;
	if (alarm_stop->wake_tid > 0)
		ptrace(PTRACE_INTERRUPT, (pid_t)alarm_stop->wake_tid, 0L, 0L);
}

static void test_interactive_stop(void **state)
{
	struct fx *f = *state;
	struct ct_session *s = new_session(f, true, true);
	struct ct_stop_request stop = { 0 };
	struct itimerval it = { .it_value = { 0, 150 * 1000 } };
	struct sigaction sa = { 0 }, old_sa;
	size_t before;

	spawn(f, "control-O2", "threads", "2", f->stopfile);
	assert_int_equal(ct_session_trace(s, "work"), 1);
	alarm_stop = &stop;
	sa.sa_handler = on_alarm; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old_sa), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	assert_int_equal(ct_session_run(s, &stop), CT_RUN_STOPPED);
	sigaction(SIGALRM, &old_sa, NULL);
	assert_true(ct_session_stopped(s));
	assert_int_equal(ct_session_stop_signal(s), SIGINT);
	assert_int_equal(stop.sig, SIGINT);
	stop.sig = 0;
	check_all_stopped(f, 3);
	before = f->cap.n;
	assert_true(count(&f->cap, CT_EV_CALL, "work", 0) > 0);
	assert_int_equal(ct_session_poll(s, 50), 0);
	assert_int_equal(f->cap.n, before);

	touch(f->stopfile);
	assert_int_equal(ct_session_run(s, &stop), 0);
	assert_true(ct_session_done(s));
	check_work_truth(f, 2);
}

/* Attach with pause_at_start: every thread stays stopped; what is traced
 * then is what runs after. */
static void test_attach_paused(void **state)
{
	struct fx *f = *state;
	struct ct_session *s = new_session(f, true, false);
	struct thread_list tl;
	char path[512];
	double end;
	pid_t pid;

	target_path(path, sizeof(path), "control-O2");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(path, path, "block", f->truth, f->stopfile, "5", (char *)NULL);
		_exit(127);
	}
	f->own_child = pid;
	/* inner() waits for the stop file: a thread in nanosleep */
	end = now() + 10;
	for (;;) {
		char st = 0, p[64], buf[512], *c;
		FILE *fp;

		snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
		fp = fopen(p, "r");
		if (fp) {
			if (fgets(buf, sizeof(buf), fp) && (c = strrchr(buf, ')')))
				st = c[2];
			fclose(fp);
		}
		if (st == 'S')
			break;
		assert_true(now() < end);
		usleep(10000);
	}
	usleep(50000);
	if (ct_session_attach(s, pid) < 0)
		fail_msg("attach: %s", ct_session_error(s));
	assert_true(ct_session_stopped(s));
	check_all_stopped(f, 1);
	poll_for(s, 0.05);
	threads(s, &tl);
	assert_int_equal(tl.t[0].run, CT_THREAD_STOPPED);
	assert_int_equal(ct_session_trace(s, "outer"), 1);
	assert_int_equal(ct_session_trace(s, "inner"), 1);
	assert_int_equal(ct_session_resume_all(s), 0);
	touch(f->stopfile);
	run_to_end(s);
	/* the first outer() was entered before the attach: its return is not
	 * one we can pair, the 5 after are complete */
	assert_int_equal(count(&f->cap, CT_EV_CALL, "outer", 0), 5);
	assert_int_equal(count(&f->cap, CT_EV_RETURN, "outer", 0), 5);
	assert_int_equal(count(&f->cap, CT_EV_CALL, "inner", 0), 5);
	assert_int_equal(count(&f->cap, CT_EV_RETURN, "inner", 0), 5);
	assert_int_equal(truth(f, "status"), 0);
	f->own_child = 0;
}

/* Detached right at the entry point (the thread held before the entry
 * point's displaced instruction), with its own process group. */
static void test_detach_at_pause_pgrp(void **state)
{
	struct fx *f = *state;
	struct ct_session_opts so = { 0 };
	double end;
	pid_t pid;
	int status;

	so.out = &f->cap.out;
	so.child_mask = &f->child_mask;
	so.pause_at_start = true;
	so.new_pgrp = true;
	f->s = ct_session_new(&so);
	assert_non_null(f->s);
	spawn(f, "control-O2", "threads", "2", f->stopfile);
	pid = ct_session_pid(f->s);
	assert_int_equal(getpgid(pid), pid);
	assert_true(getpgrp() != pid);
	assert_int_equal(ct_session_trace(f->s, "work"), 1);
	assert_int_equal(ct_session_detach(f->s), 0);
	assert_true(ct_session_done(f->s));
	check_no_trace_left(pid);
	touch(f->stopfile);
	end = now() + 30;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		assert_true(now() < end);
		usleep(10000);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(truth(f, "status"), 0);
	assert_int_equal(count(&f->cap, CT_EV_CALL, NULL, 0), 0);
}

static bool all_in(struct ct_session *s, enum ct_thread_run run, size_t n)
{
	struct thread_list tl;
	size_t i;

	threads(s, &tl);
	for (i = 0; i < tl.n; i++)
		if (tl.t[i].run != run)
			return false;
	return tl.n == n;
}

/* A program stopped by SIGSTOP: stopping the world keeps it in its
 * group-stop, resuming does not end it; SIGCONT does, and nothing is lost. */
static void test_group_stop(void **state)
{
	struct fx *f = *state;
	struct ct_session *s = new_session(f, true, false);
	double end;
	pid_t pid;

	spawn(f, "control-O2", "threads", "2", f->stopfile);
	pid = ct_session_pid(s);
	assert_int_equal(ct_session_trace(s, "work"), 1);
	assert_int_equal(ct_session_resume_all(s), 0);
	poll_for(s, 0.1);
	kill(pid, SIGSTOP);
	end = now() + 10 * wait_scale();
	while (!all_in(s, CT_THREAD_GROUP_STOPPED, 3)) {
		assert_true(now() < end);
		assert_true(ct_session_poll(s, 20) >= 0);
	}
	assert_int_equal(ct_session_stop_all(s), 0);
	assert_true(all_in(s, CT_THREAD_GROUP_STOPPED, 3));
	assert_int_equal(ct_session_resume_all(s), 0);
	poll_for(s, 0.1);
	assert_true(all_in(s, CT_THREAD_GROUP_STOPPED, 3));
	kill(pid, SIGCONT);
	end = now() + 10 * wait_scale();
	while (!all_in(s, CT_THREAD_RUNNING, 3)) {
		assert_true(now() < end);
		assert_true(ct_session_poll(s, 20) >= 0);
	}
	poll_for(s, 0.1);
	touch(f->stopfile);
	run_to_end(s);
	check_work_truth(f, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pause_trace_calls_O0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_trace_calls_O2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_resume_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retrace_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untrace_open_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_stopped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_stopped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_sleeps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interactive_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_paused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_at_pause_pgrp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_stop, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
