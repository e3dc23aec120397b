/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Taking a stopped thread out of a trampoline, into the program's own code,
 * as if it had run through it: before a signal is delivered to it, and at
 * detach (fast.h, ct_fast_out_of_trampoline).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "session/fast.h"
#include "session/internal.h"

/* Steps from the end of a trampoline's record code out of it: its
 * relocated instructions and the jump back. */
#define FAST_MAX_STEPS_OUT 32

/* The trampoline pc is in, or NULL. */
static const struct ct_fast_tramp *tramp_at(const struct ct_fast *fast, uint64_t pc)
{
	for (size_t i = 0; i < fast->nr_tramps; i++)
		if (pc >= fast->tramps[i].addr && pc < fast->tramps[i].addr + fast->tramps[i].len)
			return &fast->tramps[i];
	return NULL;
}

/* Let guarded thread t run to `at` (calltrap's code) with a hardware
 * breakpoint of its own there: the trampoline is shared, and another
 * thread running through it must not meet a breakpoint meant for this one
 * (the world may run: a signal is delivered to one thread while the
 * others go on).  Then its pc is `at`.  1 when it exited (handled), 0 or
 * -errno (-ENOTSUP without debug registers). */
static int run_to(struct ct_session *s, struct ct_thread *t, struct ct_sigguard *g, uint64_t at)
{
	const struct ct_arch *arch = s->arch;
	struct ct_regs regs;
	siginfo_t si;
	int ret, ret2, status;

	ret = ct_ptrace_exec_break(t->tid, arch, at);
	if (ret < 0)
		return ret;
	ret = ct_sigguard_run(t->tid, g, false, &status, &si);
	if (ret == 1) {
		ct_handle_wait(s, t->tid, status);
		return 1;
	}
	ret2 = ct_ptrace_exec_break(t->tid, arch, 0);
	if (ret == 0)
		ret = ret2;
	if (ret == 0)
		ret = ct_regs_get(t->tid, arch, &regs);
	/* an instruction breakpoint stops before the instruction */
	if (ret == 0 && arch->pc(&regs) != at)
		ret = -EFAULT; /* it faulted or stopped elsewhere */
	return ret;
}

/* Take guarded thread t out of a trampoline: run to the end of the record
 * code it is in (never single-stepped there), then step what is left (the
 * relocated instructions and the jump back, or the exit) into the
 * program's own code.  1 when it exited, 0 or -errno. */
/* The end of the record span of tr that pc is in, 0 when none. */
static uint64_t span_end(const struct ct_fast_tramp *tr, uint64_t pc)
{
	for (unsigned k = 0; k < tr->spans.n; k++)
		if (pc >= tr->addr + tr->spans.v[k].start && pc < tr->addr + tr->spans.v[k].end)
			return tr->addr + tr->spans.v[k].end;
	return 0;
}

static int leave_tramp(struct ct_session *s, struct ct_thread *t, struct ct_sigguard *g,
		       const struct ct_fast_tramp *tr)
{
	struct ct_regs regs;
	siginfo_t si;
	int ret, status;

	/* a trampoline may hold several records (an exit trampoline's
	 * straight line comes before its record, an entry trampoline may
	 * record a return too): run through each one, step only between */
	for (unsigned steps = 0; steps < FAST_MAX_STEPS_OUT;) {
		uint64_t pc, end;

		ret = ct_regs_get(t->tid, s->arch, &regs);
		if (ret < 0)
			return ret;
		pc = s->arch->pc(&regs);
		if (pc < tr->addr || pc >= tr->addr + tr->len)
			return 0;
		end = span_end(tr, pc);
		if (end) {
			ret = run_to(s, t, g, end);
			if (ret != 0)
				return ret;
			continue;
		}
		ret = ct_sigguard_run(t->tid, g, true, &status, &si);
		steps++;
		if (ret == 1) {
			ct_handle_wait(s, t->tid, status);
			return 1;
		}
		if (ret < 0)
			return ret;
		if (si.si_signo != SIGTRAP)
			return -EFAULT; /* its own code faulted: not ours to hide */
	}
	return -EFAULT;
}

bool ct_fast_in_trampoline(struct ct_session *s, struct ct_thread *t)
{
	struct ct_fast *fast = t->proc->mm ? t->proc->mm->fast : NULL;
	struct ct_regs regs;

	return fast && ct_regs_get(t->tid, s->arch, &regs) == 0 &&
	       tramp_at(fast, s->arch->pc(&regs)) != NULL;
}

int ct_fast_out_of_trampoline(struct ct_session *s, struct ct_thread *t)
{
	struct ct_fast *fast = t->proc->mm ? t->proc->mm->fast : NULL;
	const struct ct_fast_tramp *tr;
	struct ct_sigguard g;
	struct ct_regs regs;
	int ret, ret2;

	if (!fast || ct_regs_get(t->tid, s->arch, &regs) < 0)
		return 0;
	tr = tramp_at(fast, s->arch->pc(&regs));
	if (!tr)
		return 0;
	ret = ct_sigguard_enter(t->tid, &g);
	if (ret < 0)
		return ret;
	ret = leave_tramp(s, t, &g, tr);
	if (ret == 1)
		return -ESRCH;
	ret2 = ct_sigguard_leave(t->tid, &g);
	if (ret < 0 || ret2 < 0) {
		/* still inside (its own code faulted in a relocated
		 * instruction, or no debug register): a signal frame may hold
		 * a pc of ours, so the code and the rings stay mapped */
		t->proc->mm->keep_areas = true;
	}
	return ret ? ret : ret2;
}

int ct_fast_out_of_records(struct ct_session *s, struct ct_mm *mm)
{
	size_t it = 0;
	uint64_t key;
	void *val;
	int ret = 0;

	if (!mm->fast)
		return 0;
	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *t = val;
		int r;

		if (t->proc->mm != mm || ct_thread_blocked_in_vfork(t))
			continue;
		r = ct_fast_out_of_trampoline(s, t);
		if (r == -ESRCH) {
			/* t is gone, and the table moved: start over */
			it = 0;
			continue;
		}
		if (r < 0 && !ret)
			ret = r;
	}
	return ret;
}
