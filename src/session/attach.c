/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Attaching a session to a running process (-p, the REPL's attach): seize
 * every thread, stop them all, scan the address space, and start the
 * guardian before the first breakpoint is written.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "session/fast.h"
#include "session/internal.h"

#define CT_LOG_DOMAIN "session"
#include "util/log.h"

struct seize_ctx {
	struct ct_session *s;
	struct ct_proc *p;
};

static bool seize_want(void *ctx, pid_t tid)
{
	return !ct_hashmap_get(&((struct seize_ctx *)ctx)->s->threads, (uint64_t)tid);
}

static int seize_added(void *ctx, pid_t tid)
{
	struct seize_ctx *c = ctx;
	struct ct_thread *t = ct_thread_add(c->s, c->p, tid, CT_TS_NEW);

	if (!t)
		return -ENOMEM;
	t->interrupted = true;
	return 0;
}

/* A thread that has exited already (ptrace refuses those): nothing to
 * trace, unless it is the leader, whose pid the session works through. */
static int seize_zombie(void *ctx, pid_t tid)
{
	return tid == ((struct seize_ctx *)ctx)->p->pid ? -EPERM : 0;
}

/* Seize every task of pid until a pass over /proc/PID/task finds none we
 * do not have: threads created meanwhile by seized threads arrive through
 * PTRACE_O_TRACECLONE, others are caught by the next pass. */
static int seize_all(struct ct_session *s, struct ct_proc *p)
{
	struct seize_ctx c = { .s = s, .p = p };
	const struct ct_seize_cb cb = { .want = seize_want, .added = seize_added,
					.zombie = seize_zombie, .ctx = &c };
	pid_t tracer;
	int n;

	do
		n = ct_ptrace_seize_pass(p->pid, CT_PTRACE_OPTIONS, &cb, &tracer);
	while (n > 0);
	if (n == -EPERM && tracer)
		ct_session_set_error(s, "attach %d: already traced by process %d", (int)p->pid,
				     (int)tracer);
	return n < 0 ? n : 0;
}

/* Wait until every thread of the session has reported a stop. */
static int wait_all_stopped(struct ct_session *s)
{
	for (;;) {
		size_t it = 0;
		uint64_t key;
		void *val;
		bool all = true;
		int status;
		pid_t tid;

		while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
			struct ct_thread *t = val;

			if ((t->state == CT_TS_NEW || t->state == CT_TS_RUNNING) &&
			    !ct_thread_blocked_in_vfork(t))
				all = false;
		}
		if (all)
			return 0;
		tid = ct_ptrace_wait(-1, &status, true, 0);
		if (tid == -EINTR)
			continue;
		if (tid < 0)
			return tid;
		ct_handle_wait(s, tid, status);
		if (s->fatal)
			return s->fatal;
	}
}

int ct_session_attach(struct ct_session *s, pid_t pid)
{
	struct ct_thread *lead;
	struct ct_injector inj;
	struct ct_regs regs;
	size_t it = 0;
	uint64_t key;
	void *val;
	struct ct_proc *p;
	struct ct_mm *mm;
	int ret;

	if (kill(pid, 0) < 0 && errno == ESRCH) {
		ct_session_set_error(s, "attach %d: no such process", (int)pid);
		return -ESRCH;
	}
	if (ct_proc_is_kthread(pid)) {
		ct_session_set_error(s, "attach %d: " CT_KTHREAD_WHAT ": nothing to trace", (int)pid);
		return -EPERM;
	}
	if (!s->guard) {
		ret = ct_guard_start(&s->guard);
		if (ret < 0)
			ct_warn("cannot start the guardian: %s: if calltrap is killed, process "
				"%d keeps its breakpoints",
				strerror(-ret), (int)pid);
	}
	s->main_pid = pid;
	mm = ct_mm_new(s, pid);
	if (!mm) {
		ret = -errno;
		ct_session_set_error(s, "attach %d: %s", (int)pid, strerror(errno));
		ct_guard_stop(s->guard);
		s->guard = NULL;
		return ret;
	}
	p = ct_proc_add(s, pid, mm);
	if (!p) {
		ct_mm_put(s, mm);
		return -ENOMEM;
	}
	p->followed = true;
	p->attached = true;
	s->attaching = true;
	ret = seize_all(s, p);
	if (ret == 0)
		ret = ct_attach_vfork_children(s, p);
	if (ret == 0)
		ret = wait_all_stopped(s);
	s->attaching = false;
	if (ret < 0)
		goto fail;
	/* The world is stopped (a thread blocked in vfork runs no code while
	 * we hold its child): map scratch memory and insert breakpoints
	 * through a thread that is not in group-stop if there is one. */
	lead = ct_mm_injector_thread(s, mm);
	if (!lead) {
		ret = -ESRCH;
		goto fail;
	}
	ret = ct_regs_get(lead->tid, s->arch, &regs);
	if (ret < 0)
		goto fail;
	inj = (struct ct_injector){ .tid = lead->tid, .regs = &regs, .world_stopped = true };
	ret = ct_mm_scan(s, mm, &inj);
	if (ret == 0)
		ret = ct_mm_startup_done(s, mm, lead, &regs);
	if (ret == 0)
		ret = ct_fast_start(s, mm, lead, &regs);
	if (ret < 0)
		goto fail;
	if (s->opts.pause_at_start) {
		s->holding = true;
		return 0;
	}
	it = 0;
	while (ct_hashmap_next(&s->threads, &it, &key, &val))
		ct_thread_resume(s, val);
	return 0;
fail:
	if (ct_remote_refusal(ret) && s->errmsg[0]) {
		char why[sizeof(s->errmsg)];

		snprintf(why, sizeof(why), "%s", s->errmsg);
		ct_session_set_error(s, "cannot attach to %d: %s (calltrap stacks -p %d injects "
				     "nothing)", (int)pid, why, (int)pid);
	} else if (!s->errmsg[0]) {
		ct_session_set_error(s, "attach %d: %s", (int)pid, strerror(-ret));
	}
	ct_detach_all(s);
	return ret;
}
