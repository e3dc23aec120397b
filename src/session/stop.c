/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One waitpid result, for one thread: breakpoint hits become call, return
 * and unwind events, signals pass through to the tracee unchanged.
 *
 * A breakpoint hit costs exactly one ptrace stop: read the registers, make
 * the event, point the pc at the out-of-line copy of the displaced
 * instruction (or emulate it), write the registers, continue.
 *
 * Returns are matched on the shadow stack by stack pointer (DESIGN.md):
 * at a return site the sp must equal the frame's expected sp; frames whose
 * expected sp is below the current sp were abandoned (longjmp, exceptions)
 * and are reported as unwind events; a hit matching nothing is silent.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "session/fast.h"
#include "session/internal.h"

#define CT_LOG_DOMAIN "stop"
#include "util/log.h"

/* Remote reads cost microseconds each, whatever their size: the new
 * return address at sp and the top frame's return-address slot above it
 * are read with one pread when they lie within a page of each other, as
 * they nearly always do.  vals[0] = [sp], vals[1] = [top->entry_sp]; bit i
 * of *bad is set for each word that could not be read. */
#define RA_SPAN_MAX 4096

static void read_ra_and_top(const struct ct_pmem *mem, uint64_t sp, const struct ct_frame *top,
			    uint64_t vals[2], unsigned *bad)
{
	uint64_t span[RA_SPAN_MAX / 8 + 1];
	uint64_t addrs[2];

	*bad = 0;
	if (!top) {
		if (ct_pmem_read(mem, sp, &vals[0], 8) < 0)
			*bad = 1;
		return;
	}
	if (top->entry_sp >= sp && top->entry_sp - sp <= RA_SPAN_MAX && !((top->entry_sp - sp) & 7) &&
	    ct_pmem_read(mem, sp, span, top->entry_sp - sp + 8) == 0) {
		vals[0] = span[0];
		vals[1] = span[(top->entry_sp - sp) / 8];
		return;
	}
	addrs[0] = sp;
	addrs[1] = top->entry_sp;
	if (ct_pmem_read_words(mem, addrs, vals, 2, bad) < 0)
		*bad = 3;
}

/*
 * Where the return address is not on the stack at entry (aarch64): frames
 * whose saved return address (arch->lr_slot()) no longer holds it are dead,
 * their stack reused after longjmp or an exception.  The read is skipped
 * when the new call comes straight from the top frame's function.
 */
static void unwind_overwritten(struct ct_session *s, struct ct_thread *t, uint64_t ra,
			       uint64_t now)
{
	const struct ct_func *fn;
	struct ct_frame *top;
	uint64_t saved;

	while ((top = ct_shadow_top(&t->stack)) && top->ret_addr && !top->slot_unsure) {
		fn = top->func;
		if (!fn->has_lr_slot || (fn->size && ra - fn->addr < fn->size))
			return;
		if (ct_pmem_read(&t->proc->mm->mem, top->entry_sp + (int64_t)fn->lr_slot_off, &saved,
				 sizeof(saved)) < 0)
			return;
		if (((saved ^ top->ret_addr) & s->arch->code_addr_mask) == 0)
			return;
		ct_frame_event(s, t, top, CT_EV_UNWIND, t->stack.n, now, NULL);
		t->stack.n--;
	}
}

/* x86_64: frames below the top one whose return address was overwritten
 * are dead (a frame whose return cannot be seen has no word to judge by);
 * vals[1], bad & 2: the top one's return-address slot, as read_ra_and_top
 * read it. */
static void unwind_ra_overwritten(struct ct_session *s, struct ct_thread *t, uint64_t top_slot,
				  unsigned bad, uint64_t now)
{
	struct ct_frame *top = ct_shadow_top(&t->stack);

	while (top && top->ret_addr && ((bad & 2) || top_slot != top->ret_addr)) {
		ct_frame_event(s, t, top, CT_EV_UNWIND, t->stack.n, now, NULL);
		t->stack.n--;
		top = ct_shadow_top(&t->stack);
		bad = 0;
		if (top && ct_pmem_read(&t->proc->mm->mem, top->entry_sp, &top_slot, 8) < 0)
			bad = 2;
	}
}

