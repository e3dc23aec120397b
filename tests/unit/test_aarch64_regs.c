/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aarch64 registers: the table's constants, the NT_PRSTATUS word layout
 * (indices written out here from <asm/ptrace.h>'s struct user_pt_regs, not
 * taken from the backend), the accessors, and the register set-up of
 * remote system calls and calls, which must not touch memory at all.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include <cmocka.h>

#include "arch/arch.h"

#define A (&ct_arch_aarch64)

/* struct user_pt_regs, word by word: x0..x30 are words 0..30 */
enum { W_LR = 30, W_SP = 31, W_PC = 32, W_PSTATE = 33, W_COUNT = 34 };

#define BTYPE (3ull << 10)

/* Memory that fails the test if touched: aarch64 needs no stack for
 * return addresses or calls. */
static int no_read(void *ctx, uint64_t addr CT_UNUSED, void *buf CT_UNUSED, size_t len CT_UNUSED)
{
	(*(unsigned *)ctx)++;
	return -EFAULT;
}

static int no_write(void *ctx, uint64_t addr CT_UNUSED, const void *buf CT_UNUSED,
		    size_t len CT_UNUSED)
{
	(*(unsigned *)ctx)++;
	return -EFAULT;
}

/* regs with every word distinct, so a wrong index shows */
static void fill(struct ct_regs *r)
{
	for (unsigned i = 0; i < CT_REGS_WORDS; i++)
		r->w[i] = 0x1000 + i;
}

static void test_table(void **state CT_UNUSED)
{
	/* brk #0 = 0xd4200000, svc #0 = 0xd4000001, little-endian */
	static const uint8_t brk0[4] = { 0x00, 0x00, 0x20, 0xd4 };
	static const uint8_t svc0[4] = { 0x01, 0x00, 0x00, 0xd4 };

	assert_string_equal(A->name, "aarch64");
	assert_int_equal(A->elf_machine, EM_AARCH64);
	assert_int_equal(A->cs_arch, CS_ARCH_ARM64);
	assert_int_equal(A->cs_mode, CS_MODE_ARM);
	assert_int_equal(A->bp_len, 4);
	assert_memory_equal(A->bp_insn, brk0, 4);
	assert_int_equal(A->insn_align, 4);
	assert_int_equal(A->max_insn_len, 4);
	assert_true(A->slot_size >= 32 && A->slot_size <= 64);
	assert_int_equal(A->slot_size % 16, 0);
	/* below 128 MiB, but not by much */
	assert_true(A->reach < (1 << 27) && A->reach > (1 << 27) - (1 << 20));
	assert_int_equal(A->regs_size, 34 * 8);
	assert_int_equal(A->pc_user_offset, -1);
	assert_int_equal(A->getregs_request, 0);
	assert_false(A->ra_at_entry_sp);
	assert_int_equal(A->nr_int_args, 8);
	assert_int_equal(A->syscall_len, 4);
	assert_memory_equal(A->syscall_insn, svc0, 4);
	assert_int_equal(A->nr_mmap, 222);
	assert_int_equal(A->nr_munmap, 215);
	assert_int_equal(A->nr_mprotect, 226);
	assert_int_equal(A->nr_memfd_create, 279);
	assert_int_equal(A->nr_close, 57);
	assert_int_equal(A->syscall_nr_regset, 0x404); /* NT_ARM_SYSTEM_CALL */
	assert_non_null(A->relocate_mem);
	assert_non_null(A->check_site);
	assert_non_null(A->step_fixup);

	/* and the additions in the x86_64 table */
	assert_int_equal(ct_arch_x86_64.syscall_nr_regset, 0);
	assert_null(ct_arch_x86_64.relocate_mem);
	assert_null(ct_arch_x86_64.check_site);
}

static void test_lookup(void **state CT_UNUSED)
{
	assert_ptr_equal(ct_arch_by_machine(EM_AARCH64), A);
	assert_ptr_equal(ct_arch_by_machine(EM_X86_64), &ct_arch_x86_64);
	assert_null(ct_arch_by_machine(EM_ARM));
#ifdef __aarch64__
	assert_ptr_equal(ct_arch_host(), A);
#endif
}

static void test_reg_desc(void **state CT_UNUSED)
{
	char name[8];

	assert_int_equal(A->nr_regs, W_COUNT);
	for (unsigned i = 0; i <= 30; i++) {
		snprintf(name, sizeof(name), "x%u", i);
		assert_string_equal(A->reg_desc[i].name, name);
		assert_int_equal(A->reg_desc[i].word, i);
	}
	assert_string_equal(A->reg_desc[31].name, "sp");
	assert_int_equal(A->reg_desc[31].word, W_SP);
	assert_string_equal(A->reg_desc[32].name, "pc");
	assert_int_equal(A->reg_desc[32].word, W_PC);
	assert_string_equal(A->reg_desc[33].name, "pstate");
	assert_int_equal(A->reg_desc[33].word, W_PSTATE);
}

