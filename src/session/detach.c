/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Detach leaves no trace (DESIGN.md): stop every thread, move threads out
 * of slots and rewind traps that were reported but not handled, restore
 * every original byte, unmap the scratch areas, then PTRACE_DETACH each
 * thread with the signal it was about to receive.  A thread that was in
 * group-stop stays stopped after the detach (the group-stop is the
 * process's state, not ours).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "session/fast.h"
#include "session/internal.h"

#define CT_LOG_DOMAIN "detach"
#include "util/log.h"

/* Steps to leave calltrap's code: a slot's few instructions, or a
 * trampoline's (its ring code: a hundred or so) */
#define MAX_STEPS_OUT 1024

static struct ct_thread *first_thread(struct ct_session *s, bool (*pred)(struct ct_thread *))
{
	size_t it = 0;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&s->threads, &it, &key, &val))
		if (pred(val))
			return val;
	return NULL;
}

/* Threads to wait for: not those blocked in vfork, which cannot stop
 * while we hold their child (and run no code meanwhile). */
static bool is_moving(struct ct_thread *t)
{
	return (t->state == CT_TS_NEW || t->state == CT_TS_RUNNING) &&
	       !ct_thread_blocked_in_vfork(t);
}

static int wait_all_stopped(struct ct_session *s)
{
	while (first_thread(s, is_moving)) {
		int status;
		pid_t tid = ct_ptrace_wait(-1, &status, true, 0);

		if (tid == -EINTR)
			continue;
		if (tid < 0)
			return tid;
		ct_handle_wait(s, tid, status);
	}
	return 0;
}

/* Let a thread with a queued breakpoint SIGTRAP take it, into a stop that
 * rewinds its pc to the site (on_trap), so none is left to kill the
 * process after the detach.  The program's signals wait (the guard), and
 * the one the thread was stopped with keeps its siginfo. */
static int flush_trap(struct ct_session *s, struct ct_thread *t)
{
	struct ct_sigguard g;
	pid_t tid = t->tid;
	siginfo_t si;
	int ret, ret2, status;

	ret = ct_sigguard_enter(tid, &g);
	if (ret == 0)
		ret = ct_sigguard_run(tid, &g, false, &status, &si);
	if (ret == 1) {
		/* gone: t is freed by the exit's handling */
		ct_handle_wait(s, tid, status);
		return -ESRCH;
	}
	if (ret == 0) {
		t->state = CT_TS_RUNNING;
		ret = ct_handle_wait(s, tid, status);
	}
	ret2 = ct_sigguard_leave(tid, &g);
	return ret ? ret : ret2;
}

static int flush_pending_traps(struct ct_session *s)
{
	int round, ret;

	for (round = 0; round < 8; round++) {
		size_t it = 0;
		uint64_t key;
		void *val;
		bool any = false;

		while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
			struct ct_thread *t = val;

			if (t->state != CT_TS_STOPPED || ct_ptrace_sigtrap_pending(t->tid) != 1)
				continue;
			any = true;
			ret = flush_trap(s, t);
			if (ret == -ESRCH)
				break; /* the table changed: start over */
			if (ret < 0)
				return ret;
		}
		if (!any)
			return 0;
	}
	return 0;
}

int ct_stop_everything(struct ct_session *s)
{
	size_t it = 0;
	uint64_t key;
	void *val;
	int ret;

	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *t = val;

		if (ct_thread_blocked_in_vfork(t))
			continue;
		if (t->state == CT_TS_RUNNING || t->state == CT_TS_GROUP_STOP) {
			if (t->state == CT_TS_GROUP_STOP)
				t->group_stopped = true;
			t->state = CT_TS_RUNNING;
			t->interrupted = true;
			if (ct_ptrace_interrupt(t->tid) == -ESRCH)
				continue;
		}
	}
	ret = wait_all_stopped(s);
	if (ret < 0)
		return ret;
	return flush_pending_traps(s);
}

/* One single-step of a guarded thread: *sig is the signal of the stop it
 * ended in (SIGTRAP for the step, another for a fault of the instruction). */
static int step_once(pid_t tid, struct ct_sigguard *g, int *sig)
{
	siginfo_t si;
	int status, ret = ct_sigguard_run(tid, g, true, &status, &si);

	if (ret != 0)
		return ret > 0 ? -ESRCH : ret;
	*sig = si.si_signo;
	return 0;
}

/* Single-step a thread until its pc leaves the scratch areas (it was in the
 * middle of a rewritten sequence, which never blocks).  The program's
 * signals wait meanwhile (the guard); a fault of its own code is kept for
 * it. */
