/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aarch64 registers: the NT_PRSTATUS image (struct user_pt_regs), the
 * accessors the engine uses at every stop, and the register set-up for
 * remote system calls and function calls.  Nothing here touches memory:
 * the return address is in x30 and a call needs no stack slot.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __aarch64__
#include <asm/ptrace.h>
#endif

#include "arch/aarch64/aarch64.h"

_Static_assert(sizeof(struct aarch64_user_regs) == 34 * sizeof(uint64_t),
	       "aarch64 NT_PRSTATUS is 34 words");
_Static_assert(AARCH64_NR_WORDS <= CT_REGS_WORDS, "struct ct_regs too small for aarch64");

#ifdef __aarch64__
/* Our copy of the layout must be the kernel's. */
_Static_assert(sizeof(struct aarch64_user_regs) == sizeof(struct user_pt_regs),
	       "aarch64_user_regs differs from user_pt_regs");
_Static_assert(offsetof(struct aarch64_user_regs, sp) == offsetof(struct user_pt_regs, sp),
	       "sp offset");
_Static_assert(offsetof(struct aarch64_user_regs, pc) == offsetof(struct user_pt_regs, pc),
	       "pc offset");
_Static_assert(offsetof(struct aarch64_user_regs, pstate) ==
		       offsetof(struct user_pt_regs, pstate),
	       "pstate offset");
#endif

#define XREG(n) { "x" #n, AARCH64_W_X(n) }

/* The order of user_pt_regs, which is also gdb's. */
const struct ct_reg_desc aarch64_reg_desc[AARCH64_NR_REGS] = {
	XREG(0),  XREG(1),  XREG(2),  XREG(3),  XREG(4),  XREG(5),  XREG(6),  XREG(7),
	XREG(8),  XREG(9),  XREG(10), XREG(11), XREG(12), XREG(13), XREG(14), XREG(15),
	XREG(16), XREG(17), XREG(18), XREG(19), XREG(20), XREG(21), XREG(22), XREG(23),
	XREG(24), XREG(25), XREG(26), XREG(27), XREG(28), XREG(29), XREG(30),
	{ "sp", AARCH64_W_SP }, { "pc", AARCH64_W_PC }, { "pstate", AARCH64_W_PSTATE },
};

/* AAPCS64: x0..x7 carry integer arguments, x0 the result. */
#define NR_ARG_REGS 8

uint64_t aarch64_pc(const struct ct_regs *r)
{
	return r->w[AARCH64_W_PC];
}

void aarch64_set_pc(struct ct_regs *r, uint64_t pc)
{
	r->w[AARCH64_W_PC] = pc;
}

uint64_t aarch64_sp(const struct ct_regs *r)
{
	return r->w[AARCH64_W_SP];
}

uint64_t aarch64_arg(const struct ct_regs *r, unsigned n)
{
	if (n >= NR_ARG_REGS)
		return 0;
	return r->w[AARCH64_W_X(n)];
}

uint64_t aarch64_retval(const struct ct_regs *r)
{
	return r->w[AARCH64_W_X(0)];
}

uint64_t aarch64_xreg(const struct ct_regs *r, unsigned n)
{
	return n == AARCH64_ZR ? 0 : r->w[AARCH64_W_X(n)];
}

void aarch64_set_xreg(struct ct_regs *r, unsigned n, uint64_t v)
{
	if (n != AARCH64_ZR)
		r->w[AARCH64_W_X(n)] = v;
}

void aarch64_clear_btype(struct ct_regs *r)
{
	r->w[AARCH64_W_PSTATE] &= ~AARCH64_PSTATE_BTYPE;
}

/* brk is an exception taken before the instruction: the reported pc is
 * the breakpoint itself, and resuming there would execute it again. */
uint64_t aarch64_bp_addr(const struct ct_regs *r)
{
	return r->w[AARCH64_W_PC];
}

uint64_t aarch64_trap_rewind(const struct ct_regs *r)
{
	return r->w[AARCH64_W_PC];
}

/* bl/blr put the return address in the link register. */
int aarch64_return_addr(const struct ct_regs *r, const struct ct_mem *mem CT_UNUSED,
			uint64_t *ra)
{
	*ra = r->w[AARCH64_W_LR];
	return 0;
}

/* ret pops nothing: the caller's sp is the callee's sp at entry. */
uint64_t aarch64_sp_after_return(uint64_t entry_sp)
{
	return entry_sp;
}

/* The kernel decides a restart from regs->syscallno, which NT_PRSTATUS does
 * not hold: the ptrace layer sets the NT_ARM_SYSTEM_CALL regset to -1 (see
 * ct_arch.syscall_nr_regset).  Nothing to do in the image itself. */
void aarch64_cancel_syscall_restart(struct ct_regs *r CT_UNUSED)
{
}

/* svc #0 takes the number in x8 and the arguments in x0..x5.  The svc may
 * sit in a guarded page: no BTYPE may survive from the interrupted code. */
void aarch64_set_syscall(struct ct_regs *r, long nr, const uint64_t args[6])
{
	r->w[AARCH64_W_X(8)] = (uint64_t)nr;
	for (unsigned i = 0; i < 6; i++)
		r->w[AARCH64_W_X(i)] = args[i];
	aarch64_clear_btype(r);
}

long aarch64_syscall_ret(const struct ct_regs *r)
{
	return (long)r->w[AARCH64_W_X(0)];
}

/* No red zone in AAPCS64, but 256 bytes skipped anyway keep whatever the
 * interrupted code may still address just below its sp (signal frames are
 * built the same way); sp must stay 16-byte aligned.  The return address
 * goes in x30, so the stack is not written at all. */
#define SETUP_CALL_GAP 256

int aarch64_setup_call(struct ct_regs *r, const struct ct_mem *mem CT_UNUSED, uint64_t fn,
		       uint64_t ret_addr, const uint64_t *args, unsigned nargs)
{
	if (nargs > NR_ARG_REGS)
		return -EINVAL;
	r->w[AARCH64_W_SP] = (r->w[AARCH64_W_SP] - SETUP_CALL_GAP) & ~(uint64_t)15;
	for (unsigned i = 0; i < nargs; i++)
		r->w[AARCH64_W_X(i)] = args[i];
	r->w[AARCH64_W_LR] = ret_addr;
	r->w[AARCH64_W_PC] = fn;
	/* entering fn as if by a direct bl: BTYPE 0, whatever fn starts with */
	aarch64_clear_btype(r);
	return 0;
}
