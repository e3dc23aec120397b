/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stop every thread of a process at once, and let them go as they were.
 *
 * Threads are seized without PTRACE_O_TRACECLONE (we want no new tracees,
 * and no event stops to resume) and interrupted; after each pass over
 * /proc/PID/task we wait until every seized thread has stopped, then pass
 * again.  A thread missing from a pass was created by a thread that had not
 * stopped yet; once all have stopped nobody can create one, so the first
 * pass that finds nothing new ends it, with every thread stopped together.
 *
 * A thread stops either in our interrupt's PTRACE_EVENT_STOP, or in a
 * group-stop (the same event with a stop signal: the process had been
 * stopped by SIGSTOP), or first in a signal-delivery-stop for a signal that
 * arrived meanwhile, which we keep and hand back with PTRACE_DETACH.  The
 * detach itself restores the rest (kernel/ptrace.c __ptrace_unlink): a
 * pending interrupt is dropped, a thread of a group-stopped process goes
 * back to group-stop, a system call we interrupted restarts (ERESTARTSYS &
 * co. are acted on only once the thread leaves its stop).
 *
 * A thread that does not stop in time (uninterruptible sleep, state D) is
 * reported without a backtrace; it cannot be detached until it stops, and
 * the kernel detaches it when calltrap exits (exit_ptrace).
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stacks/internal.h"

#define CT_LOG_DOMAIN "stacks"
#include "util/log.h"

#define MAX_PASSES 64
/* after this long waiting, look in /proc for threads that exited */
#define CHECK_GONE_NS 20000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void seterr(struct ct_stopper *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void seterr(struct ct_stopper *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, s->errlen, fmt, ap);
	va_end(ap);
}

static struct ct_stack_thread *find(struct ct_stopper *s, pid_t tid)
{
	unsigned i;

	for (i = 0; i < s->nr; i++)
		if (s->threads[i].tid == tid)
			return &s->threads[i];
	return NULL;
}

/* State letter and name from /proc/PID/task/TID/stat, wchan, before the seize. */
static void read_task(pid_t pid, struct ct_stack_thread *t)
{
	char path[64], buf[512], *open, *close;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)t->tid);
	f = fopen(path, "re");
	if (f) {
		n = (ssize_t)fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n > 0 ? n : 0] = '\0';
		open = strchr(buf, '(');
		close = strrchr(buf, ')');
		if (open && close && close > open) {
			size_t len = (size_t)(close - open - 1);

			if (len >= sizeof(t->name))
				len = sizeof(t->name) - 1;
			memcpy(t->name, open + 1, len);
			t->name[len] = '\0';
			if (close[1] == ' ')
				t->state = close[2];
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", (int)pid, (int)t->tid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(t->wchan, sizeof(t->wchan), f)) {
			t->wchan[strcspn(t->wchan, "\n")] = '\0';
			/* "0": running, or the kernel hides it */
			if (!strcmp(t->wchan, "0"))
				t->wchan[0] = '\0';
		}
		fclose(f);
	}
}

/* The entry for the next task, filled before its seize, committed after. */
static struct ct_stack_thread *slot(struct ct_stopper *s)
{
	if (s->nr == s->cap) {
		unsigned cap = s->cap ? s->cap * 2 : 16;
		struct ct_stack_thread *g = realloc(s->threads, cap * sizeof(*g));

		if (!g)
			return NULL;
		s->threads = g;
		s->cap = cap;
	}
	return &s->threads[s->nr];
}

static bool want(void *ctx, pid_t tid)
{
	struct ct_stopper *s = ctx;
	struct ct_stack_thread *t;

	if (find(s, tid))
		return false;
	t = slot(s);
	if (!t)
		return false; /* added() reports the lack of memory */
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->wait_frame = -1;
	read_task(s->pid, t);
	if (!s->t_stop_ns)
		s->t_stop_ns = now_ns();
	return true;
}

static int added(void *ctx, pid_t tid)
{
	struct ct_stopper *s = ctx;

	if (s->nr == s->cap || s->threads[s->nr].tid != tid)
		return -ENOMEM;
	s->threads[s->nr].traced = true;
	s->nr++;
	return 0;
}

static int zombie(void *ctx, pid_t tid)
{
	struct ct_stopper *s = ctx;

	if (s->nr == s->cap || s->threads[s->nr].tid != tid)
		return -ENOMEM;
	/* only a leader lingers as a zombie (after pthread_exit, or until
	 * its parent reaps it); any other thread caught so is on its way out */
	if (tid == s->pid) {
		s->threads[s->nr].zombie = true;
		s->threads[s->nr].state = 'Z';
	} else {
		s->threads[s->nr].exited = true;
	}
	s->nr++;
	return 0;
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void on_wait(struct ct_stopper *s, pid_t tid, int status)
{
	struct ct_stack_thread *t = find(s, tid);

	if (!t)
		return;
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		t->exited = true;
		t->stopped = false;
		t->traced = false;
		return;
	}
	if (!WIFSTOPPED(status) || t->stopped)
		return;
	t->stopped = true;
	if ((status >> 16) == PTRACE_EVENT_STOP) {
		if (is_stop_signal(WSTOPSIG(status)))
			t->group_stopped = true;
	} else if ((status >> 16) == 0) {
		/* a signal came first: the tracee's, to give back */
		t->pending_sig = WSTOPSIG(status);
	}
}

static bool moving(const struct ct_stack_thread *t)
{
	return t->traced && !t->stopped && !t->exited && !t->timed_out;
}