static int step_out(struct ct_session *s, struct ct_thread *t, struct ct_regs *regs)
{
	struct ct_bpset *bs = &t->proc->mm->bps;
	struct ct_sigguard g;
	int i, ret, ret2, sig = 0;

	ret = ct_sigguard_enter(t->tid, &g);
	for (i = 0; ret == 0 && i < MAX_STEPS_OUT && ct_bpset_in_scratch(bs, s->arch->pc(regs));
	     i++) {
		ret = step_once(t->tid, &g, &sig);
		if (ret == 0 && sig != SIGTRAP && sig != 0 && !t->pending_sig) {
			/* its own code faulted: that signal, with its siginfo */
			t->pending_sig = sig;
			g.have_info = false;
			i = MAX_STEPS_OUT;
		}
		if (ret == 0)
			ret = ct_regs_get(t->tid, s->arch, regs);
	}
	ret2 = ct_sigguard_leave(t->tid, &g);
	if (ret == 0)
		ret = ret2;
	if (ret < 0)
		return ret;
	return ct_bpset_in_scratch(bs, s->arch->pc(regs)) ? -EFAULT : 0;
}

static int move_out_of_slot(struct ct_session *s, struct ct_thread *t)
{
	struct ct_bpset *bs = &t->proc->mm->bps;
	struct ct_regs regs;
	uint64_t pc;
	int ret;

	ret = ct_regs_get(t->tid, s->arch, &regs);
	if (ret < 0)
		return ret;
	if (t->stepping) {
		/* stopped before its step completed: the copy has not run */
		t->stepping = NULL;
	}
	if (!ct_bpset_in_scratch(bs, s->arch->pc(&regs)))
		return 0;
	ret = ct_bpset_translate_pc(bs, s->arch->pc(&regs), &pc);
	if (ret == 0) {
		s->arch->set_pc(&regs, pc);
		return ct_regs_set(t->tid, s->arch, &regs);
	}
	return step_out(s, t, &regs);
}

static bool same_mm_thread(struct ct_thread *t, struct ct_mm *mm)
{
	return t->proc->mm == mm;
}

static int clean_mm(struct ct_session *s, struct ct_mm *mm)
{
	struct ct_injector inj;
	struct ct_thread *t;
	struct ct_regs regs;
	size_t it = 0;
	uint64_t key;
	void *val;
	int ret, r;

	/* nobody waits for room in a ring any more: a thread in a
	 * trampoline runs through it in a few steps */
	if (mm->fast) {
		ct_fp_leave(&mm->fast->area);
		r = ct_fast_out_of_records(s, mm);
		if (r < 0 && r != -ESRCH) {
			/* it stays in the trampoline, which stays mapped (and
			 * jumps back into the restored code): never stepped */
			ct_warn("process %d: a thread cannot leave the fast path's code (%s): "
				"it stays mapped", (int)mm->pid, strerror(-r));
			mm->keep_areas = true;
		}
	}
	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *c = val;

		if (!same_mm_thread(c, mm) || ct_thread_blocked_in_vfork(c) ||
		    ct_fast_in_trampoline(s, c))
			continue;
		r = move_out_of_slot(s, c);
		if (r < 0 && r != -ESRCH)
			ct_warn("thread %d: cannot leave out-of-line code: %s", (int)c->tid,
				strerror(-r));
	}
	t = ct_mm_injector_thread(s, mm);
	ret = ct_bpset_remove_all(&mm->bps);
	if (!t) {
		ct_fast_leave(s, mm, NULL);
		return ret;
	}
	if (!ct_sigframe_fix(s, mm)) {
		/* a handler will return into a slot or a trampoline: its code
		 * stays, jumping back into the original, and so do the rings
		 * a trampoline writes */
		ct_dbg("process %d: scratch areas left mapped for a signal frame", (int)mm->pid);
		ct_fast_leave(s, mm, NULL);
		return ret;
	}
	r = ct_regs_get(t->tid, s->arch, &regs);
	if (r == 0) {
		inj = (struct ct_injector){ .tid = t->tid, .regs = &regs, .world_stopped = true };
		ct_fast_leave(s, mm, &inj);
		r = ct_bpset_unmap_areas(&mm->bps, &inj);
	} else {
		ct_fast_leave(s, mm, NULL);
	}
	if (ct_remote_refusal(r)) {
		/* the code is restored: pages nothing uses any more are better
		 * left than the process killed */
		ct_warn("process %d: %s munmap: calltrap's scratch pages stay mapped",
			(int)mm->pid, ct_remote_refusal(r));
		r = 0;
	}
	return ret ? ret : r;
}

/* Threads detach left behind, blocked in vfork. */
struct vfork_wait {
	pid_t *tids;
	size_t n;
};

