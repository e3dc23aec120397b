/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The program the REPL traces: starting or attaching, the recording of its
 * events (an unlinked temporary file the event commands read through the
 * store), the echo of events to the terminal, and letting it go.
 *
 * SIGCHLD is blocked and read through a signalfd, so that while the REPL
 * waits for a key the program can run in the background (`continue &`)
 * and its stops are handled as they come.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output/output.h"
#include "repl/state.h"
#include "repl/store.h"

/* Spin before blocking in waitpid, as `calltrap trace` does (cli/run.c). */
#define WAIT_SPIN_US 50

void ct_repl_live_init(struct ct_repl *r)
{
	memset(&r->live, 0, sizeof(r->live));
	r->live.rec_fd = -1;
	r->live.sigfd = -1;
}

struct ct_stop_request *ct_repl_stop_request(struct ct_repl *r)
{
	return &r->live.stop;
}

uint64_t ct_repl_live_events(const struct ct_repl *r)
{
	const struct ct_stats *st;
	uint64_t n = 0;
	unsigned i;

	if (!r->live.s)
		return 0;
	st = ct_session_stats(r->live.s);
	for (i = 0; i < CT_EV_NR_TYPES; i++)
		n += st->events[i];
	return n;
}

static uint64_t realtime_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* An unlinked file: the recording needs no name and leaves nothing behind. */
static int temp_file(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd >= 0 ? fd : -errno;
	snprintf(path, sizeof(path), "%s/calltrap-repl.XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unlink(path);
	return fd;
}

/* Forget the previous program's recording and events. */
static void drop_recording(struct ct_repl *r)
{
	struct ct_repl_live *l = &r->live;

	if (r->store && l->rec_fd >= 0) {
		ct_store_free(r->store);
		r->store = NULL;
	}
	ct_output_free(l->tee);
	ct_output_free(l->rec);
	ct_output_free(l->echo);
	l->tee = l->rec = l->echo = NULL;
	if (l->rec_fd >= 0)
		close(l->rec_fd);
	l->rec_fd = -1;
}

static void close_session(struct ct_repl *r)
{
	struct ct_repl_live *l = &r->live;

	ct_session_free(l->s);
	l->s = NULL;
	if (l->sigfd >= 0)
		close(l->sigfd);
	l->sigfd = -1;
}

/* Everything a session needs before spawn or attach; -1 after an error. */
static int live_begin(struct ct_repl *r, char *const argv[], pid_t pid)
{
	struct ct_repl_live *l = &r->live;
	struct ct_session_opts so = { 0 };
	sigset_t chld;
	int fd;

	if (ct_repl_live(r))
		return ct_repl_error(r, "a program is already traced (pid %d): 'kill' or "
					"'detach' it first", (int)l->pid);
	close_session(r);
	drop_recording(r);
	if (r->store) {
		/* a loaded file gives way to the program's events */
		ct_store_free(r->store);
		r->store = NULL;
	}
	fd = temp_file();
	if (fd < 0)
		return ct_repl_error(r, "cannot create the recording: %s", strerror(-fd));
	l->rec_fd = fd;
	memset(&l->info, 0, sizeof(l->info));
	l->info.arch = ct_arch_host();
	l->info.start_realtime_ns = realtime_ns();
	l->info.pid = pid;
	if (argv) {
		while (argv[l->info.argc])
			l->info.argc++;
		l->info.argv = (const char *const *)argv;
	}
	l->rec = ct_output_new_trace(fd, &l->info);
	l->echo = ct_output_new(CT_FMT_TEXT, stdout, 0);
	l->tee = l->rec && l->echo ? ct_output_new_tee(l->rec, l->echo) : NULL;
	if (!l->tee) {
		drop_recording(r);
		return ct_repl_error(r, "%s", strerror(ENOMEM));
	}
	ct_output_tee_enable(l->tee, 1, r->echo);

	/* stops arrive as SIGCHLD on a signalfd; the program itself starts
	 * with the mask calltrap had */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &l->child_mask);
	sigdelset(&l->child_mask, SIGCHLD);
	l->sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sigfd < 0) {
		int e = errno;

		drop_recording(r);
		return ct_repl_error(r, "signalfd: %s", strerror(e));
	}

	so.patterns = &r->patterns;
	so.regs = r->regs;
	so.follow_forks = r->opts.follow_forks;
	so.no_demangle = r->opts.demangle == CT_DEMANGLE_NO;
	so.short_names = r->opts.demangle == CT_DEMANGLE_SHORT;
	so.raw_args = r->opts.raw_args;
	so.string_limit = r->opts.string_limit;
	so.out = l->tee;
	so.spin_us = WAIT_SPIN_US;
	so.child_mask = &l->child_mask;
	so.pause_at_start = true;
	so.interactive = true;
	/* ^C at the terminal is for calltrap: the program gets its own process
	 * group (a program reading the terminal then stops, SIGTTIN) */
	so.new_pgrp = r->interactive;
	l->s = ct_session_new(&so);
	if (!l->s) {
		int e = errno;

		close_session(r);
		drop_recording(r);
		return ct_repl_error(r, "%s", strerror(e));
	}
	l->ended = false;
	l->background = false;
	l->events_at_stop = 0;
	return 0;
}