static void test_accessors(void **state CT_UNUSED)
{
	unsigned touched = 0;
	struct ct_mem mem = { no_read, no_write, &touched };
	struct ct_regs r;
	uint64_t ra = 0;

	fill(&r);
	assert_int_equal(A->pc(&r), 0x1000 + W_PC);
	assert_int_equal(A->sp(&r), 0x1000 + W_SP);
	assert_int_equal(A->retval(&r), 0x1000); /* x0 */
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(A->arg(&r, i), 0x1000 + i);
	assert_int_equal(A->arg(&r, 8), 0);

	A->set_pc(&r, 0x401234);
	assert_int_equal(r.w[W_PC], 0x401234);
	assert_int_equal(r.w[W_SP], 0x1000 + W_SP);
	/* brk does not advance the pc: the trap reports the breakpoint itself */
	assert_int_equal(A->bp_addr(&r), 0x401234);
	assert_int_equal(A->trap_rewind(&r), 0x401234);
	/* ret does not pop anything */
	assert_int_equal(A->sp_after_return(0x7ffc0100), 0x7ffc0100);

	/* the return address is the link register, no memory read */
	assert_int_equal(A->return_addr(&r, &mem, &ra), 0);
	assert_int_equal(ra, 0x1000 + W_LR);
	assert_int_equal(touched, 0);

	/* nothing to do in NT_PRSTATUS (the regset is the ptrace layer's) */
	{
		struct ct_regs before = r;

		A->cancel_syscall_restart(&r);
		assert_memory_equal(&r, &before, sizeof(r));
	}
}

static void test_syscall(void **state CT_UNUSED)
{
	static const uint64_t args[6] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
	struct ct_regs r, want;

	fill(&r);
	r.w[W_PSTATE] = 0x60000000 | BTYPE; /* Z, C, and a BTYPE from a br */
	want = r;
	want.w[8] = 222;
	for (unsigned i = 0; i < 6; i++)
		want.w[i] = args[i];
	want.w[W_PSTATE] = 0x60000000; /* the svc may sit in a guarded page */
	A->set_syscall(&r, 222, args);
	assert_memory_equal(&r, &want, sizeof(r));

	r.w[0] = (uint64_t)-12; /* -ENOMEM */
	assert_int_equal(A->syscall_ret(&r), -12);
	r.w[0] = 0xffff80001000ull;
	assert_int_equal(A->syscall_ret(&r), 0xffff80001000);
	r.w[8] = 0; /* not x8 */
	assert_int_equal(A->syscall_ret(&r), 0xffff80001000);
}

static void test_setup_call(void **state CT_UNUSED)
{
	unsigned touched = 0;
	struct ct_mem mem = { no_read, no_write, &touched };
	static const uint64_t args[3] = { 0xa1, 0xa2, 0xa3 };
	static const uint64_t eight[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint64_t nine[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct ct_regs r, want;

	fill(&r);
	r.w[W_SP] = 0x7ffc01f8;
	r.w[W_PSTATE] = 0x80000000 | (2ull << 10); /* N, BTYPE 10 (blr) */
	want = r;
	/* sp 0x7ffc01f8 - 256 = 0x7ffc00f8, & ~15 = 0x7ffc00f0 */
	want.w[W_SP] = 0x7ffc00f0;
	want.w[0] = 0xa1;
	want.w[1] = 0xa2;
	want.w[2] = 0xa3;
	want.w[W_LR] = 0x401500;
	want.w[W_PC] = 0x7f0000401000ull;
	want.w[W_PSTATE] = 0x80000000;
	assert_int_equal(A->setup_call(&r, &mem, 0x7f0000401000ull, 0x401500, args, 3), 0);
	assert_memory_equal(&r, &want, sizeof(r));
	assert_int_equal(touched, 0);

	/* eight arguments is the most */
	fill(&r);
	r.w[W_SP] = 0x7ffc0200;
	assert_int_equal(A->setup_call(&r, &mem, 0x1000, 0x2000, eight, 8), 0);
	/* 0x7ffc0200 - 256 = 0x7ffc0100, aligned already */
	assert_int_equal(r.w[W_SP], 0x7ffc0100);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(r.w[i], i + 1);
	assert_int_equal(r.w[8], 0x1000 + 8);
	assert_int_equal(r.w[W_LR], 0x2000);

	fill(&r);
	want = r;
	assert_int_equal(A->setup_call(&r, &mem, 0x1000, 0x2000, nine, 9), -EINVAL);
	assert_memory_equal(&r, &want, sizeof(r));
	assert_int_equal(touched, 0);
}

static void test_sigframe(void **state CT_UNUSED)
{
	/* siginfo 128; uc_flags 8, uc_link 8, uc_stack 24, sigmask 8 + 120
	 * unused, so uc_mcontext at 176 (16-aligned); fault_address 8,
	 * x0..x30 248, sp 8, then pc */
	assert_int_equal(A->sigframe_pc_off, 568);
#ifdef __aarch64__
	/* the kernel's rt_sigframe: siginfo, then the ucontext glibc describes */
	assert_int_equal(A->sigframe_pc_off, sizeof(siginfo_t) + offsetof(ucontext_t, uc_mcontext.pc));
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_reg_desc),
		cmocka_unit_test(test_accessors),
		cmocka_unit_test(test_syscall),
		cmocka_unit_test(test_sigframe),
		cmocka_unit_test(test_setup_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
