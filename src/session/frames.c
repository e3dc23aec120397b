/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The events of frames, from a breakpoint's stop (stop.c) or a ring's
 * record (fastev.c) alike: a call pushed on the thread's shadow stack, a
 * return or an unwind popping it.
 */
#include "config.h"

#include "session/internal.h"

/* What every event of a frame says: who, which function, how deep. */
static void event_of_frame(struct ct_session *s, const struct ct_thread *t,
			   const struct ct_frame *f, enum ct_event_type type, size_t depth,
			   struct ct_event *ev)
{
	ev->type = type;
	ev->pid = t->proc->pid;
	ev->tid = t->tid;
	ev->func = f->func->name;
	ev->label = ct_func_label(s, f->func);
	ev->sym = f->func->sym;
	ev->module = f->func->module;
	ev->addr = f->func->addr;
	ev->depth = (uint32_t)depth;
}

void ct_frame_event(struct ct_session *s, struct ct_thread *t, const struct ct_frame *f,
		    enum ct_event_type type, size_t depth, uint64_t now, const struct ct_regs *regs)
{
	struct ct_event ev = { 0 };

	if (!t->proc->followed || (s->opts.max_depth && depth > s->opts.max_depth))
		return;
	event_of_frame(s, t, f, type, depth, &ev);
	ev.ts_ns = ct_ts_of(s, now);
	ev.duration_ns = ev.ts_ns > f->entry_ts ? ev.ts_ns - f->entry_ts : 0;
	ct_typed_src(f->func, &ev);
	if (type == CT_EV_RETURN && regs) {
		const struct ct_typed *typed = ct_typed_of(s, f->func);

		ev.retval = s->arch->retval(regs);
		if (typed)
			ct_typed_return(s, t, typed, f->ret_ref, regs, &ev);
	}
	ct_emit(s, &ev, regs);
}

uint64_t ct_stop_time(const struct ct_thread *t)
{
	return t->stop_ns ? t->stop_ns : ct_now_ns();
}

void ct_unwind_below(struct ct_session *s, struct ct_thread *t, uint64_t sp, bool by_entry_sp,
		     uint64_t now)
{
	struct ct_frame *f;

	while ((f = ct_shadow_top(&t->stack)) &&
	       (by_entry_sp ? f->entry_sp < sp : f->expected_sp < sp)) {
		ct_frame_event(s, t, f, CT_EV_UNWIND, t->stack.n, now, NULL);
		t->stack.n--;
	}
}

void ct_unwind_at(struct ct_session *s, struct ct_thread *t, uint64_t sp)
{
	ct_unwind_below(s, t, sp + 1, true, ct_now_ns());
}

void ct_unwind_all(struct ct_session *s, struct ct_thread *t)
{
	ct_unwind_below(s, t, UINT64_MAX, true, ct_stop_time(t));
	t->stack.n = 0;
	/* its signal frames are gone too (exit, exec) */
	ct_sigframe_forget(t);
}

void ct_call_event(struct ct_session *s, struct ct_thread *t, const struct ct_frame *fr,
		   const struct ct_typed *typed, const struct ct_regs *regs)
{
	const struct ct_arch *arch = s->arch;
	struct ct_event ev = { 0 };
	struct ct_regs snap;
	unsigned i;

	if (!t->proc->followed || (s->opts.max_depth && t->stack.n > s->opts.max_depth))
		return;
	event_of_frame(s, t, fr, CT_EV_CALL, t->stack.n, &ev);
	ev.ts_ns = fr->entry_ts;
	if (fr->tail)
		ev.flags |= CT_EVF_TAIL;
	ev.nr_args = arch->nr_int_args;
	for (i = 0; i < arch->nr_int_args && i < CT_MAX_ARGS; i++)
		ev.args[i] = arch->arg(regs, i);
	if (typed)
		ct_typed_call(s, t, typed, regs, &ev);
	ct_typed_src(fr->func, &ev);
	if (s->opts.regs) {
		/* the registers as at the function's first instruction */
		snap = *regs;
		arch->set_pc(&snap, fr->func->addr);
		ct_emit(s, &ev, &snap);
	} else {
		ct_emit(s, &ev, NULL);
	}
}