void ct_unwind_stale(struct ct_session *s, struct ct_thread *t, uint64_t ra, uint64_t now)
{
	struct ct_frame *top = ct_shadow_top(&t->stack);
	uint64_t slot = 0;
	unsigned bad = 0;

	if (!top)
		return;
	if (!s->arch->ra_at_entry_sp) {
		unwind_overwritten(s, t, ra, now);
		return;
	}
	if (ct_pmem_read(&t->proc->mm->mem, top->entry_sp, &slot, sizeof(slot)) < 0)
		bad = 2;
	unwind_ra_overwritten(s, t, slot, bad, now);
}

/* regs: as at the trap; live: what the thread holds now (for injected
 * code, which puts them back). */
static bool on_entry(struct ct_session *s, struct ct_thread *t, struct ct_site *site,
		     const struct ct_regs *regs, const struct ct_regs *live)
{
	const struct ct_arch *arch = s->arch;
	struct ct_mem mem = ct_pmem_as_mem(&t->proc->mm->mem);
	struct ct_frame fr = { .func = site->func };
	uint64_t sp = arch->sp(regs), now = ct_stop_time(t);
	uint64_t vals[2] = { 0, 0 };
	unsigned bad = 0;
	struct ct_frame *top;
	const struct ct_typed *typed;

	if (t->proc->followed && !site->func->typed_done) {
		/* One-time work (reading the module's DWARF: tens of ms for
		 * libc) before the call's time is taken, so that the call does
		 * not last it; the clock stands still meanwhile anyway unless
		 * another thread runs. */
		(void)ct_typed_of(s, site->func);
		now = ct_now_ns();
	}

	/* A frame entered below sp cannot be live when a call starts at sp:
	 * its stack is being reused (after longjmp or an exception). */
	ct_unwind_below(s, t, sp, true, now);
	top = ct_shadow_top(&t->stack);
	if (arch->ra_at_entry_sp) {
		read_ra_and_top(&t->proc->mm->mem, sp, top, vals, &bad);
		fr.ret_addr = bad & 1 ? 0 : vals[0];
	} else if (arch->return_addr(regs, &mem, &fr.ret_addr) < 0) {
		fr.ret_addr = 0;
	}
	/* One entered at sp itself ended by jumping here (a tail call: this
	 * call returns for it, to the same address), or is gone: the same
	 * call site calls again after longjmp or an exception (nonlocal.c),
	 * or another call starts where it was. */
	if (top && top->entry_sp == sp) {
		const struct ct_site *rs = ct_nonlocal_tail_ok(s, t, top, fr.ret_addr) ?
			ct_site_at(&t->proc->mm->bps, top->ret_addr) : NULL;

		/* (its return must be watched: a frame whose return goes unseen
		 * would take every later call from its call site for a tail
		 * call, ever deeper) */
		if (rs && rs->inserted && (rs->kinds & CT_SITE_RETURN)) {
			if (top->tail_run >= CT_TAIL_RUN_MAX) {
				/* the frame this call leaves, below which a
				 * run as long as the limit stays open */
				ct_frame_event(s, t, top, CT_EV_UNWIND, t->stack.n, now, NULL);
				t->stack.n--;
				top = ct_shadow_top(&t->stack);
			}
			fr.tail = true;
			fr.tail_run = top ? top->tail_run + 1 : 1;
		} else {
			/* every frame entered at sp: a tail call's too */
			ct_unwind_below(s, t, sp + 1, true, now);
			top = ct_shadow_top(&t->stack);
			if (arch->ra_at_entry_sp) {
				bad = 0;
				if (top && ct_pmem_read(&t->proc->mm->mem, top->entry_sp, &vals[1],
							8) < 0)
					bad = 2;
			}
		}
	}
	/* the frame below a tail call is live: it made it */
	if (!fr.tail) {
		if (arch->ra_at_entry_sp)
			unwind_ra_overwritten(s, t, vals[1], bad, now);
		else
			unwind_overwritten(s, t, fr.ret_addr, now);
	}
	fr.entry_sp = sp;
	fr.expected_sp = arch->sp_after_return(sp);
	fr.entry_ns = now;
	fr.entry_ts = ct_ts_of(s, now);
	site->func->hits++;
	typed = t->proc->followed ? ct_typed_of(s, site->func) : NULL;
	if (typed)
		fr.ret_ref = ct_typed_entry_ref(typed, regs);
	if (ct_shadow_push(&t->stack, &fr) < 0)
		return false;

	ct_call_event(s, t, &t->stack.v[t->stack.n - 1], typed, regs);
	if (fr.ret_addr && !fr.tail && ct_return_site_ensure(s, t, fr.ret_addr, live) == -ENOENT) {
		/* not a return address (entered by a jump): no return to see */
		t->stack.v[t->stack.n - 1].ret_addr = 0;
		s->stats.returns_unseen++;
	}
	return true;
}

