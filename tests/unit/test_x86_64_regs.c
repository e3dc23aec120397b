/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_64 registers: the table's constants, the NT_PRSTATUS word layout
 * (indices written out here from <sys/user.h>'s user_regs_struct, not taken
 * from the backend), the accessors, and the stack work of return_addr and
 * setup_call against a fake stack.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include <cmocka.h>

#include "arch/arch.h"

#define A (&ct_arch_x86_64)

/* struct user_regs_struct, word by word */
enum {
	W_R15, W_R14, W_R13, W_R12, W_RBP, W_RBX, W_R11, W_R10, W_R9, W_R8,
	W_RAX, W_RCX, W_RDX, W_RSI, W_RDI, W_ORIG_RAX, W_RIP, W_CS, W_EFLAGS, W_RSP, W_SS,
	W_FS_BASE, W_GS_BASE, W_DS, W_ES, W_FS, W_GS,
	W_COUNT
};

/* A fake stack: STACK_BASE .. STACK_BASE + 512. */
#define STACK_BASE 0x7ffc0000ull

struct fake_mem {
	uint64_t base;
	uint8_t bytes[512];
	unsigned writes;
};

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake_mem *m = ctx;

	if (addr < m->base || addr - m->base > sizeof(m->bytes) - len)
		return -EFAULT;
	memcpy(buf, m->bytes + (addr - m->base), len);
	return 0;
}

static int fake_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct fake_mem *m = ctx;

	if (addr < m->base || addr - m->base > sizeof(m->bytes) - len)
		return -EFAULT;
	memcpy(m->bytes + (addr - m->base), buf, len);
	m->writes++;
	return 0;
}

/* regs with every word distinct, so a wrong index shows */
static void fill(struct ct_regs *r)
{
	for (unsigned i = 0; i < CT_REGS_WORDS; i++)
		r->w[i] = 0x1000 + i;
}

static void test_table(void **state CT_UNUSED)
{
	assert_string_equal(A->name, "x86_64");
	assert_int_equal(A->elf_machine, EM_X86_64);
	assert_int_equal(A->cs_arch, CS_ARCH_X86);
	assert_int_equal(A->cs_mode, CS_MODE_64);
	assert_int_equal(A->bp_len, 1);
	assert_int_equal(A->bp_insn[0], 0xcc);
	assert_int_equal(A->insn_align, 1);
	assert_int_equal(A->max_insn_len, 15);
	assert_int_equal(A->slot_size, 64);
	assert_int_equal(A->reach, 0x7fff0000);
	assert_int_equal(A->regs_size, 27 * 8);
	assert_int_equal(A->nr_int_args, 6);
	assert_int_equal(A->syscall_len, 2);
	assert_memory_equal(A->syscall_insn, ((const uint8_t[]){ 0x0f, 0x05 }), 2);
	assert_int_equal(A->nr_mmap, 9);
	assert_int_equal(A->nr_mprotect, 10);
	assert_int_equal(A->nr_munmap, 11);
	assert_int_equal(A->nr_memfd_create, 319);
	assert_int_equal(A->nr_close, 3);
}

static void test_lookup(void **state CT_UNUSED)
{
	assert_ptr_equal(ct_arch_by_machine(EM_X86_64), A);
	assert_ptr_equal(ct_arch_by_machine(EM_AARCH64), &ct_arch_aarch64);
	assert_null(ct_arch_by_machine(EM_386));
#ifdef __x86_64__
	assert_ptr_equal(ct_arch_host(), A);
#endif
}

