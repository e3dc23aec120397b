/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Backtraces of the stopped threads with libdwfl.  We give libdwfl our own
 * thread callbacks (dwfl_attach_state) rather than dwfl_linux_proc_attach:
 * the threads are already stopped and their registers read (stop.c), and
 * memory comes from our page cache, where libdwfl's own would ask ptrace.
 *
 * libdwfl unwinds each frame from CFI (.eh_frame, then .debug_frame) and,
 * where a pc has none, falls back to the arch backend's frame-pointer
 * unwinder (elfutils backends/x86_64_unwind.c, aarch64_unwind.c: the
 * rbp/x29 chain).  We label each frame with the way it was found by asking
 * whether the pc below it had CFI.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "stacks/internal.h"

#define CT_LOG_DOMAIN "unwind"
#include "util/log.h"

#define MAX_DWARF_REGS 40

/* What libdwfl hands back to set_initial_registers for a thread. */
struct uthread {
	struct ct_unwinder *u;
	struct ct_stack_thread *t;
};

struct ct_unwinder {
	struct ct_snapshot *snap;
	const struct ct_stacks_arch *sa;
	struct ct_memcache *mc;
	struct uthread *ut;             /* one per snapshot thread */
	int words[MAX_DWARF_REGS];      /* DWARF register n is regs.w[words[n]]; -1 none */
	bool attached;
};

struct frames_ctx {
	struct ct_unwinder *u;
	struct ct_stack_thread *t;
	unsigned max, cap;
	int err;
	bool prev_had_cfi;
};

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct ct_unwinder *u = arg;
	struct uthread *prev = *thread_argp;
	unsigned i = prev ? (unsigned)(prev - u->ut) + 1 : 0;

	(void)dwfl;
	for (; i < u->snap->nr_threads; i++) {
		if (u->snap->threads[i].stopped) {
			*thread_argp = &u->ut[i];
			return u->snap->threads[i].tid;
		}
	}
	return 0;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct ct_unwinder *u = arg;
	unsigned i;

	(void)dwfl;
	for (i = 0; i < u->snap->nr_threads; i++) {
		if (u->snap->threads[i].tid == tid && u->snap->threads[i].stopped) {
			*thread_argp = &u->ut[i];
			return true;
		}
	}
	return false;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct ct_unwinder *u = arg;
	uint64_t v;

	(void)dwfl;
	if (ct_memcache_read(u->mc, addr, &v, sizeof(v)) < 0)
		return false;
	/* aarch64 with pointer authentication saves return addresses with a
	 * PAC in their top bits, which libdwfl 0.188 does not strip.  The
	 * words that matter to a backtrace (return addresses, frame
	 * pointers) are user addresses, so the mask only strips a PAC; other
	 * saved registers may lose their top bits, which nothing here uses
	 * (x86_64: the mask is all ones) */
	*result = v & u->snap->arch->code_addr_mask;
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	const struct uthread *ut = thread_arg;
	const struct ct_unwinder *u = ut->u;
	const struct ct_regs *r = &ut->t->regs;
	Dwarf_Word regs[MAX_DWARF_REGS];
	unsigned i;

	for (i = 0; i < u->sa->nr_dwarf; i++)
		regs[i] = u->words[i] >= 0 ? r->w[u->words[i]] : 0;
	if (!dwfl_thread_state_registers(thread, 0, u->sa->nr_dwarf, regs))
		return false;
	if (u->sa->pc_separate)
		dwfl_thread_state_register_pc(thread, u->snap->arch->pc(r));
	return true;
}

static const Dwfl_Thread_Callbacks callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

struct ct_unwinder *ct_unwinder_new(struct ct_snapshot *snap, const struct ct_stacks_arch *sa,
				    struct ct_memcache *mc)
{
	struct ct_unwinder *u = calloc(1, sizeof(*u));
	unsigned i;

	if (!u)
		return NULL;
	u->snap = snap;
	u->sa = sa;
	u->mc = mc;
	u->ut = calloc(snap->nr_threads ? snap->nr_threads : 1, sizeof(*u->ut));
	if (!u->ut || sa->nr_dwarf > MAX_DWARF_REGS) {
		free(u->ut);
		free(u);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < snap->nr_threads; i++)
		u->ut[i] = (struct uthread){ .u = u, .t = &snap->threads[i] };
	for (i = 0; i < sa->nr_dwarf; i++)
		u->words[i] = sa->dwarf_regs[i] ? ct_reg_word(snap->arch, sa->dwarf_regs[i]) : -1;
	/* NULL elf: libdwfl takes the ISA from the modules reported */
	u->attached = dwfl_attach_state(ct_symbolizer_dwfl(snap->sym), NULL, snap->pid,
					&callbacks, u);
	if (!u->attached)
		ct_dbg("dwfl_attach_state: %s", dwfl_errmsg(-1));
	return u;
}

