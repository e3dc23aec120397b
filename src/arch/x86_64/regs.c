/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_64 registers: the NT_PRSTATUS image (struct user_regs_struct), the
 * accessors the engine uses at every stop, and the register set-up for
 * remote system calls and function calls.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __x86_64__
#include <sys/user.h>
#endif

#include "arch/x86_64/x86_64.h"

_Static_assert(sizeof(struct x86_64_user_regs) == 27 * sizeof(uint64_t),
	       "x86_64 NT_PRSTATUS is 27 words");
_Static_assert(X86_64_NR_WORDS <= CT_REGS_WORDS, "struct ct_regs too small for x86_64");

#ifdef __x86_64__
/* Our copy of the layout must be the kernel's. */
_Static_assert(sizeof(struct x86_64_user_regs) == sizeof(struct user_regs_struct),
	       "x86_64_user_regs differs from user_regs_struct");
_Static_assert(offsetof(struct x86_64_user_regs, orig_rax) ==
		       offsetof(struct user_regs_struct, orig_rax),
	       "orig_rax offset");
_Static_assert(offsetof(struct x86_64_user_regs, rip) == offsetof(struct user_regs_struct, rip),
	       "rip offset");
_Static_assert(offsetof(struct x86_64_user_regs, rsp) == offsetof(struct user_regs_struct, rsp),
	       "rsp offset");
_Static_assert(offsetof(struct x86_64_user_regs, gs) == offsetof(struct user_regs_struct, gs),
	       "gs offset");
_Static_assert(offsetof(struct user, u_debugreg) == X86_64_DEBUGREG_USER_OFFSET,
	       "u_debugreg offset");
#endif

#define REG(name) { #name, X86_64_W(name) }

/* The order gdb and `info registers` use. */
const struct ct_reg_desc x86_64_reg_desc[X86_64_NR_REGS] = {
	REG(rax), REG(rbx), REG(rcx), REG(rdx), REG(rsi), REG(rdi), REG(rbp), REG(rsp),
	REG(r8),  REG(r9),  REG(r10), REG(r11), REG(r12), REG(r13), REG(r14), REG(r15),
	REG(rip), REG(eflags), REG(cs), REG(ss), REG(ds), REG(es), REG(fs), REG(gs),
	REG(fs_base), REG(gs_base), REG(orig_rax),
};

/* System V integer argument registers, in order. */
static const unsigned arg_words[] = {
	X86_64_W(rdi), X86_64_W(rsi), X86_64_W(rdx), X86_64_W(rcx), X86_64_W(r8), X86_64_W(r9),
};

/* Linux syscall argument registers: r10 replaces rcx, which syscall clobbers. */
static const unsigned syscall_arg_words[] = {
	X86_64_W(rdi), X86_64_W(rsi), X86_64_W(rdx), X86_64_W(r10), X86_64_W(r8), X86_64_W(r9),
};

uint64_t x86_64_pc(const struct ct_regs *r)
{
	return r->w[X86_64_W(rip)];
}

void x86_64_set_pc(struct ct_regs *r, uint64_t pc)
{
	r->w[X86_64_W(rip)] = pc;
}

uint64_t x86_64_sp(const struct ct_regs *r)
{
	return r->w[X86_64_W(rsp)];
}

uint64_t x86_64_arg(const struct ct_regs *r, unsigned n)
{
	if (n >= sizeof(arg_words) / sizeof(arg_words[0]))
		return 0;
	return r->w[arg_words[n]];
}

uint64_t x86_64_retval(const struct ct_regs *r)
{
	return r->w[X86_64_W(rax)];
}

void x86_64_record_regs(struct ct_regs *r, bool is_return, uint64_t pc, uint64_t sp,
			const uint64_t a[6])
{
	memset(r, 0, sizeof(*r));
	r->w[X86_64_W(rip)] = pc;
	r->w[X86_64_W(rsp)] = sp;
	if (is_return) {
		r->w[X86_64_W(rax)] = a[0];
		r->w[X86_64_W(rdx)] = a[1];
		return;
	}
	for (unsigned i = 0; i < sizeof(arg_words) / sizeof(arg_words[0]); i++)
		r->w[arg_words[i]] = a[i];
}

uint64_t x86_64_thread_pointer(const struct ct_regs *r)
{
	return r->w[X86_64_W(fs_base)];
}

/* int3 is a trap: the reported rip is past the one-byte 0xcc. */
uint64_t x86_64_bp_addr(const struct ct_regs *r)
{
	return r->w[X86_64_W(rip)] - 1;
}

uint64_t x86_64_trap_rewind(const struct ct_regs *r)
{
	return r->w[X86_64_W(rip)] - 1;
}

int x86_64_read_u64(const struct ct_mem *mem, uint64_t addr, uint64_t *val)
{
	uint8_t b[8];
	uint64_t v = 0;
	int ret;

	ret = mem->read(mem->ctx, addr, b, sizeof(b));
	if (ret < 0)
		return ret;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	*val = v;
	return 0;
}

int x86_64_write_u64(const struct ct_mem *mem, uint64_t addr, uint64_t val)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(val >> (8 * i));
	return mem->write(mem->ctx, addr, b, sizeof(b));
}

/* At a function's first instruction the caller's `call` has just pushed
 * the return address. */
int x86_64_return_addr(const struct ct_regs *r, const struct ct_mem *mem, uint64_t *ra)
{
	return x86_64_read_u64(mem, r->w[X86_64_W(rsp)], ra);
}

/* `ret` pops the 8-byte return address. */
uint64_t x86_64_sp_after_return(uint64_t entry_sp)
{
	return entry_sp + 8;
}

/* See gdb's amd64_linux_write_pc: with orig_rax >= 0 the kernel may back
 * rip up by 2 to restart the syscall the thread was stopped in. */
void x86_64_cancel_syscall_restart(struct ct_regs *r)
{
	r->w[X86_64_W(orig_rax)] = (uint64_t)-1;
}

void x86_64_set_syscall(struct ct_regs *r, long nr, const uint64_t args[6])
{
	r->w[X86_64_W(rax)] = (uint64_t)nr;
	for (unsigned i = 0; i < 6; i++)
		r->w[syscall_arg_words[i]] = args[i];
	x86_64_cancel_syscall_restart(r);
}

long x86_64_syscall_ret(const struct ct_regs *r)
{
	return (long)r->w[X86_64_W(rax)];
}

/* Skip 256 bytes (the 128-byte red zone of the interrupted code, with a
 * margin), align to 16, then push the return address: the callee starts
 * with rsp % 16 == 8, exactly as after a `call` from aligned code. */
#define SETUP_CALL_GAP 256

int x86_64_setup_call(struct ct_regs *r, const struct ct_mem *mem, uint64_t fn,
		      uint64_t ret_addr, const uint64_t *args, unsigned nargs)
{
	uint64_t sp;
	int ret;

	if (nargs > sizeof(arg_words) / sizeof(arg_words[0]))
		return -EINVAL;
	sp = ((r->w[X86_64_W(rsp)] - SETUP_CALL_GAP) & ~(uint64_t)15) - 8;
	ret = x86_64_write_u64(mem, sp, ret_addr);
	if (ret < 0)
		return ret;
	r->w[X86_64_W(rsp)] = sp;
	r->w[X86_64_W(rip)] = fn;
	for (unsigned i = 0; i < nargs; i++)
		r->w[arg_words[i]] = args[i];
	x86_64_cancel_syscall_restart(r);
	/* al = number of vector registers used by a variadic callee */
	r->w[X86_64_W(rax)] = 0;
	return 0;
}