/* Threads that will never report a stop to us: a leader that called
 * pthread_exit (its exit is reported only with the last thread's), or a
 * task whose exit we would see only after the wait. */
static void check_gone(struct ct_stopper *s)
{
	unsigned i;

	for (i = 0; i < s->nr; i++) {
		struct ct_stack_thread *t = &s->threads[i];
		char st;

		if (!moving(t))
			continue;
		st = ct_proc_task_state(s->pid, t->tid);
		if (st == 0 || st == 'X' || (st == 'Z' && t->tid != s->pid)) {
			/* a traced thread's zombie only waits for our wait */
			t->exited = true;
		} else if (st == 'Z') {
			t->zombie = true;
			t->state = 'Z';
			t->traced = false;
		}
	}
}

static void wait_all_stopped(struct ct_stopper *s)
{
	uint64_t start = now_ns(), deadline = start + (uint64_t)s->timeout_ms * 1000000u;
	uint64_t next_check = start + CHECK_GONE_NS;
	unsigned idle = 0, i;

	for (;;) {
		bool any = false;
		int status;
		pid_t tid;

		for (i = 0; i < s->nr && !any; i++)
			any = moving(&s->threads[i]);
		if (!any)
			return;
		tid = waitpid(-1, &status, __WALL | WNOHANG);
		if (tid > 0) {
			on_wait(s, tid, status);
			idle = 0;
			continue;
		}
		if (tid < 0 && errno == EINTR)
			continue;
		if (tid < 0) {
			/* ECHILD: none of them is ours any more */
			for (i = 0; i < s->nr; i++)
				if (moving(&s->threads[i]))
					s->threads[i].exited = true;
			return;
		}
		if (now_ns() >= next_check) {
			check_gone(s);
			next_check = now_ns() + CHECK_GONE_NS;
		}
		if (now_ns() >= deadline) {
			for (i = 0; i < s->nr; i++)
				if (moving(&s->threads[i]))
					s->threads[i].timed_out = true;
			return;
		}
		/* spin a little (the stops come within microseconds; a
		 * blocking wait's cross-CPU wakeup is slow, DESIGN.md), then
		 * sleep in growing steps */
		if (idle < 200) {
			sched_yield();
		} else {
			struct timespec ts = { 0, idle < 400 ? 50000 : 1000000 };

			nanosleep(&ts, NULL);
		}
		idle++;
	}
}

int ct_adopt_stopped(struct ct_stopper *s, const pid_t *tids, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct ct_stack_thread *t;

		if (find(s, tids[i]))
			continue;
		t = slot(s);
		if (!t) {
			seterr(s, "%s", strerror(ENOMEM));
			return -ENOMEM;
		}
		memset(t, 0, sizeof(*t));
		t->tid = tids[i];
		t->wait_frame = -1;
		read_task(s->pid, t);
		t->stopped = true; /* not traced: ct_release_world leaves it */
		if (!s->t_stop_ns)
			s->t_stop_ns = now_ns();
		s->nr++;
	}
	if (!s->nr) {
		seterr(s, "no stopped thread to look at");
		return -ESRCH;
	}
	return 0;
}

void ct_release_world(struct ct_stopper *s)
{
	unsigned i;

	for (i = 0; i < s->nr; i++) {
		struct ct_stack_thread *t = &s->threads[i];

		if (!t->traced)
			continue;
		if (t->stopped) {
			/* ESRCH: killed meanwhile; nothing to undo */
			ct_ptrace_detach(t->tid, t->pending_sig);
			t->traced = false;
		} else if (ct_ptrace_detach(t->tid, 0) == 0) {
			t->traced = false;
		}
		/* else: not stopped yet; the kernel detaches it at our exit */
	}
}

static void proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

int ct_stop_world(struct ct_stopper *s)
{
	const struct ct_seize_cb cb = { .want = want, .added = added, .zombie = zombie, .ctx = s };
	unsigned pass, i, nstopped = 0, nzombie = 0;
	pid_t tracer = 0;
	int n;

	for (pass = 0; pass < MAX_PASSES; pass++) {
		n = ct_ptrace_seize_pass(s->pid, 0, &cb, &tracer);
		if (n == 0)
			break;
		if (n < 0)
			goto fail;
		wait_all_stopped(s);
	}
	for (i = 0; i < s->nr; i++) {
		nstopped += s->threads[i].stopped;
		nzombie += s->threads[i].zombie;
	}
	if (nstopped)
		return 0;
	n = nzombie && nzombie == s->nr ? -ECHILD : -ESRCH;
fail:
	if (n == -ESRCH && s->nr == 0) {
		seterr(s, "no such process");
	} else if (n == -ESRCH) {
		seterr(s, "the process exited while being inspected");
	} else if (n == -ECHILD) {
		long ppid = ct_proc_status_field(s->pid, "PPid");

		seterr(s, "the process is a zombie: it has exited, and its parent (%ld) has not "
			  "reaped it yet", ppid);
	} else if (n == -EPERM && tracer) {
		char comm[32];

		proc_comm(tracer, comm, sizeof(comm));
		seterr(s, "already traced by process %d%s%s%s", (int)tracer, comm[0] ? " (" : "",
		       comm, comm[0] ? ")" : "");
	} else if (n == -EPERM) {
		seterr(s, "not permitted to trace it (%s)", strerror(EPERM));
	} else {
		seterr(s, "%s", strerror(-n));
	}
	/* let go of whatever was seized: first let the interrupts land */
	wait_all_stopped(s);
	ct_release_world(s);
	return n;
}
