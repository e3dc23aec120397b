/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path's records as events.  A CALL record holds what an entry
 * breakpoint's stop reads (the argument registers, sp, the return
 * address), a RETURN record what a return breakpoint's stop reads (the
 * return registers, sp at the exit), so both go through the shadow stack
 * as the stops do (stop.c): a call pushes a frame, a return pops the
 * frames it ends.  What a stop learns from the process's memory at that
 * moment cannot be had: the memory has moved on when the record is read.
 * So frames end by their stack pointers alone (a frame entered below the
 * sp of a later call or return is dead), and a function whose values need
 * memory or vector registers is never put on the fast path
 * (ct_typed_from_record).
 */
#include "config.h"

#include "session/fast.h"
#include "session/internal.h"

/* The registers the record stands for, as a stop would have read them. */
static void record_regs(const struct ct_session *s, const struct ct_fp_record *r, uint64_t pc,
			struct ct_regs *regs)
{
	bool ret = (r->kind_flags & CT_FP_KIND_MASK) == CT_FP_RETURN;

	s->arch->record_regs(regs, ret, pc, r->sp, r->a);
}

static void fast_call(struct ct_session *s, struct ct_thread *t, struct ct_func *f,
		      const struct ct_fp_record *r, uint64_t now)
{
	struct ct_frame fr = { .func = f, .ret_addr = r->pc, .entry_sp = r->sp };
	const struct ct_typed *typed = NULL;
	struct ct_frame *top;
	struct ct_regs regs;

	record_regs(s, r, f->addr, &regs);
	/* a frame entered below sp cannot be live when a call starts at sp */
	ct_unwind_below(s, t, r->sp, true, now);
	top = ct_shadow_top(&t->stack);
	if (top && top->entry_sp == r->sp) {
		/* one entered at this sp that returns to the same place jumped
		 * here (a tail call: this call returns for it); else it is gone */
		if (ct_nonlocal_tail_ok(s, t, top, r->pc) && top->tail_run < CT_TAIL_RUN_MAX) {
			fr.tail = true;
			fr.tail_run = top->tail_run + 1;
		} else {
			ct_unwind_below(s, t, r->sp + 1, true, now);
		}
	}
	/* While a non-local exit runs, a frame it abandoned can still look
	 * alive by its stack pointer (a landing pad's calls go deeper than
	 * the frames it left): its return address slot tells, as at an entry
	 * stop.  The ring is read at the next stop of the unwinder (or of the
	 * landing), before the stack can be reused by a new call of the
	 * same frames. */
	if (t->nonlocal && !fr.tail)
		ct_unwind_stale(s, t, r->pc, now);
	fr.expected_sp = s->arch->sp_after_return(r->sp);
	fr.entry_ns = now;
	fr.entry_ts = ct_ts_of(s, now);
	f->hits++;
	if (t->proc->followed)
		typed = ct_typed_of(s, f);
	if (typed)
		fr.ret_ref = ct_typed_entry_ref(typed, &regs);
	if (ct_shadow_push(&t->stack, &fr) < 0)
		return;
	ct_call_event(s, t, &t->stack.v[t->stack.n - 1], typed, &regs);
}

/* At an exit, sp is the entry sp of the frame that leaves (x86_64: it
 * points at the return address `ret` pops), and of the frames that
 * tail-called into it, which return with it. */
static bool exit_at(struct ct_session *s, struct ct_thread *t, uint64_t sp, uint64_t now,
		    const struct ct_regs *regs)
{
	struct ct_frame *f;
	bool matched = false;

	ct_unwind_below(s, t, sp, true, now);
	while ((f = ct_shadow_top(&t->stack)) && f->entry_sp == sp) {
		ct_frame_event(s, t, f, CT_EV_RETURN, t->stack.n, now, regs);
		t->stack.n--;
		matched = true;
	}
	return matched;
}

static bool fast_return(struct ct_session *s, struct ct_thread *t, const struct ct_fp_record *r,
			uint64_t now)
{
	struct ct_regs regs;

	record_regs(s, r, r->pc, &regs);
	return exit_at(s, t, r->sp, now, &regs);
}

bool ct_fast_exit_hit(struct ct_session *s, struct ct_thread *t, const struct ct_regs *regs)
{
	return exit_at(s, t, s->arch->sp(regs), ct_stop_time(t), regs);
}

struct drain {
	struct ct_session *s;
	struct ct_fast *fast;
};

