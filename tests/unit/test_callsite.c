/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arch->return_site: a return breakpoint goes only where a call ends, or
 * at the signal return trampoline.  Each case is the bytes of a short
 * sequence annotated with its assembly (x86_64 from GNU as and objdump;
 * aarch64 from aarch64-linux-gnu-as -march=armv8.3-a), asked about the
 * address right after its last instruction (calls), or about its first
 * (trampolines).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/arch.h"

#define X (&ct_arch_x86_64)
#define A (&ct_arch_aarch64)

/* The window calltrap reads: 15 bytes before the address and 9 from it;
 * the bytes before end with insn, nops around it: "90 .. <insn> | 90 ..". */
static bool x86_ends(const uint8_t *insn, size_t n)
{
	uint8_t code[15 + 9];

	assert_int_equal(X->return_site_before, 15);
	assert_int_equal(X->return_site_after, 9);
	memset(code, 0x90, sizeof(code));
	memcpy(code + 15 - n, insn, n);
	return X->return_site(code, sizeof(code), 15);
}

/* The same with insn at the address, after a call-less history. */
static bool x86_at(const uint8_t *insn, size_t n)
{
	uint8_t code[15 + 9];

	memset(code, 0x90, sizeof(code));
	memcpy(code + 15, insn, n);
	return X->return_site(code, 15 + n, 15);
}

#define X86_CALL(...)                                                     \
	do {                                                              \
		const uint8_t b[] = { __VA_ARGS__ };                      \
		assert_true(x86_ends(b, sizeof(b)));                      \
	} while (0)
#define X86_NOT(...)                                                      \
	do {                                                              \
		const uint8_t b[] = { __VA_ARGS__ };                      \
		assert_false(x86_ends(b, sizeof(b)));                     \
	} while (0)

static void test_x86_calls(void **state)
{
	(void)state;
	X86_CALL(0xe8, 0x00, 0x00, 0x00, 0x00);                   /* call rel32 */
	X86_CALL(0x67, 0xe8, 0x10, 0x00, 0x00, 0x00);             /* addr32 call rel32 */
	X86_CALL(0xff, 0xd0);                                     /* call *%rax */
	X86_CALL(0x41, 0xff, 0xd3);                               /* call *%r11 */
	X86_CALL(0x3e, 0xff, 0xd0);                               /* notrack call *%rax */
	X86_CALL(0xff, 0x10);                                     /* call *(%rax) */
	X86_CALL(0xff, 0x15, 0x10, 0x00, 0x00, 0x00);             /* call *0x10(%rip) */
	X86_CALL(0xff, 0x53, 0x08);                               /* call *0x8(%rbx) */
	X86_CALL(0xff, 0x93, 0x00, 0x04, 0x00, 0x00);             /* call *0x400(%rbx) */
	X86_CALL(0xff, 0x14, 0x24);                               /* call *(%rsp) */
	X86_CALL(0xff, 0x54, 0x24, 0x08);                         /* call *0x8(%rsp) */
	X86_CALL(0xff, 0x94, 0x24, 0x00, 0x01, 0x00, 0x00);       /* call *0x100(%rsp) */
	X86_CALL(0xff, 0x14, 0xc5, 0x00, 0x10, 0x60, 0x00);       /* call *0x601000(,%rax,8) */
	X86_CALL(0x64, 0xff, 0x14, 0x25, 0x28, 0x00, 0x00, 0x00); /* call *%fs:0x28 */
	X86_CALL(0x41, 0xff, 0x94, 0x24, 0x00, 0x01, 0x00, 0x00); /* call *0x100(%r12) */
}

static void test_x86_not_calls(void **state)
{
	(void)state;
	X86_NOT(0xc3);                                     /* ret */
	X86_NOT(0xff, 0xe0);                               /* jmp *%rax */
	X86_NOT(0xff, 0x25, 0x10, 0x00, 0x00, 0x00);       /* jmp *0x10(%rip) */
	X86_NOT(0xe9, 0x00, 0x00, 0x00, 0x00);             /* jmp rel32 */
	X86_NOT(0xb8, 0xe8, 0x00, 0x00, 0x00);             /* mov $0xe8,%eax */
	X86_NOT(0x48, 0x8d, 0x43, 0x08);                   /* lea 0x8(%rbx),%rax */
	X86_NOT(0x48, 0x89, 0xc3);                         /* mov %rax,%rbx */
	X86_NOT(0xff, 0xc0);                               /* inc %eax (ff /0) */
	X86_NOT(0x90);                                     /* nop */
	/* ff /2 whose ModRM needs more bytes than are left: call *0x8(%rbx)
	 * cut after its ModRM (ff 53), the address is mid-instruction */
	X86_NOT(0xff, 0x53);
	/* the same call with one byte more after it: not where it ends */
	X86_NOT(0xff, 0x53, 0x08, 0x90);
	X86_NOT(0xe8, 0x00, 0x00, 0x00, 0x00, 0xc3);       /* call; ret */
}