static bool on_return(struct ct_session *s, struct ct_thread *t, struct ct_site *site,
		      const struct ct_regs *regs)
{
	uint64_t sp = s->arch->sp(regs), now = ct_stop_time(t);
	struct ct_regs snap;
	const struct ct_regs *r = regs;
	struct ct_frame *f;
	bool matched = false;

	ct_unwind_below(s, t, sp, false, now);
	if (s->opts.regs) {
		snap = *regs;
		s->arch->set_pc(&snap, site->addr);
		r = &snap;
	}
	/* a frame and those it tail-called return together */
	while ((f = ct_shadow_top(&t->stack)) && f->ret_addr == site->addr &&
	       f->expected_sp == sp) {
		/* a frame that was live when a non-local exit began returns:
		 * the exit landed in it or in a frame it called, so the frames
		 * below it are live */
		if (t->nonlocal && f->entry_ns <= t->nonlocal_ns)
			t->nonlocal = false;
		ct_frame_event(s, t, f, CT_EV_RETURN, t->stack.n, now, r);
		t->stack.n--;
		matched = true;
	}
	return matched;
}

/* Point a thread stopped on `site` at its displaced instruction (the slot,
 * or the emulated result in *regs), without resuming it. */
static int displace(struct ct_session *s, struct ct_thread *t, struct ct_site *site,
		    struct ct_regs *regs)
{
	const struct ct_arch *arch = s->arch;
	struct ct_regs before = *regs;
	bool pc_only;
	int ret;

	ret = ct_site_displace(&t->proc->mm->bps, site, regs);
	arch->set_pc(&before, arch->pc(regs));
	pc_only = memcmp(&before, regs, arch->regs_size) == 0;
	if (ret == 0)
		ret = pc_only ? ct_regs_set_pc(t->tid, arch, regs) : ct_regs_set(t->tid, arch, regs);
	if (ret < 0)
		return ret == -ESRCH ? 0 : ret;
	if (site->plan.action == CT_INSN_STEP)
		t->stepping = site;
	return 0;
}

int ct_pass_site(struct ct_session *s, struct ct_thread *t, struct ct_site *site,
		 struct ct_regs *regs)
{
	int ret = displace(s, t, site, regs);

	if (ret < 0)
		return ret;
	/* held: stopped right before its displaced instruction, which
	 * ct_thread_resume runs (steps) later */
	return ct_keep_stopped(s) ? 0 : ct_thread_resume(s, t);
}

static int step_done(struct ct_session *s, struct ct_thread *t, struct ct_regs *regs)
{
	struct ct_mem mem = ct_pmem_as_mem(&t->proc->mm->mem);
	struct ct_site *site = t->stepping;
	int ret;

	t->stepping = NULL;
	s->stats.stops_step++;
	ret = s->arch->step_fixup(&site->plan, site->slot, regs, &mem);
	if (ret == 0)
		ret = ct_regs_set(t->tid, s->arch, regs);
	return ret == -ESRCH ? 0 : ret;
}

static void signal_event(struct ct_session *s, struct ct_thread *t, int sig)
{
	struct ct_event ev = { 0 };

	if (!t->proc->followed)
		return;
	ev.type = CT_EV_SIGNAL;
	ev.pid = t->proc->pid;
	ev.tid = t->tid;
	ev.signo = sig;
	ct_emit(s, &ev, NULL);
}

