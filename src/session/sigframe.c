/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * No signal frame into calltrap's pages once they are unmapped.
 *
 * A thread resumed into an out-of-line slot with a signal pending (the
 * signal came while it was stopped at a breakpoint, or it arrives while
 * the copy runs) gets the signal's frame built around a pc inside the
 * slot: the handler returns there.  That is fine while the slot exists,
 * but a handler still running (or sleeping) at detach would return into
 * the unmapped page.
 *
 * So a signal delivered from a slot is delivered with PTRACE_SINGLESTEP:
 * the kernel builds the frame and reports a step trap at the handler's
 * first instruction (signal_setup_done -> ptrace_notify), where the frame
 * is at sp + arch->sigframe_pc_off.  The thread remembers where it is.  At
 * detach, with the world stopped, every frame still alive gets the pc that
 * the slot pc stands for in the original code, whose bytes are restored by
 * then: the handler returns to the displaced instruction itself.  A frame
 * whose pc has no such equivalent (the middle of a rewritten sequence)
 * keeps the scratch areas mapped, which is harmless (their code jumps back
 * into the original), where unmapping them would crash the program.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "session/internal.h"

#define CT_LOG_DOMAIN "stop"
#include "util/log.h"

/* Frames per thread that are remembered: nested handlers, each entered
 * from a slot.  Beyond this the scratch areas stay mapped at detach. */
#define MAX_SLOT_FRAMES 32

void ct_sigframe_forget(struct ct_thread *t)
{
	free(t->slot_frames);
	t->slot_frames = NULL;
	t->nr_slot_frames = 0;
	t->sig_slot_pc = 0;
}

/* Frames whose handler has returned lie below the thread's sp. */
static void drop_dead(struct ct_thread *t, uint64_t sp)
{
	size_t i, n = 0;

	for (i = 0; i < t->nr_slot_frames; i++)
		if (t->slot_frames[i].sp >= sp)
			t->slot_frames[n++] = t->slot_frames[i];
	t->nr_slot_frames = n;
}

bool ct_sigframe_resume(struct ct_session *s, struct ct_thread *t, int sig, int *ret)
{
	struct ct_mm *mm = t->proc->mm;
	struct ct_regs regs;

	if (!mm || !mm->bps.nr_areas || ct_regs_get(t->tid, s->arch, &regs) < 0)
		return false;
	/* only a handler gets a frame; a signal without one is not stepped,
	 * so that no step trap can come after a stop or a failed delivery */
	if (!ct_bpset_in_scratch(&mm->bps, s->arch->pc(&regs)) || ct_proc_sig_caught(t->tid, sig) != 1)
		return false;
	drop_dead(t, s->arch->sp(&regs));
	t->sig_slot_pc = s->arch->pc(&regs);
	t->state = CT_TS_RUNNING;
	*ret = ct_ptrace_step(t->tid, sig);
	if (*ret == -ESRCH)
		*ret = 0;
	return true;
}

void ct_sigframe_stepped(struct ct_session *s, struct ct_thread *t, const struct ct_regs *regs)
{
	struct ct_mm *mm = t->proc->mm;
	uint64_t slot_pc = t->sig_slot_pc, sp = s->arch->sp(regs), saved;
	struct ct_slot_frame *v;

	t->sig_slot_pc = 0;
	/* no handler (an ignored signal): the step ran one instruction of the
	 * slot instead, and no frame was built */
	if (ct_bpset_in_scratch(&mm->bps, s->arch->pc(regs)) ||
	    ct_pmem_read(&mm->mem, sp + s->arch->sigframe_pc_off, &saved, sizeof(saved)) < 0 ||
	    saved != slot_pc)
		return;
	if (t->nr_slot_frames == MAX_SLOT_FRAMES) {
		mm->keep_areas = true;
		return;
	}
	v = realloc(t->slot_frames, (t->nr_slot_frames + 1) * sizeof(*v));
	if (!v) {
		mm->keep_areas = true;
		return;
	}
	t->slot_frames = v;
	v[t->nr_slot_frames++] = (struct ct_slot_frame){
		.addr = sp + s->arch->sigframe_pc_off, .slot_pc = slot_pc, .sp = sp
	};
	ct_dbg("thread %d: signal frame at %#lx returns into slot %#lx", (int)t->tid,
	       (unsigned long)sp, (unsigned long)slot_pc);
}

bool ct_sigframe_fix(struct ct_session *s, struct ct_mm *mm)
{
	bool ok = !mm->keep_areas;
	size_t it = 0, i;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *t = val;
		struct ct_regs regs;

		if (t->proc->mm != mm || !t->nr_slot_frames || ct_regs_get(t->tid, s->arch, &regs) < 0)
			continue;
		drop_dead(t, s->arch->sp(&regs));
		for (i = 0; i < t->nr_slot_frames; i++) {
			const struct ct_slot_frame *f = &t->slot_frames[i];
			uint64_t saved, orig;

			if (ct_pmem_read(&mm->mem, f->addr, &saved, sizeof(saved)) < 0 ||
			    saved != f->slot_pc)
				continue; /* gone: its handler returned or longjmp'd away */
			if (ct_bpset_translate_pc(&mm->bps, f->slot_pc, &orig) < 0 ||
			    ct_pmem_write(&mm->mem, f->addr, &orig, sizeof(orig)) < 0) {
				ct_dbg("thread %d: signal frame at %#lx keeps its slot pc %#lx",
				       (int)t->tid, (unsigned long)f->addr, (unsigned long)f->slot_pc);
				ok = false;
				continue;
			}
			ct_dbg("thread %d: signal frame at %#lx now returns to %#lx", (int)t->tid,
			       (unsigned long)f->addr, (unsigned long)orig);
		}
		ct_sigframe_forget(t);
	}
	return ok;
}