static void on_record(void *ctx, uint32_t ring, const struct ct_fp_record *r)
{
	struct drain *d = ctx;
	struct ct_fast *fast = d->fast;
	struct ct_thread *t = ring < fast->area.layout.nr_rings ? fast->owner[ring] : NULL;
	uint64_t now = ct_fp_clock_ns(&fast->clock, r->tsc);

	fast->records++;
	if (!t || r->func_id >= fast->nr_funcs)
		return;
	switch (r->kind_flags & CT_FP_KIND_MASK) {
	case CT_FP_CALL:
		d->s->stats.ring_calls++;
		fast_call(d->s, t, fast->funcs[r->func_id], r, now);
		break;
	case CT_FP_RETURN:
		if (fast_return(d->s, t, r, now))
			d->s->stats.ring_returns++;
		else
			fast->unmatched++;
		break;
	default:
		break;
	}
}

size_t ct_fast_drain_thread(struct ct_session *s, struct ct_thread *t)
{
	struct ct_fast *fast = t->proc->mm ? t->proc->mm->fast : NULL;
	struct drain d = { .s = s, .fast = fast };

	if (!fast || !t->fp_ring1)
		return 0;
	return ct_fp_drain(&fast->area, t->fp_ring1 - 1, on_record, &d);
}

/* Records of every ring, taken out before any is turned into events, so
 * that they go out in time order across threads and processes (each ring
 * is in order; the views read a trace as one time line). */
struct batch {
	struct ct_session *s;
	struct ct_fast *fast;
	size_t n;
};

static void collect(void *ctx, uint32_t ring, const struct ct_fp_record *r)
{
	struct batch *b = ctx;
	struct ct_session *s = b->s;

	if (s->fp_batch_n == s->fp_batch_cap) {
		size_t cap = s->fp_batch_cap ? s->fp_batch_cap * 2 : 4096;
		struct ct_fp_pending *v = realloc(s->fp_batch, cap * sizeof(*v));

		if (!v) {
			/* no room to sort: this one goes out now */
			struct drain d = { .s = s, .fast = b->fast };

			on_record(&d, ring, r);
			return;
		}
		s->fp_batch = v;
		s->fp_batch_cap = cap;
	}
	s->fp_batch[s->fp_batch_n++] = (struct ct_fp_pending){
		.rec = *r, .fast = b->fast, .ring = ring, .seq = s->fp_batch_n,
	};
	b->n++;
}

static int by_time(const void *a, const void *b)
{
	const struct ct_fp_pending *x = a, *y = b;
	uint64_t tx = ct_fp_clock_ns(&x->fast->clock, x->rec.tsc);
	uint64_t ty = ct_fp_clock_ns(&y->fast->clock, y->rec.tsc);

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

size_t ct_fast_drain_all(struct ct_session *s)
{
	size_t it = 0, n = 0, i;
	uint64_t key;
	void *val;

	s->fp_batch_n = 0;
	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *t = val;
		struct batch b = { .s = s, .fast = t->proc->mm ? t->proc->mm->fast : NULL };

		if (b.fast && t->fp_ring1)
			n += ct_fp_drain(&b.fast->area, t->fp_ring1 - 1, collect, &b);
	}
	if (s->fp_batch_n > 1)
		qsort(s->fp_batch, s->fp_batch_n, sizeof(*s->fp_batch), by_time);
	/* (nothing frees a thread or an address space while events are made) */
	for (i = 0; i < s->fp_batch_n; i++) {
		struct drain d = { .s = s, .fast = s->fp_batch[i].fast };

		on_record(&d, s->fp_batch[i].ring, &s->fp_batch[i].rec);
	}
	s->fp_batch_n = 0;
	return n;
}

void ct_fast_thread_gone(struct ct_session *s, struct ct_thread *t)
{
	struct ct_fast *fast = t->proc->mm ? t->proc->mm->fast : NULL;
	struct drain d = { .s = s, .fast = fast };

	if (!fast || !t->fp_ring1)
		return;
	if (t->fp_lender) {
		struct ct_thread *lender = ct_hashmap_get(&s->threads, (uint64_t)t->fp_lender);

		/* a vfork child's last records; the ring goes back */
		ct_fast_drain_thread(s, t);
		t->fp_lender = 0;
		if (lender && lender->proc->mm == t->proc->mm && !lender->fp_ring1) {
			fast->owner[t->fp_ring1 - 1] = lender;
			lender->fp_ring1 = t->fp_ring1;
			t->fp_ring1 = 0;
			t->fp_tp = 0;
			return;
		}
	}
	/* its last records, then its slot is a tombstone */
	ct_fp_unregister(&fast->area, t->fp_tp, on_record, &d);
	fast->owner[t->fp_ring1 - 1] = NULL;
	t->fp_ring1 = 0;
	t->fp_tp = 0;
}