static void test_reg_desc(void **state CT_UNUSED)
{
	static const struct {
		const char *name;
		unsigned word;
	} want[] = {
		{ "rax", W_RAX }, { "rbx", W_RBX }, { "rcx", W_RCX }, { "rdx", W_RDX },
		{ "rsi", W_RSI }, { "rdi", W_RDI }, { "rbp", W_RBP }, { "rsp", W_RSP },
		{ "r8", W_R8 }, { "r9", W_R9 }, { "r10", W_R10 }, { "r11", W_R11 },
		{ "r12", W_R12 }, { "r13", W_R13 }, { "r14", W_R14 }, { "r15", W_R15 },
		{ "rip", W_RIP }, { "eflags", W_EFLAGS }, { "cs", W_CS }, { "ss", W_SS },
		{ "ds", W_DS }, { "es", W_ES }, { "fs", W_FS }, { "gs", W_GS },
		{ "fs_base", W_FS_BASE }, { "gs_base", W_GS_BASE }, { "orig_rax", W_ORIG_RAX },
	};

	assert_int_equal(A->nr_regs, sizeof(want) / sizeof(want[0]));
	assert_int_equal(A->nr_regs, W_COUNT);
	for (unsigned i = 0; i < A->nr_regs; i++) {
		assert_non_null(A->reg_desc[i].name);
		assert_string_equal(A->reg_desc[i].name, want[i].name);
		assert_int_equal(A->reg_desc[i].word, want[i].word);
	}
}

static void test_accessors(void **state CT_UNUSED)
{
	struct ct_regs r;
	static const unsigned args[] = { W_RDI, W_RSI, W_RDX, W_RCX, W_R8, W_R9 };

	fill(&r);
	assert_int_equal(A->pc(&r), 0x1000 + W_RIP);
	assert_int_equal(A->sp(&r), 0x1000 + W_RSP);
	assert_int_equal(A->retval(&r), 0x1000 + W_RAX);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(A->arg(&r, i), 0x1000 + args[i]);
	assert_int_equal(A->arg(&r, 6), 0);

	A->set_pc(&r, 0x401234);
	assert_int_equal(r.w[W_RIP], 0x401234);
	assert_int_equal(r.w[W_RSP], 0x1000 + W_RSP);
	/* after int3 at 0x401233 the kernel reports rip 0x401234 */
	assert_int_equal(A->bp_addr(&r), 0x401233);
	assert_int_equal(A->trap_rewind(&r), 0x401233);
	assert_int_equal(A->sp_after_return(0x7ffc0100), 0x7ffc0108);

	A->cancel_syscall_restart(&r);
	assert_int_equal(r.w[W_ORIG_RAX], UINT64_MAX);
	assert_int_equal(r.w[W_RAX], 0x1000 + W_RAX);
}

static void test_syscall(void **state CT_UNUSED)
{
	static const uint64_t args[6] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
	struct ct_regs r;

	fill(&r);
	A->set_syscall(&r, 9, args);
	assert_int_equal(r.w[W_RAX], 9);
	assert_int_equal(r.w[W_RDI], 0x11);
	assert_int_equal(r.w[W_RSI], 0x22);
	assert_int_equal(r.w[W_RDX], 0x33);
	assert_int_equal(r.w[W_R10], 0x44); /* not rcx: syscall clobbers it */
	assert_int_equal(r.w[W_R8], 0x55);
	assert_int_equal(r.w[W_R9], 0x66);
	assert_int_equal(r.w[W_ORIG_RAX], UINT64_MAX);
	assert_int_equal(r.w[W_RCX], 0x1000 + W_RCX);
	assert_int_equal(r.w[W_RIP], 0x1000 + W_RIP);

	r.w[W_RAX] = (uint64_t)-12; /* -ENOMEM */
	assert_int_equal(A->syscall_ret(&r), -12);
	r.w[W_RAX] = 0x7f0000000000ull;
	assert_int_equal(A->syscall_ret(&r), 0x7f0000000000);
}

static void test_return_addr(void **state CT_UNUSED)
{
	struct fake_mem fm = { .base = STACK_BASE };
	struct ct_mem mem = { fake_read, fake_write, &fm };
	struct ct_regs r;
	uint64_t ra = 0;
	/* 0x00007f0012345678 little-endian at 0x7ffc0100 */
	static const uint8_t word[8] = { 0x78, 0x56, 0x34, 0x12, 0x00, 0x7f, 0x00, 0x00 };

	fill(&r);
	memcpy(fm.bytes + 0x100, word, 8);
	r.w[W_RSP] = STACK_BASE + 0x100;
	assert_int_equal(A->return_addr(&r, &mem, &ra), 0);
	assert_int_equal(ra, 0x7f0012345678ull);

	r.w[W_RSP] = 0x1000;
	assert_int_equal(A->return_addr(&r, &mem, &ra), -EFAULT);
}