static int on_trap(struct ct_session *s, struct ct_thread *t)
{
	struct ct_mm *mm = t->proc->mm;
	struct ct_regs regs, live;
	struct ct_site *site;
	unsigned kinds;
	bool made_event = false, early;
	int ret;

	ret = ct_regs_get(t->tid, s->arch, &regs);
	if (ret < 0)
		return ret == -ESRCH ? 0 : ret;
	if (t->stepping) {
		ret = step_done(s, t, &regs);
		if (ret < 0 || ct_keep_stopped(s))
			return ret;
		return ct_thread_resume(s, t);
	}
	if (t->sig_slot_pc) {
		/* stepped into a handler from a slot: note its frame */
		ct_sigframe_stepped(s, t, &regs);
		return ct_keep_stopped(s) ? 0 : ct_thread_resume(s, t);
	}
	site = ct_site_at(&mm->bps, s->arch->bp_addr(&regs));
	if (!site || !site->inserted) {
		/* not ours: the program's own SIGTRAP */
		s->stats.stops_other++;
		signal_event(s, t, SIGTRAP);
		t->pending_sig = SIGTRAP;
		return ct_keep_stopped(s) ? 0 : ct_thread_resume(s, t);
	}
	if (s->detaching) {
		/* reported but not handled: rewind so the original instruction
		 * runs once the byte is restored */
		s->arch->set_pc(&regs, site->addr);
		ret = ct_regs_set(t->tid, s->arch, &regs);
		return ret == -ESRCH ? 0 : ret;
	}
	site->hits++;
	kinds = site->kinds;
	if (!t->proc->followed && !t->proc->attached && !t->proc->spawned) {
		/* a vfork child we do not follow shares our breakpoints: pass */
		s->stats.stops_spurious++;
		return ct_pass_site(s, t, site, &regs);
	}
	live = regs;
	early = !(kinds & ~(CT_SITE_ENTRY | CT_SITE_RETURN | CT_SITE_NONLOCAL | CT_SITE_LANDED |
			    CT_SITE_EXIT)) &&
		site->plan.action != CT_INSN_STEP;
	if (early) {
		/* Displaced first, events after: if calltrap is killed in
		 * between, the thread goes on past its breakpoint (from the
		 * slot, which stays, or emulated), not with its pc one byte
		 * into an int3.  A STEP copy only runs single-stepped. */
		ret = displace(s, t, site, &live);
		if (ret < 0)
			return ret;
	}
	if ((kinds & CT_SITE_RETURN) && on_return(s, t, site, &regs)) {
		s->stats.stops_return++;
		made_event = true;
	}
	/* after a callee's return at the same place: `call f; ret` */
	if ((kinds & CT_SITE_EXIT) && ct_fast_exit_hit(s, t, &regs)) {
		if (!made_event)
			s->stats.stops_return++;
		made_event = true;
	}
	if (kinds & (CT_SITE_NONLOCAL | CT_SITE_LANDED)) {
		/* before an entry on the same function pushes its frame */
		ct_nonlocal_hit(s, t, site, &regs);
		if (!(kinds & CT_SITE_ENTRY)) {
			if (!made_event)
				s->stats.stops_internal++;
			made_event = true;
		}
	}
	if ((kinds & CT_SITE_ENTRY) && on_entry(s, t, site, &regs, &live)) {
		if (!made_event)
			s->stats.stops_entry++;
		made_event = true;
	}
	if (kinds & (CT_SITE_RBRK | CT_SITE_START)) {
		if (kinds & CT_SITE_RBRK)
			ret = ct_mm_rbrk_hit(s, mm, t, &regs);
		else
			ret = ct_mm_startup_done(s, mm, t, &regs);
		/* start-up is over (TLS set up, constructors run): the fast
		 * path takes over what it can */
		if (ret == 0 && (kinds & CT_SITE_START))
			ret = ct_fast_start(s, mm, t, &regs);
		if (ret < 0 && ret != -ESRCH && !s->fatal)
			s->fatal = ret;
		if ((kinds & CT_SITE_START) && s->pause_pending && t->proc->pid == s->main_pid) {
			/* pause_at_start: every library is mapped, no code of the
			 * program has run; the spawn stops the other threads */
			s->pause_pending = false;
			s->holding = true;
		}
		if (!made_event)
			s->stats.stops_internal++;
		made_event = true;
	}
	if (kinds & CT_SITE_RESOLVER) {
		ret = ct_mm_resolver_hit(s, mm, t, site, &regs);
		if (ret < 0 && ret != -ESRCH && !s->fatal)
			s->fatal = ret;
		if (!made_event)
			s->stats.stops_internal++;
		made_event = true;
	}
	if (!made_event)
		s->stats.stops_spurious++;
	if (early)
		return ct_keep_stopped(s) ? 0 : ct_thread_resume(s, t);
	return ct_pass_site(s, t, site, &regs);
}