static void fail_session(struct ct_repl *r, int ret)
{
	const char *msg = ct_session_error(r->live.s);

	ct_repl_error(r, "%s", msg ? msg : strerror(-ret));
	close_session(r);
	drop_recording(r);
}

static char **copy_argv(char *const argv[])
{
	size_t n = 0, i;
	char **v;

	while (argv[n])
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < n; i++) {
		v[i] = strdup(argv[i]);
		if (!v[i]) {
			while (i--)
				free(v[i]);
			free(v);
			return NULL;
		}
	}
	return v;
}

static void free_argv(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int ct_repl_live_start(struct ct_repl *r, char *const argv[])
{
	char **copy;
	int ret;

	if (argv != r->run_argv) {
		copy = copy_argv(argv);
		if (!copy)
			return ct_repl_error(r, "%s", strerror(ENOMEM));
		free_argv(r->run_argv);
		r->run_argv = copy;
	}
	if (live_begin(r, r->run_argv, 0) < 0)
		return -1;
	ret = ct_session_spawn(r->live.s, r->run_argv);
	if (ret < 0) {
		fail_session(r, ret);
		return -1;
	}
	r->live.spawned = true;
	r->live.pid = ct_session_pid(r->live.s);
	fprintf(r->out, "process %d started, stopped at its entry point\n", (int)r->live.pid);
	return 0;
}

int ct_repl_live_attach(struct ct_repl *r, pid_t pid)
{
	int ret;

	if (live_begin(r, NULL, pid) < 0)
		return -1;
	ret = ct_session_attach(r->live.s, pid);
	if (ret < 0) {
		fail_session(r, ret);
		return -1;
	}
	r->live.spawned = false;
	r->live.pid = pid;
	fprintf(r->out, "attached to process %d; every thread is stopped\n", (int)pid);
	return 0;
}

/* The program is gone (exited, killed or detached): say how, once. */
static void on_ended(struct ct_repl *r)
{
	struct ct_repl_live *l = &r->live;
	int st;

	if (l->ended)
		return;
	l->ended = true;
	l->background = false;
	if (ct_output_end(l->tee) < 0)
		ct_repl_error(r, "writing the recording: %s", strerror(errno ? errno : EIO));
	st = ct_session_exit_status(l->s);
	fflush(stdout);
	if (l->spawned && st >= 0 && WIFEXITED(st))
		fprintf(r->out, "process %d exited with status %d\n", (int)l->pid,
			WEXITSTATUS(st));
	else if (l->spawned && st >= 0 && WIFSIGNALED(st))
		fprintf(r->out, "process %d killed by signal %d\n", (int)l->pid, WTERMSIG(st));
	/* the -e patterns were pending until now: those that never matched */
	ct_session_end_notes(l->s, r->out, "");
}

bool ct_repl_live_poll(struct ct_repl *r)
{
	struct ct_repl_live *l = &r->live;
	struct signalfd_siginfo si;
	uint64_t before = ct_repl_live_events(r);
	int ret;

	if (l->sigfd >= 0)
		while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			;
	if (!l->s || l->ended)
		return false;
	ret = ct_session_poll(l->s, 0);
	if (ret < 0) {
		fprintf(stderr, "\n");
		ct_repl_error(r, "tracing stopped: %s",
			      ct_session_error(l->s) ? ct_session_error(l->s) : strerror(-ret));
	}
	if (ret < 0 || ct_session_done(l->s)) {
		if (r->interactive)
			fputc('\n', stdout); /* off the prompt's line */
		on_ended(r);
		return true;
	}
	return ct_repl_live_events(r) != before;
}

static uint64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int ct_repl_live_wait(struct ct_repl *r, uint64_t limit_ns)
{
	uint64_t start = monotonic_ns();
	/* a limit past the clock's range is no limit */
	uint64_t end = limit_ns && limit_ns < UINT64_MAX - start ? start + limit_ns : UINT64_MAX;

	while (ct_repl_live(r)) {
		struct pollfd pfd = { .fd = r->live.sigfd, .events = POLLIN };
		uint64_t now = monotonic_ns();
		int ms = -1;

		if (ct_repl_terminating() || ct_repl_take_interrupt())
			return 1;
		if (now >= end)
			return 0;
		/* at most a minute a poll: the limit in ms fits an int */
		if (end != UINT64_MAX)
			ms = (int)((end - now < 60000000000u ? end - now + 999999u : 60000000000u) /
				   1000000u);
		if (ct_repl_live_more(r))
			ms = 0;
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			return -errno;
		ct_repl_live_poll(r);
		fflush(stdout);
	}
	return 0;
}

bool ct_repl_live_more(const struct ct_repl *r)
{
	return r->live.s && !r->live.ended && ct_session_poll_more(r->live.s);
}

/* Called by every command that changes the program's state. */
void ct_repl_live_check_end(struct ct_repl *r)
{
	if (r->live.s && !r->live.ended && ct_session_done(r->live.s))
		on_ended(r);
}

void ct_repl_live_forget(struct ct_repl *r)
{
	if (r->store && r->live.rec_fd >= 0) {
		ct_store_free(r->store);
		r->store = NULL;
	}
	close_session(r);
	drop_recording(r);
}

int ct_repl_live_sync(struct ct_repl *r)
{
	struct ct_repl_live *l = &r->live;
	char err[256];
	struct stat st;
	int ret;

	if (l->rec_fd < 0)
		return 0;
	if (l->tee && !l->ended && (ret = ct_output_flush(l->tee)) < 0)
		return ct_repl_error(r, "writing the recording: %s", strerror(-ret));
	if (r->store) {
		if (ct_store_refresh(r->store) < 0)
			return ct_repl_error(r, "reading the recording: %s",
					     ct_store_error(r->store));
		/* complete now: a missing END chunk is worth a warning */
		ct_store_set_live(r->store, !l->ended);
		return 0;
	}
	if (fstat(l->rec_fd, &st) < 0 || st.st_size == 0)
		return 0; /* no event yet: no file to read */
	r->store = ct_store_open_as(l->rec_fd, "(recording)", !l->ended, r->opts.demangle, err,
				    sizeof(err));
	if (!r->store)
		return ct_repl_error(r, "reading the recording: %s", err);
	return 0;
}

bool ct_repl_live_quit(struct ct_repl *r)
{
	struct ct_repl_live *l = &r->live;

	if (!ct_repl_live(r))
		return true;
	if (!ct_repl_terminating()) {
		char q[128];

		snprintf(q, sizeof(q), l->spawned ? "Process %d is traced: kill it and quit?" :
						    "Process %d is traced: detach from it and quit?",
			 (int)l->pid);
		if (!ct_lineio_confirm(r->io, q))
			return false;
	}
	return true;
}

void ct_repl_live_fini(struct ct_repl *r)
{
	struct ct_repl_live *l = &r->live;

	if (ct_repl_live(r)) {
		int ret = l->spawned ? ct_session_kill(l->s) : ct_session_detach(l->s);

		if (ret < 0)
			ct_repl_error(r, "%s %d: %s", l->spawned ? "kill" : "detach", (int)l->pid,
				      ct_session_error(l->s) ? ct_session_error(l->s) :
							       strerror(-ret));
		else if (!l->spawned)
			fprintf(r->out, "detached from process %d\n", (int)l->pid);
		ct_repl_live_check_end(r);
	}
	ct_repl_live_forget(r);
}
