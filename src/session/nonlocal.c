/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Non-local exits, and what they mean for tail calls.
 *
 * When A ends by jumping to B (a tail call), B starts with A's return
 * address where a call puts it (x86_64 [sp], aarch64 x30) and with the
 * stack pointer A had at its entry: B returns for A, and both are open
 * until that return (stop.c pushes B above A).  A frame abandoned by
 * longjmp or an exception, followed by a new call from the same call site
 * at the same stack pointer, starts exactly the same way: the difference
 * lies only in what happened in between.  So calltrap watches non-local
 * exits begin, with internal breakpoints on the functions that start them
 * (libc's longjmp family, libgcc's unwinder entry points), and a catch
 * land (__cxa_begin_catch, called in the frame that caught): a frame
 * entered before an exit began, while the exit has not been seen to land
 * nor that frame's caller to run again, cannot be told from an abandoned
 * one, and is reported as abandoned, as before tail calls were known.
 *
 * Every hit also shows where the thread runs: frames entered at its stack
 * pointer or below are gone (a catch pops the frames the exception
 * abandoned as it begins, not at the next traced call).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "session/internal.h"

#define CT_LOG_DOMAIN "nonlocal"
#include "util/log.h"

/* Functions through which a non-local exit begins.  glibc's longjmp,
 * _longjmp, siglongjmp and __libc_siglongjmp are one function; libgcc's
 * unwinder is in libgcc_s.so.1, or linked into a program (libgcc_eh.a). */
static const char *const exits[] = {
	"longjmp",
	"_longjmp",
	"siglongjmp",
	"__libc_siglongjmp",
	"__libc_longjmp",
	"__longjmp_chk",
	"_Unwind_RaiseException",
	"_Unwind_Resume",
	"_Unwind_Resume_or_Rethrow",
	"_Unwind_ForcedUnwind",
};

/* Functions through which one lands: a C++ catch begins (libstdc++). */
static const char *const landings[] = {
	"__cxa_begin_catch",
};

static int arm_one(struct ct_session *s, struct ct_mm *mm, struct ct_modrt *m, const char *name,
		   unsigned kind, const struct ct_injector *inj)
{
	const struct ct_symbol *sym = ct_elf_symbol(m->m.elf, name);
	uint64_t addr;
	const char *why = NULL;
	int ret;

	(void)s;
	if (!sym || sym->type != CT_SYM_FUNC)
		return 0;
	addr = sym->value + m->m.bias;
	if (addr < m->m.text_lo || addr >= m->m.text_hi)
		return 0;
	ret = ct_site_add(&mm->bps, addr, kind, NULL, m->m.lo, m->m.hi, inj, &why);
	if (ret == -ESRCH)
		return ret;
	/* without it, only tail calls in this thread's exits are mistaken
	 * for abandoned frames: not worth a warning */
	if (ret < 0)
		ct_dbg("%s: no breakpoint on %s: %s", m->m.name, name, why ? why : strerror(-ret));
	return 0;
}

int ct_mm_arm_nonlocal(struct ct_session *s, struct ct_mm *mm, struct ct_modrt *m,
		       const struct ct_injector *inj)
{
	size_t i;
	int ret;

	for (i = 0; i < sizeof(exits) / sizeof(exits[0]); i++) {
		ret = arm_one(s, mm, m, exits[i], CT_SITE_NONLOCAL, inj);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < sizeof(landings) / sizeof(landings[0]); i++) {
		ret = arm_one(s, mm, m, landings[i], CT_SITE_LANDED, inj);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void ct_nonlocal_hit(struct ct_session *s, struct ct_thread *t, const struct ct_site *site,
		     const struct ct_regs *regs)
{
	/* A function starting at sp: frames entered at sp or below are gone
	 * (at longjmp's entry, even a frame that tail-called it) */
	ct_unwind_at(s, t, s->arch->sp(regs));
	if (site->kinds & CT_SITE_LANDED)
		t->nonlocal = false;
	if (site->kinds & CT_SITE_NONLOCAL) {
		t->nonlocal = t->stack.n > 0;
		t->nonlocal_ns = ct_now_ns();
	}
}

bool ct_nonlocal_tail_ok(const struct ct_session *s, const struct ct_thread *t,
			 const struct ct_frame *top, uint64_t ra)
{
	if (!top->ret_addr || !ra || ((ra ^ top->ret_addr) & s->arch->code_addr_mask))
		return false;
	return !t->nonlocal || top->entry_ns > t->nonlocal_ns;
}