static void on_exit_status(struct ct_session *s, struct ct_thread *t, int status)
{
	struct ct_proc *p = t->proc;
	struct ct_event ev = { 0 };
	bool leader = t->tid == p->pid;

	ct_unwind_all(s, t);
	ev.pid = p->pid;
	ev.tid = t->tid;
	if (!leader) {
		ev.type = CT_EV_THREAD_EXIT;
		ev.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (p->followed)
			ct_emit(s, &ev, NULL);
		ct_thread_remove(s, t);
		return;
	}
	ev.type = CT_EV_EXIT;
	if (WIFEXITED(status)) {
		ev.status = WEXITSTATUS(status);
	} else {
		ev.signo = WTERMSIG(status);
		if (WCOREDUMP(status))
			ev.flags |= CT_EVF_CORE;
	}
	if (p->followed)
		ct_emit(s, &ev, NULL);
	if (p->pid == s->main_pid)
		s->main_status = status;
	/* any thread of it still listed is dead too */
	ct_proc_drop_threads(s, p, NULL);
	ct_proc_remove(s, p);
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

int ct_handle_wait(struct ct_session *s, pid_t tid, int status)
{
	struct ct_thread *t = ct_hashmap_get(&s->threads, (uint64_t)tid);
	int sig, event;

	if (!t) {
		/* a new task whose creator's event has not been seen yet; or one
		 * that is gone before it was (its stop is forgotten with it) */
		if (WIFSTOPPED(status))
			ct_hashmap_put(&s->early, (uint64_t)tid, (void *)(uintptr_t)(status + 1));
		else
			ct_hashmap_del(&s->early, (uint64_t)tid);
		return 0;
	}
	/* what was written to the rings before this stop comes first, from
	 * every thread: the events stay in time order */
	if (s->nr_fast)
		ct_fast_drain_all(s);
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		on_exit_status(s, t, status);
		return 0;
	}
	if (!WIFSTOPPED(status))
		return 0;
	/* held from now until ct_thread_resume */
	ct_thread_held(s, t, ct_now_ns());
	if (t->state == CT_TS_NEW)
		return ct_on_first_stop(s, t, status);
	t->state = CT_TS_STOPPED;
	t->in_vfork = false; /* whatever stopped it, it is not waiting in vfork */
	sig = WSTOPSIG(status);
	event = status >> 16;
	if (t->sig_slot_pc && (event || sig != SIGTRAP))
		t->sig_slot_pc = 0; /* the delivery failed: no frame, no step trap */
	switch (event) {
	case 0:
		break;
	case PTRACE_EVENT_STOP:
		s->stats.stops_other++;
		if (is_stop_signal(sig)) {
			/* group-stop: stay stopped until SIGCONT (PTRACE_LISTEN) */
			t->group_stopped = true;
			return ct_keep_stopped(s) ? 0 : ct_thread_resume(s, t);
		}
		if (ct_keep_stopped(s))
			return 0;
		return ct_thread_resume(s, t);
	case PTRACE_EVENT_CLONE:
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
		s->stats.stops_other++;
		return ct_on_clone_event(s, t, event);
	case PTRACE_EVENT_EXEC:
		s->stats.stops_other++;
		return ct_on_exec_event(s, t);
	case PTRACE_EVENT_VFORK_DONE:
		/* its vfork child exec'd or exited: an ordinary thread again */
		s->stats.stops_other++;
		return ct_keep_stopped(s) ? 0 : ct_thread_resume(s, t);
	default:
		s->stats.stops_other++;
		return ct_keep_stopped(s) ? 0 : ct_thread_resume(s, t);
	}
	if (sig == SIGTRAP)
		return on_trap(s, t);
	/* a signal for the tracee: deliver it unchanged */
	s->stats.stops_other++;
	if (t->proc->mm->fast) {
		/* out of a trampoline first: the record it was writing is
		 * published, and comes before the signal */
		int r = ct_fast_out_of_trampoline(s, t);

		if (r == -ESRCH)
			return 0;
		ct_fast_drain_all(s);
	}
	signal_event(s, t, sig);
	if (ct_shadow_top(&t->stack))
		ct_shadow_top(&t->stack)->slot_unsure = true;
	t->pending_sig = sig;
	return ct_keep_stopped(s) ? 0 : ct_thread_resume(s, t);
}