void ct_unwinder_free(struct ct_unwinder *u)
{
	if (!u)
		return;
	/* libdwfl keeps the callbacks until dwfl_end: the symbolizer must be
	 * freed first if it outlives us (ct_snapshot_free does) */
	free(u->ut);
	free(u);
}

/* Does the module at pc have CFI for it? */
static bool has_cfi(Dwfl *dwfl, uint64_t pc)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, pc);
	Dwarf_Frame *frame = NULL;
	Dwarf_Addr bias;
	Dwarf_CFI *cfi;

	if (!mod)
		return false;
	cfi = dwfl_module_eh_cfi(mod, &bias);
	if (cfi && dwarf_cfi_addrframe(cfi, pc - bias, &frame) == 0) {
		free(frame);
		return true;
	}
	cfi = dwfl_module_dwarf_cfi(mod, &bias);
	if (cfi && dwarf_cfi_addrframe(cfi, pc - bias, &frame) == 0) {
		free(frame);
		return true;
	}
	return false;
}

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	struct frames_ctx *c = arg;
	struct ct_stack_thread *t = c->t;
	struct ct_frame *f, *grown;
	bool activation = false;
	Dwarf_Addr pc;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	if (t->nr_frames && !c->prev_had_cfi && c->u->sa->fp_repeats_lr &&
	    t->frames[t->nr_frames - 1].how != CT_FRAME_FP && t->frames[t->nr_frames - 1].pc == pc)
		return DWARF_CB_OK; /* see fp_repeats_lr */
	if (t->nr_frames >= c->max) {
		snprintf(t->unwind_end, sizeof(t->unwind_end), "stopped after %u frames", c->max);
		return DWARF_CB_ABORT;
	}
	if (t->nr_frames == c->cap) {
		unsigned cap = c->cap ? c->cap * 2 : 16;

		grown = realloc(t->frames, cap * sizeof(*t->frames));
		if (!grown) {
			c->err = -ENOMEM;
			return DWARF_CB_ABORT;
		}
		t->frames = grown;
		c->cap = cap;
	}
	f = &t->frames[t->nr_frames];
	memset(f, 0, sizeof(*f));
	f->pc = pc;
	f->activation = activation || t->nr_frames == 0;
	if (t->nr_frames == 0)
		f->how = CT_FRAME_REGS;
	else
		f->how = c->prev_had_cfi ? CT_FRAME_CFI : CT_FRAME_FP;
	c->prev_had_cfi = has_cfi(ct_symbolizer_dwfl(c->u->snap->sym),
				  f->activation ? pc : pc - 1);
	t->nr_frames++;
	return DWARF_CB_OK;
}

int ct_unwind_thread(struct ct_unwinder *u, struct ct_stack_thread *t, unsigned max)
{
	struct frames_ctx c = { .u = u, .t = t, .max = max };
	int r;

	t->nr_frames = 0;
	t->unwind_end[0] = '\0';
	if (!t->stopped)
		return 0;
	if (!u->attached) {
		/* no unwinder: the pc alone */
		t->frames = calloc(1, sizeof(*t->frames));
		if (!t->frames)
			return -ENOMEM;
		t->frames[0].pc = u->snap->arch->pc(&t->regs);
		t->frames[0].activation = true;
		t->nr_frames = 1;
		snprintf(t->unwind_end, sizeof(t->unwind_end), "no unwinder for this process");
		return 0;
	}
	r = dwfl_getthread_frames(ct_symbolizer_dwfl(u->snap->sym), t->tid, frame_cb, &c);
	if (c.err)
		return c.err;
	if (r < 0 && !t->unwind_end[0]) {
		/* libdwfl ends some backtraces with an error rather than 0
		 * (libdwfl.h): kept for the JSON, judged by the printer */
		const char *msg = dwfl_errmsg(-1);

		snprintf(t->unwind_end, sizeof(t->unwind_end), "%s", msg ? msg : "unwinding failed");
	}
	return 0;
}