static int vfork_wait_add(struct vfork_wait *vw, pid_t tid)
{
	pid_t *v = realloc(vw->tids, (vw->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	vw->tids = v;
	vw->tids[vw->n++] = tid;
	return 0;
}

/* How long detach waits for a vfork child to let its parent go. */
#define VFORK_WAIT_MS 1000

/* Wait for each thread's stop (with PTRACE_O_TRACEVFORKDONE the first one
 * comes when its child execs or exits) and detach it there, delivering the
 * signal of a signal-delivery stop.  A child may take as long as it likes:
 * after VFORK_WAIT_MS in all, or at a signal to calltrap (SIGINT,
 * SIGTERM...), the rest are left to calltrap's exit, which detaches them
 * (ptrace's exit_ptrace), the memory being clean already. */
static void vfork_wait_finish(struct vfork_wait *vw)
{
	uint64_t deadline = ct_now_ns() + VFORK_WAIT_MS * 1000000ull;
	size_t i = 0;

	while (i < vw->n) {
		pid_t tid = vw->tids[i];
		const struct timespec nap = { 0, 2000000 };
		int status, sig;
		pid_t r = waitpid(tid, &status, __WALL | WNOHANG);

		if (r == 0) {
			if (ct_now_ns() >= deadline || nanosleep(&nap, NULL) < 0) {
				ct_warn("thread %d is still in vfork(): it is let go when calltrap exits",
					(int)tid);
				break;
			}
			continue;
		}
		i++;
		if (r < 0 || !WIFSTOPPED(status))
			continue; /* gone */
		/* event stops (VFORK_DONE, ours) carry no signal; a
		 * signal-delivery stop carries the program's */
		sig = status >> 16 ? 0 : WSTOPSIG(status);
		ct_ptrace_detach(tid, sig);
	}
	free(vw->tids);
	vw->tids = NULL;
	vw->n = 0;
}

/* The process calltrap started, if it runs in mm; *shared: other
 * processes run in mm too (its vfork children). */
static struct ct_proc *spawned_in(struct ct_session *s, const struct ct_mm *mm, bool *shared)
{
	struct ct_proc *sp = NULL;
	size_t it = 0, n = 0;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&s->procs, &it, &key, &val)) {
		struct ct_proc *q = val;

		if (q->mm != mm)
			continue;
		n++;
		if (q->spawned)
			sp = q;
	}
	*shared = n > 1;
	return sp;
}

int ct_detach_all(struct ct_session *s)
{
	struct vfork_wait vw = { 0 };
	int ret, err = 0;

	s->detaching = true;
	ret = ct_stop_everything(s);
	if (ret < 0 && ret != -ECHILD)
		err = ret;
	for (;;) {
		size_t it = 0;
		uint64_t key;
		void *val;
		struct ct_proc *p = NULL, *spawned;
		bool shared = false;
		struct ct_mm *mm;

		while (ct_hashmap_next(&s->procs, &it, &key, &val)) {
			p = val;
			break;
		}
		if (!p)
			break;
		mm = p->mm;
		/* A program we started and cannot trace further is ended,
		 * whichever process of its memory comes first here (a vfork
		 * child of it coming first left it running untraced); the
		 * memory is cleaned first when a vfork child of it runs on in
		 * it. */
		spawned = s->fatal && mm ? spawned_in(s, mm, &shared) : NULL;
		/* ours until its processes are let go: one may exit while it
		 * is cleaned (a thread run out of calltrap's code) */
		if (mm)
			mm->refs++;
		if (mm && (!spawned || shared)) {
			ret = clean_mm(s, mm);
			if (ret < 0 && ret != -ESRCH) {
				ct_warn("process %d: restoring memory: %s", (int)mm->pid,
					strerror(-ret));
				if (!err)
					err = ret;
			}
		}
		if (spawned)
			kill(spawned->pid, SIGKILL);
		/* every process of this mm: detach its threads, drop it */
		for (;;) {
			struct ct_proc *q = NULL;

			it = 0;
			while (ct_hashmap_next(&s->procs, &it, &key, &val)) {
				if (((struct ct_proc *)val)->mm == mm) {
					q = val;
					break;
				}
			}
			if (!q)
				break;
			for (;;) {
				struct ct_thread *t = ct_proc_thread(s, q, NULL);

				if (!t)
					break;
				if (!ct_thread_blocked_in_vfork(t))
					ct_ptrace_detach(t->tid, t->pending_sig);
				else if (vfork_wait_add(&vw, t->tid) < 0 && !err)
					err = -ENOMEM;
				ct_thread_remove(s, t);
			}
			ct_proc_remove(s, q);
		}
		ct_mm_put(s, mm);
	}
	/* the memory is clean and their children are let go: they leave
	 * vfork and stop (VFORK_DONE) as soon as those exec or exit */
	vfork_wait_finish(&vw);
	s->detaching = false;
	s->holding = false;
	/* every byte is back: the guardian must not write any more */
	ct_guard_stop(s->guard);
	s->guard = NULL;
	return err;
}