static void test_x86_short_window(void **state)
{
	/* near the start or the end of the code: fewer bytes than wanted */
	const uint8_t call_rax[] = { 0xff, 0xd0 };
	const uint8_t rel32_cut[] = { 0x00, 0x00, 0x00, 0x00 };

	(void)state;
	assert_true(X->return_site(call_rax, sizeof(call_rax), sizeof(call_rax)));
	assert_false(X->return_site(rel32_cut, sizeof(rel32_cut), sizeof(rel32_cut)));
	assert_false(X->return_site(call_rax, 1, 1));
	assert_false(X->return_site(call_rax, 0, 0));
}

static void test_x86_sigreturn(void **state)
{
	/* glibc's __restore_rt: mov $0xf,%rax; syscall */
	const uint8_t rax[] = { 0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05 };
	/* mov $0xf,%eax; syscall */
	const uint8_t eax[] = { 0xb8, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05 };
	/* mov $0x3c,%eax; syscall (exit) */
	const uint8_t exit60[] = { 0xb8, 0x3c, 0x00, 0x00, 0x00, 0x0f, 0x05 };

	(void)state;
	assert_true(x86_at(rax, sizeof(rax)));
	assert_true(x86_at(eax, sizeof(eax)));
	assert_false(x86_at(exit60, sizeof(exit60)));
	/* cut by the end of the code */
	assert_false(x86_at(rax, sizeof(rax) - 1));
}

/* insn before the address, two nops from it, little-endian */
static bool a64_ends(uint32_t insn)
{
	const uint32_t words[3] = { insn, 0xd503201f, 0xd503201f };
	uint8_t code[12];

	assert_int_equal(A->return_site_before, 4);
	assert_int_equal(A->return_site_after, 8);
	for (unsigned i = 0; i < sizeof(code); i++)
		code[i] = (uint8_t)(words[i / 4] >> (8 * (i % 4)));
	return A->return_site(code, sizeof(code), 4);
}

/* a nop before the address, w0 and w1 from it */
static bool a64_at(uint32_t w0, uint32_t w1)
{
	const uint32_t words[3] = { 0xd503201f, w0, w1 };
	uint8_t code[12];

	for (unsigned i = 0; i < sizeof(code); i++)
		code[i] = (uint8_t)(words[i / 4] >> (8 * (i % 4)));
	return A->return_site(code, sizeof(code), 4);
}

static void test_a64(void **state)
{
	(void)state;
	assert_true(a64_ends(0x94000000));  /* bl . */
	assert_true(a64_ends(0x97ffffff));  /* bl .-4 */
	assert_true(a64_ends(0xd63f0020));  /* blr x1 */
	assert_true(a64_ends(0xd73f0822));  /* blraa x1, x2 */
	assert_true(a64_ends(0xd63f083f));  /* blraaz x1 */
	assert_true(a64_ends(0xd73f0c22));  /* blrab x1, x2 */
	assert_true(a64_ends(0xd63f0c3f));  /* blrabz x1 */
	assert_false(a64_ends(0x14000000)); /* b . */
	assert_false(a64_ends(0xd61f0020)); /* br x1 */
	assert_false(a64_ends(0xd71f0822)); /* braa x1, x2 */
	assert_false(a64_ends(0xd65f03c0)); /* ret */
	assert_false(a64_ends(0xd65f0bff)); /* retaa */
	assert_false(a64_ends(0xd503201f)); /* nop */
	assert_false(a64_ends(0xd63f0800)); /* blraaz with Rm != 11111: unallocated */
	assert_false(A->return_site((const uint8_t *)"\x94\x00\x00", 3, 3));
	/* __kernel_rt_sigreturn: mov x8, #0x8b; svc #0 */
	assert_true(a64_at(0xd2801168, 0xd4000001));
	/* mov x8, #0x5d (exit); svc #0 */
	assert_false(a64_at(0xd2800ba8, 0xd4000001));
	/* mov x8, #0x8b; nop */
	assert_false(a64_at(0xd2801168, 0xd503201f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_calls),
		cmocka_unit_test(test_x86_not_calls),
		cmocka_unit_test(test_x86_short_window),
		cmocka_unit_test(test_x86_sigreturn),
		cmocka_unit_test(test_a64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