static void test_setup_call(void **state CT_UNUSED)
{
	struct fake_mem fm = { .base = STACK_BASE };
	struct ct_mem mem = { fake_read, fake_write, &fm };
	static const uint64_t args[3] = { 0xa1, 0xa2, 0xa3 };
	/* 0x401500 little-endian */
	static const uint8_t want_ra[8] = { 0x00, 0x15, 0x40, 0, 0, 0, 0, 0 };
	struct ct_regs r;

	fill(&r);
	/* rsp 0x7ffc01fb: - 256 = 0x7ffc00fb, & ~15 = 0x7ffc00f0, push -> 0x7ffc00e8 */
	r.w[W_RSP] = STACK_BASE + 0x1fb;
	r.w[W_ORIG_RAX] = 1;
	assert_int_equal(A->setup_call(&r, &mem, 0x7f0000401000ull, 0x401500, args, 3), 0);
	assert_int_equal(r.w[W_RSP], STACK_BASE + 0xe8);
	assert_int_equal(r.w[W_RSP] % 16, 8);
	assert_memory_equal(fm.bytes + 0xe8, want_ra, 8);
	assert_int_equal(fm.writes, 1);
	assert_int_equal(r.w[W_RIP], 0x7f0000401000ull);
	assert_int_equal(r.w[W_RDI], 0xa1);
	assert_int_equal(r.w[W_RSI], 0xa2);
	assert_int_equal(r.w[W_RDX], 0xa3);
	assert_int_equal(r.w[W_RCX], 0x1000 + W_RCX); /* 4th arg not given */
	assert_int_equal(r.w[W_RAX], 0);
	assert_int_equal(r.w[W_ORIG_RAX], UINT64_MAX);
	assert_int_equal(r.w[W_RBX], 0x1000 + W_RBX);

	/* six arguments is the most */
	{
		static const uint64_t six[6] = { 1, 2, 3, 4, 5, 6 };
		static const uint64_t seven[7] = { 1, 2, 3, 4, 5, 6, 7 };

		fill(&r);
		r.w[W_RSP] = STACK_BASE + 0x200;
		assert_int_equal(A->setup_call(&r, &mem, 0x1000, 0x2000, six, 6), 0);
		/* 0x7ffc0200 - 256 = 0x7ffc0100, aligned already, push -> 0x7ffc00f8 */
		assert_int_equal(r.w[W_RSP], STACK_BASE + 0xf8);
		assert_int_equal(r.w[W_RCX], 4);
		assert_int_equal(r.w[W_R8], 5);
		assert_int_equal(r.w[W_R9], 6);
		fill(&r);
		assert_int_equal(A->setup_call(&r, &mem, 0x1000, 0x2000, seven, 7), -EINVAL);
		assert_int_equal(r.w[W_RIP], 0x1000 + W_RIP);
	}

	/* unwritable stack: -EFAULT and the registers left alone */
	fill(&r);
	r.w[W_RSP] = 0x10000;
	assert_int_equal(A->setup_call(&r, &mem, 0x1000, 0x2000, args, 3), -EFAULT);
	assert_int_equal(r.w[W_RSP], 0x10000);
	assert_int_equal(r.w[W_RIP], 0x1000 + W_RIP);
	assert_int_equal(r.w[W_RDI], 0x1000 + W_RDI);
}

static void test_sigframe(void **state CT_UNUSED)
{
	/* pretcode 8; uc_flags 8, uc_link 8, uc_stack 24; r8..r15, rdi, rsi,
	 * rbp, rbx, rdx, rax, rcx, rsp (16 words), then rip */
	assert_int_equal(A->sigframe_pc_off, 176);
#ifdef __x86_64__
	/* the kernel's rt_sigframe: pretcode, then the ucontext glibc describes */
	assert_int_equal(A->sigframe_pc_off,
			 8 + offsetof(ucontext_t, uc_mcontext.gregs) + REG_RIP * sizeof(greg_t));
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
		cmocka_unit_test(test_return_addr),
		cmocka_unit_test(test_setup_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
