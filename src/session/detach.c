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
#include <string.h>
#include <sys/wait.h>

#include "session/internal.h"

#define CT_LOG_DOMAIN "detach"
#include "util/log.h"

#define MAX_STEPS_OUT 64

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

static bool is_moving(struct ct_thread *t)
{
	return t->state == CT_TS_NEW || t->state == CT_TS_RUNNING;
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

/* Let threads with a queued breakpoint SIGTRAP take it (into a stop that
 * rewinds their pc to the site, see on_trap), so none is left to kill the
 * process after the detach.  The signal they were stopped with is kept. */
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
			if (ct_ptrace_cont(t->tid, 0) == 0) {
				t->state = CT_TS_RUNNING;
				any = true;
			}
		}
		if (!any)
			return 0;
		ret = wait_all_stopped(s);
		if (ret < 0)
			return ret;
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

/* Single-step a thread until its pc leaves the scratch areas (it was in the
 * middle of a rewritten sequence, which never blocks). */
static int step_out(struct ct_session *s, struct ct_thread *t, struct ct_regs *regs)
{
	struct ct_bpset *bs = &t->proc->mm->bps;
	int i, ret, status;

	for (i = 0; i < MAX_STEPS_OUT && ct_bpset_in_scratch(bs, s->arch->pc(regs)); i++) {
		ret = ct_ptrace_step(t->tid, 0);
		if (ret < 0)
			return ret;
		do
			ret = ct_ptrace_wait(t->tid, &status, true, 0);
		while (ret == -EINTR);
		if (ret < 0)
			return ret;
		if (!WIFSTOPPED(status))
			return -ESRCH;
		if (WSTOPSIG(status) != SIGTRAP && (status >> 16) == 0)
			t->pending_sig = WSTOPSIG(status);
		ret = ct_regs_get(t->tid, s->arch, regs);
		if (ret < 0)
			return ret;
	}
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
	struct ct_thread *t = NULL;
	struct ct_regs regs;
	size_t it = 0;
	uint64_t key;
	void *val;
	int ret, r;

	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *c = val;

		if (!same_mm_thread(c, mm))
			continue;
		r = move_out_of_slot(s, c);
		if (r < 0 && r != -ESRCH)
			ct_warn("thread %d: cannot leave out-of-line code: %s", (int)c->tid,
				strerror(-r));
		if (!t)
			t = c;
	}
	ret = ct_bpset_remove_all(&mm->bps);
	if (!t)
		return ret;
	r = ct_regs_get(t->tid, s->arch, &regs);
	if (r == 0) {
		inj = (struct ct_injector){ .tid = t->tid, .regs = &regs, .world_stopped = true };
		r = ct_bpset_unmap_areas(&mm->bps, &inj);
	}
	return ret ? ret : r;
}

int ct_detach_all(struct ct_session *s)
{
	int ret, err = 0;

	s->detaching = true;
	ret = ct_stop_everything(s);
	if (ret < 0 && ret != -ECHILD)
		err = ret;
	for (;;) {
		size_t it = 0;
		uint64_t key;
		void *val;
		struct ct_proc *p = NULL;
		struct ct_mm *mm;

		while (ct_hashmap_next(&s->procs, &it, &key, &val)) {
			p = val;
			break;
		}
		if (!p)
			break;
		mm = p->mm;
		if (p->spawned && s->fatal) {
			/* a program we started and cannot trace further: end it */
			kill(p->pid, SIGKILL);
		} else if (mm) {
			ret = clean_mm(s, mm);
			if (ret < 0 && ret != -ESRCH) {
				ct_warn("process %d: restoring memory: %s", (int)p->pid,
					strerror(-ret));
				if (!err)
					err = ret;
			}
		}
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
				ct_ptrace_detach(t->tid, t->pending_sig);
				ct_thread_remove(s, t);
			}
			ct_proc_remove(s, q);
		}
	}
	s->detaching = false;
	s->holding = false;
	/* every byte is back: the guardian must not write any more */
	ct_guard_stop(s->guard);
	s->guard = NULL;
	return err;
}
