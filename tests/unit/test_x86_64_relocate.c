/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_64 relocation, frida style: real instruction bytes at a known original
 * pc, relocated into a slot at a known address, and the slot's bytes checked
 * exactly against arrays worked out by hand.  Displacements are spelled out
 * in the comments; "rel32(a -> b)" means b - (a + 5), "end" is the address
 * of the byte after an instruction.  The addresses used throughout:
 *
 *   PC   = 0x401000          the original instruction
 *   NEAR = 0x500000          a slot above PC, in reach: PC - NEAR = -0xff000
 *   LOW  = 0x300000          a slot below PC, in reach: PC - LOW  = +0x101000
 *   FAR  = 0x7f0000001000    a slot out of rel32 reach
 *
 * A copied instruction of length n jumps back from NEAR + n to PC + n with
 * rel32 = (PC + n) - (NEAR + n + 5) = -0xff005 = 0xfff00ffb: fb 0f f0 ff,
 * and from LOW + n with rel32 = 0x101000 - 5 = 0x100ffb: fb 0f 10 00.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/arch.h"
#include "disasm/disasm.h"

#define PC 0x401000ull
#define NEAR 0x500000ull
#define LOW 0x300000ull
#define FAR 0x7f0000001000ull

#define A (&ct_arch_x86_64)

/* code, sizeof code, for a compound literal of bytes */
#define B(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

/* Decode the instruction at pc with the library's own driver. */
static int prepare(const uint8_t *code, size_t n, uint64_t pc, struct ct_insn_plan *plan)
{
	struct ct_disasm *d = ct_disasm_new(A);
	int ret;

	assert_non_null(d);
	ret = ct_disasm_prepare(d, code, n, pc, plan);
	ct_disasm_free(d);
	return ret;
}

/* Relocate to `slot`, returning relocate()'s result and the bytes. */
static int relocate_to(const struct ct_insn_plan *plan, uint64_t slot, uint8_t *out, size_t *len)
{
	struct ct_codebuf cb;
	int ret;

	ct_codebuf_init(&cb, out, 128, slot);
	ret = A->relocate(plan, &cb);
	*len = cb.len;
	if (ret == 0)
		assert_true(cb.len <= A->slot_size);
	return ret;
}

static void check_slot(const uint8_t *code, size_t n, uint64_t slot, enum ct_insn_action action,
		       const uint8_t *want, size_t want_len)
{
	struct ct_insn_plan plan;
	uint8_t out[128];
	size_t len;

	assert_int_equal(prepare(code, n, PC, &plan), 0);
	assert_int_equal(plan.action, action);
	assert_int_equal(plan.pc, PC);
	assert_int_equal(plan.len, n);
	assert_memory_equal(plan.bytes, code, n);
	assert_int_equal(relocate_to(&plan, slot, out, &len), 0);
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, want_len);
}

#define CHECK_RELOC(code, slot, ...) \
	check_slot(code, slot, CT_INSN_RELOCATE, B(__VA_ARGS__))

/* --- copied unchanged ------------------------------------------------- */

static void test_copy_in_reach(void **state CT_UNUSED)
{
	/* push rbp */
	CHECK_RELOC(B(0x55), NEAR,
		    0x55,			/* push rbp */
		    0xe9, 0xfb, 0x0f, 0xf0, 0xff);	/* jmp PC+1: rel32(NEAR+1 -> PC+1) */
	/* sub rsp, 0x10 */
	CHECK_RELOC(B(0x48, 0x83, 0xec, 0x10), LOW,
		    0x48, 0x83, 0xec, 0x10,	/* sub rsp, 0x10 */
		    0xe9, 0xfb, 0x0f, 0x10, 0x00);	/* jmp PC+4: 0x401004 - 0x300009 */
	/* syscall */
	CHECK_RELOC(B(0x0f, 0x05), NEAR,
		    0x0f, 0x05,			/* syscall */
		    0xe9, 0xfb, 0x0f, 0xf0, 0xff);	/* jmp PC+2: 0x401002 - 0x500007 */
}

static void test_copy_out_of_reach(void **state CT_UNUSED)
{
	/* mov rbp, rsp */
	CHECK_RELOC(B(0x48, 0x89, 0xe5), FAR,
		    0x48, 0x89, 0xe5,		/* mov rbp, rsp */
		    0xff, 0x25, 0x00, 0x00, 0x00, 0x00,	/* jmp [rip+0] */
		    0x03, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00);	/* .quad 0x401003 */
}

static void test_ret_copied(void **state CT_UNUSED)
{
	/* ret: nothing falls through, so no jump back */
	CHECK_RELOC(B(0xc3), NEAR, 0xc3);
	/* ret 8 */
	CHECK_RELOC(B(0xc2, 0x08, 0x00), FAR, 0xc2, 0x08, 0x00);
}

/* --- rip-relative operands -------------------------------------------- */

static void test_riprel_lea(void **state CT_UNUSED)
{
	/* lea rax, [rip - 0x10]: refers to 0x401007 - 0x10 = 0x400ff7 */
	CHECK_RELOC(B(0x48, 0x8d, 0x05, 0xf0, 0xff, 0xff, 0xff), NEAR,
		    /* lea rax, [rip + d]: end 0x500007, d = 0x400ff7 - 0x500007 = -0xff010 */
		    0x48, 0x8d, 0x05, 0xf0, 0x0f, 0xf0, 0xff,
		    0xe9, 0xfb, 0x0f, 0xf0, 0xff);	/* jmp 0x401007 */
}

static void test_riprel_mov_load(void **state CT_UNUSED)
{
	/* mov rax, qword ptr [rip + 0x100]: refers to 0x401007 + 0x100 = 0x401107 */
	CHECK_RELOC(B(0x48, 0x8b, 0x05, 0x00, 0x01, 0x00, 0x00), LOW,
		    /* end 0x300007, d = 0x401107 - 0x300007 = 0x101100 */
		    0x48, 0x8b, 0x05, 0x00, 0x11, 0x10, 0x00,
		    0xe9, 0xfb, 0x0f, 0x10, 0x00);	/* jmp 0x401007: 0x401007 - 0x30000c */
}

static void test_riprel_cmp_imm8(void **state CT_UNUSED)
{
	/* cmp byte ptr [rip + 0x10], 0: the imm8 follows the disp32, and the
	 * disp is relative to the end (0x401007): refers to 0x401017 */
	CHECK_RELOC(B(0x80, 0x3d, 0x10, 0x00, 0x00, 0x00, 0x00), NEAR,
		    /* end 0x500007, d = 0x401017 - 0x500007 = -0xfeff0 = 0xfff01010 */
		    0x80, 0x3d, 0x10, 0x10, 0xf0, 0xff, 0x00,
		    0xe9, 0xfb, 0x0f, 0xf0, 0xff);	/* jmp 0x401007 */
}

static void test_riprel_mov_imm32(void **state CT_UNUSED)
{
	/* mov dword ptr [rip - 8], 0x12345678 (10 bytes): refers to
	 * 0x40100a - 8 = 0x401002 */
	CHECK_RELOC(B(0xc7, 0x05, 0xf8, 0xff, 0xff, 0xff, 0x78, 0x56, 0x34, 0x12), LOW,
		    /* end 0x30000a, d = 0x401002 - 0x30000a = 0x100ff8 */
		    0xc7, 0x05, 0xf8, 0x0f, 0x10, 0x00, 0x78, 0x56, 0x34, 0x12,
		    0xe9, 0xfb, 0x0f, 0x10, 0x00);	/* jmp 0x40100a: 0x40100a - 0x30000f */
}

static void test_riprel_out_of_reach(void **state CT_UNUSED)
{
	struct ct_insn_plan plan;
	uint8_t out[128];
	size_t len;

	/* lea rax, [rip - 0x10] cannot name 0x400ff7 from 0x7f0000001007 */
	assert_int_equal(prepare(B(0x48, 0x8d, 0x05, 0xf0, 0xff, 0xff, 0xff), PC, &plan), 0);
	assert_int_equal(plan.action, CT_INSN_RELOCATE);
	assert_int_equal(relocate_to(&plan, FAR, out, &len), -ERANGE);

	/* the last slot that still reaches: end = 0x400ff7 + 2^31, so
	 * slot = 0x400ff7 + 0x80000000 - 7 = 0x80400ff0, d = -2^31 */
	assert_int_equal(relocate_to(&plan, 0x80400ff0ull, out, &len), 0);
	assert_memory_equal(out, ((const uint8_t[]){ 0x48, 0x8d, 0x05, 0x00, 0x00, 0x00, 0x80 }),
			    7);
	/* one byte further, d = -2^31 - 1 */
	assert_int_equal(relocate_to(&plan, 0x80400ff1ull, out, &len), -ERANGE);
}

/* --- conditional branches --------------------------------------------- */

static void test_jcc_rel8(void **state CT_UNUSED)
{
	/* jne 0x401012 (75 10) */
	CHECK_RELOC(B(0x75, 0x10), NEAR,
		    0x75, 0x05,			/* jne +5, over the jump back */
		    0xe9, 0xfb, 0x0f, 0xf0, 0xff,	/* jmp 0x401002: 0x401002 - 0x500007 */
		    0xff, 0x25, 0x00, 0x00, 0x00, 0x00,	/* jmp [rip+0] */
		    0x12, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00);	/* .quad 0x401012 */
	/* jle 0x400ff2 (7e f0: 0x401002 - 0x10) */
	CHECK_RELOC(B(0x7e, 0xf0), LOW,
		    0x7e, 0x05,			/* jle +5 */
		    0xe9, 0xfb, 0x0f, 0x10, 0x00,	/* jmp 0x401002: 0x401002 - 0x300007 */
		    0xff, 0x25, 0x00, 0x00, 0x00, 0x00,
		    0xf2, 0x0f, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00);	/* .quad 0x400ff2 */
}

static void test_jcc_rel32(void **state CT_UNUSED)
{
	/* je 0x401106 (0f 84 00 01 00 00: 0x401006 + 0x100) */
	CHECK_RELOC(B(0x0f, 0x84, 0x00, 0x01, 0x00, 0x00), LOW,
		    0x74, 0x05,			/* je +5 (short form, same condition) */
		    0xe9, 0xff, 0x0f, 0x10, 0x00,	/* jmp 0x401006: 0x100fff */
		    0xff, 0x25, 0x00, 0x00, 0x00, 0x00,
		    0x06, 0x11, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00);	/* .quad 0x401106 */
	/* same, out of reach: the jump back is 14 bytes, so the je skips 0x0e */
	CHECK_RELOC(B(0x0f, 0x84, 0x00, 0x01, 0x00, 0x00), FAR,
		    0x74, 0x0e,			/* je +14 */
		    0xff, 0x25, 0x00, 0x00, 0x00, 0x00,
		    0x06, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,	/* .quad 0x401006 */
		    0xff, 0x25, 0x00, 0x00, 0x00, 0x00,
		    0x06, 0x11, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00);	/* .quad 0x401106 */
	/* jg with a negative rel32 (0f 8f fa ef ff ff: 0x401006 - 0x1006 = 0x400000) */
	CHECK_RELOC(B(0x0f, 0x8f, 0xfa, 0xef, 0xff, 0xff), NEAR,
		    0x7f, 0x05,			/* jg +5 */
		    0xe9, 0xff, 0x0f, 0xf0, 0xff,	/* jmp 0x401006: -0xff001 */
		    0xff, 0x25, 0x00, 0x00, 0x00, 0x00,
		    0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00);	/* .quad 0x400000 */
}

static void test_jrcxz(void **state CT_UNUSED)
{
	/* jrcxz 0x401012 (e3 10) */
	CHECK_RELOC(B(0xe3, 0x10), NEAR,
		    0xe3, 0x05,			/* jrcxz +5 */
		    0xe9, 0xfb, 0x0f, 0xf0, 0xff,	/* jmp 0x401002 */
		    0xff, 0x25, 0x00, 0x00, 0x00, 0x00,
		    0x12, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00);	/* .quad 0x401012 */
	/* jecxz 0x401013 (67 e3 10): the 0x67 stays, or it would test rcx */
	CHECK_RELOC(B(0x67, 0xe3, 0x10), NEAR,
		    0x67, 0xe3, 0x05,		/* jecxz +5 */
		    0xe9, 0xfb, 0x0f, 0xf0, 0xff,	/* jmp 0x401003: 0x401003 - 0x500008 */
		    0xff, 0x25, 0x00, 0x00, 0x00, 0x00,
		    0x13, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00);	/* .quad 0x401013 */
}

static void test_loop(void **state CT_UNUSED)
{
	/* loop 0x401000 (e2 fe: to itself), slot out of reach */
	CHECK_RELOC(B(0xe2, 0xfe), FAR,
		    0xe2, 0x0e,			/* loop +14 */
		    0xff, 0x25, 0x00, 0x00, 0x00, 0x00,
		    0x02, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,	/* .quad 0x401002 */
		    0xff, 0x25, 0x00, 0x00, 0x00, 0x00,
		    0x00, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00);	/* .quad 0x401000 */
	/* loope 0x401022 (e1 20), loopne 0x400fe2 (e0 e0) */
	CHECK_RELOC(B(0xe1, 0x20), LOW,
		    0xe1, 0x05,
		    0xe9, 0xfb, 0x0f, 0x10, 0x00,	/* jmp 0x401002: 0x401002 - 0x300007 */
		    0xff, 0x25, 0x00, 0x00, 0x00, 0x00,
		    0x22, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00);
	CHECK_RELOC(B(0xe0, 0xe0), NEAR,
		    0xe0, 0x05,
		    0xe9, 0xfb, 0x0f, 0xf0, 0xff,
		    0xff, 0x25, 0x00, 0x00, 0x00, 0x00,
		    0xe2, 0x0f, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00);
}

/* --- calls ------------------------------------------------------------ */

/* lea rsp, [rsp - 8]; mov dword ptr [rsp], lo; mov dword ptr [rsp + 4], hi */
#define PUSH_RA(b0, b1, b2, b3, b4, b5, b6, b7)       \
	0x48, 0x8d, 0x64, 0x24, 0xf8,                 \
	0xc7, 0x04, 0x24, b0, b1, b2, b3,             \
	0xc7, 0x44, 0x24, 0x04, b4, b5, b6, b7

static void test_call_rel32(void **state CT_UNUSED)
{
	/* call 0x401105 (e8 00 01 00 00), forward */
	CHECK_RELOC(B(0xe8, 0x00, 0x01, 0x00, 0x00), NEAR,
		    PUSH_RA(0x05, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00),	/* 0x401005 */
		    /* at NEAR+20: 0x401105 - 0x500019 = -0xfef14 = 0xfff010ec */
		    0xe9, 0xec, 0x10, 0xf0, 0xff);
	/* call 0x400000 (e8 fb ef ff ff: 0x401005 - 0x1005), backward */
	CHECK_RELOC(B(0xe8, 0xfb, 0xef, 0xff, 0xff), LOW,
		    PUSH_RA(0x05, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00),
		    /* 0x400000 - 0x300019 = 0xfffe7 */
		    0xe9, 0xe7, 0xff, 0x0f, 0x00);
	/* slot out of reach: absolute jump to the target */
	CHECK_RELOC(B(0xe8, 0x00, 0x01, 0x00, 0x00), FAR,
		    PUSH_RA(0x05, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00),
		    0xff, 0x25, 0x00, 0x00, 0x00, 0x00,
		    0x05, 0x11, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00);	/* .quad 0x401105 */
}

static void test_call_rel32_high(void **state CT_UNUSED)
{
	/* A return address above 4 GiB needs both halves. */
	const uint64_t pc = 0x7f0012345000ull, slot = 0x7f0012000000ull;
	const uint8_t want[] = {
		/* 0x7f0012345005: lo 0x12345005, hi 0x00007f00 */
		PUSH_RA(0x05, 0x50, 0x34, 0x12, 0x00, 0x7f, 0x00, 0x00),
		/* call 0x7f0012345105: 0x7f0012345105 - 0x7f0012000019 = 0x3450ec */
		0xe9, 0xec, 0x50, 0x34, 0x00,
	};
	struct ct_insn_plan plan;
	uint8_t out[128];
	size_t len;

	assert_int_equal(prepare(B(0xe8, 0x00, 0x01, 0x00, 0x00), pc, &plan), 0);
	assert_int_equal(plan.action, CT_INSN_RELOCATE);
	assert_int_equal(relocate_to(&plan, slot, out, &len), 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void test_call_riprel(void **state CT_UNUSED)
{
	/* call qword ptr [rip + 0x10]: the pointer is at 0x401006 + 0x10 */
	CHECK_RELOC(B(0xff, 0x15, 0x10, 0x00, 0x00, 0x00), NEAR,
		    PUSH_RA(0x06, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00),	/* 0x401006 */
		    /* jmp qword ptr [rip + d] (ModRM 15 -> 25) at NEAR+20, end
		     * 0x50001a: d = 0x401016 - 0x50001a = -0xff004 */
		    0xff, 0x25, 0xfc, 0x0f, 0xf0, 0xff);
}

static void test_call_reg(void **state CT_UNUSED)
{
	/* call rax (ff d0) -> jmp rax (ff e0) */
	CHECK_RELOC(B(0xff, 0xd0), NEAR,
		    PUSH_RA(0x02, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00),	/* 0x401002 */
		    0xff, 0xe0);
	/* call r11 (41 ff d3) -> jmp r11 (41 ff e3) */
	CHECK_RELOC(B(0x41, 0xff, 0xd3), FAR,
		    PUSH_RA(0x03, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00),	/* 0x401003 */
		    0x41, 0xff, 0xe3);
}

static void test_call_mem(void **state CT_UNUSED)
{
	/* call qword ptr [rax + 8] (ff 50 08) -> jmp qword ptr [rax + 8] (ff 60 08) */
	CHECK_RELOC(B(0xff, 0x50, 0x08), NEAR,
		    PUSH_RA(0x03, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00),
		    0xff, 0x60, 0x08);
	/* call qword ptr [r12] (41 ff 14 24): the SIB byte says "rsp" but
	 * REX.B makes it r12, which the push does not move */
	CHECK_RELOC(B(0x41, 0xff, 0x14, 0x24), NEAR,
		    PUSH_RA(0x04, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00),
		    0x41, 0xff, 0x24, 0x24);
}

/* A fake stack for step_fixup: STACK_BASE .. STACK_BASE + 64. */
#define STACK_BASE 0x7ffe0000ull

struct fake_mem {
	uint64_t base;
	uint8_t bytes[64];
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
	return 0;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* user_regs_struct word indices, from <sys/user.h> (independent of the backend) */
enum { W_RAX = 10, W_RIP = 16, W_RSP = 19 };

static void test_call_rsp_step(void **state CT_UNUSED)
{
	static const uint8_t code[] = { 0xff, 0x54, 0x24, 0x08 }; /* call qword ptr [rsp + 8] */
	struct fake_mem fm = { .base = STACK_BASE };
	struct ct_mem mem = { fake_read, fake_write, &fm };
	struct ct_insn_plan plan;
	struct ct_regs r = { { 0 } };
	uint8_t out[128];
	size_t len;
	const uint8_t want_stack[8] = { 0x04, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00 };

	assert_int_equal(prepare(code, sizeof(code), PC, &plan), 0);
	assert_int_equal(plan.action, CT_INSN_STEP);
	assert_string_equal(plan.why, "call through rsp-relative memory");
	/* the copy alone, stepped in the slot */
	assert_int_equal(relocate_to(&plan, NEAR, out, &len), 0);
	assert_int_equal(len, sizeof(code));
	assert_memory_equal(out, code, sizeof(code));

	/* The state after stepping `call [rsp+8]` at NEAR with rsp 0x7ffe0020:
	 * it pushed NEAR + 4 at 0x7ffe0018 and went to 0x402000. */
	put_le64(fm.bytes + 0x18, NEAR + 4);
	put_le64(fm.bytes + 0x20, 0x1111111111111111ull);
	r.w[W_RSP] = STACK_BASE + 0x18;
	r.w[W_RIP] = 0x402000;
	assert_int_equal(A->step_fixup(&plan, NEAR, &r, &mem), 0);
	/* the return address is now the original one, PC + 4 */
	assert_memory_equal(fm.bytes + 0x18, want_stack, 8);
	assert_int_equal(r.w[W_RIP], 0x402000);
	assert_int_equal(r.w[W_RSP], STACK_BASE + 0x18);
	/* the word above is untouched */
	assert_int_equal(fm.bytes[0x20], 0x11);

	/* not executed yet (rip == slot): nothing changes */
	put_le64(fm.bytes + 0x18, 0x2222222222222222ull);
	r.w[W_RIP] = NEAR;
	assert_int_equal(A->step_fixup(&plan, NEAR, &r, &mem), 0);
	assert_int_equal(fm.bytes[0x18], 0x22);
	assert_int_equal(r.w[W_RIP], NEAR);

	/* unreadable stack: the error comes back */
	r.w[W_RIP] = 0x402000;
	r.w[W_RSP] = 0x1000;
	assert_int_equal(A->step_fixup(&plan, NEAR, &r, &mem), -EFAULT);

	/* rsp as an index-free SIB base: call qword ptr [rsp] */
	assert_int_equal(prepare(B(0xff, 0x14, 0x24), PC, &plan), 0);
	assert_int_equal(plan.action, CT_INSN_STEP);
}

static void test_step_fixup_fallthrough(void **state CT_UNUSED)
{
	/* Any stepped instruction that falls through to slot + len continues
	 * after the original. */
	struct ct_insn_plan plan;
	struct ct_regs r = { { 0 } };
	struct fake_mem fm = { .base = STACK_BASE };
	struct ct_mem mem = { fake_read, fake_write, &fm };

	assert_int_equal(prepare(B(0x48, 0x89, 0xe5), PC, &plan), 0); /* mov rbp, rsp */
	plan.action = CT_INSN_STEP;
	r.w[W_RIP] = NEAR + 3;
	r.w[W_RSP] = STACK_BASE;
	assert_int_equal(A->step_fixup(&plan, NEAR, &r, &mem), 0);
	assert_int_equal(r.w[W_RIP], PC + 3);
}

static void test_jmp_indirect(void **state CT_UNUSED)
{
	/* jmp qword ptr [rip + 0x10]: the pointer is at 0x401006 + 0x10 = 0x401016;
	 * at LOW, end 0x300006: d = 0x401016 - 0x300006 = 0x101010; no jump back */
	CHECK_RELOC(B(0xff, 0x25, 0x10, 0x00, 0x00, 0x00), LOW,
		    0xff, 0x25, 0x10, 0x10, 0x10, 0x00);
	/* jmp rax */
	CHECK_RELOC(B(0xff, 0xe0), FAR, 0xff, 0xe0);
	/* notrack jmp qword ptr [rsp + 8]: rsp is not moved, so plain copy */
	CHECK_RELOC(B(0x3e, 0xff, 0x64, 0x24, 0x08), NEAR, 0x3e, 0xff, 0x64, 0x24, 0x08);
}

/* --- emulated --------------------------------------------------------- */

static void check_emulate(const uint8_t *code, size_t n, uint64_t want_pc)
{
	struct ct_insn_plan plan;
	struct ct_regs r = { { 0 } };

	assert_int_equal(prepare(code, n, PC, &plan), 0);
	assert_int_equal(plan.action, CT_INSN_EMULATE);
	r.w[W_RIP] = PC + 1; /* as reported at the int3 */
	r.w[W_RAX] = 0x5a5a;
	r.w[W_RSP] = STACK_BASE;
	assert_int_equal(A->emulate(&plan, &r, NULL), 0);
	assert_int_equal(r.w[W_RIP], want_pc);
	assert_int_equal(r.w[W_RAX], 0x5a5a);
	assert_int_equal(r.w[W_RSP], STACK_BASE);
}

static void test_emulate_jmp(void **state CT_UNUSED)
{
	check_emulate(B(0xeb, 0x10), 0x401012);		/* jmp: 0x401002 + 0x10 */
	check_emulate(B(0xeb, 0xfe), 0x401000);		/* jmp $ */
	check_emulate(B(0xe9, 0xfb, 0xef, 0xff, 0xff), 0x400000); /* 0x401005 - 0x1005 */
	check_emulate(B(0xe9, 0x00, 0x00, 0x00, 0x01), 0x1401005); /* 0x401005 + 0x1000000 */
	check_emulate(B(0xf2, 0xe9, 0x10, 0x00, 0x00, 0x00), 0x401016); /* bnd jmp */
}

static void test_emulate_nops(void **state CT_UNUSED)
{
	check_emulate(B(0xf3, 0x0f, 0x1e, 0xfa), PC + 4);	/* endbr64 */
	check_emulate(B(0x90), PC + 1);				/* nop */
	check_emulate(B(0x66, 0x90), PC + 2);			/* xchg ax, ax */
	check_emulate(B(0x0f, 0x1f, 0x44, 0x00, 0x00), PC + 5);	/* nop [rax + rax] */
	/* nop word ptr cs:[rax + rax] */
	check_emulate(B(0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00), PC + 10);
	check_emulate(B(0x0f, 0x1f, 0x05, 0x10, 0x00, 0x00, 0x00), PC + 7); /* nop [rip+0x10] */
}

static void test_emulate_rejects_relocatable(void **state CT_UNUSED)
{
	struct ct_insn_plan plan;
	struct ct_regs r = { { 0 } };

	assert_int_equal(prepare(B(0x55), PC, &plan), 0);
	assert_int_not_equal(A->emulate(&plan, &r, NULL), 0);
}

/* --- rejected --------------------------------------------------------- */

static void check_reject(const uint8_t *code, size_t n, int want_ret)
{
	struct ct_insn_plan plan;

	assert_int_equal(prepare(code, n, PC, &plan), want_ret);
	assert_int_equal(plan.action, CT_INSN_REJECT);
	assert_non_null(plan.why);
}

static void test_reject(void **state CT_UNUSED)
{
	check_reject(B(0xcc), -ENOTSUP);				/* int3 */
	check_reject(B(0xcd, 0x03), -ENOTSUP);				/* int 3 */
	check_reject(B(0xc7, 0xf8, 0x10, 0x00, 0x00, 0x00), -ENOTSUP);	/* xbegin */
	check_reject(B(0x66, 0xe9, 0x10, 0x00), -ENOTSUP);		/* jmp rel16 */
	check_reject(B(0xff, 0x28), -ENOTSUP);				/* ljmp [rax] */
	check_reject(B(0x67, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), -ENOTSUP); /* [eip + x] */
	check_reject(B(0x06), -EINVAL);				/* push es: invalid */
	check_reject(B(0x48, 0x8b), -EINVAL);				/* truncated */
}

/* --- second opinion: decode the slot back with capstone ---------------- */

static void test_slot_disassembles(void **state CT_UNUSED)
{
	static const struct {
		const char *mnemonic;
		uint64_t target; /* branch target or rip-relative address; 0: none */
	} want[] = {
		/* call qword ptr [rip + 0x10] at PC, relocated to NEAR */
		{ "lea", 0 }, { "mov", 0 }, { "mov", 0 }, { "jmp", 0x401016 },
		/* jne 0x401012 at PC, relocated to NEAR + 0x40 */
		{ "jne", NEAR + 0x40 + 7 }, { "jmp", 0x401002 }, { "jmp", NEAR + 0x40 + 7 + 6 },
	};
	struct ct_insn_plan plan;
	struct ct_codebuf cb;
	uint8_t out[128];
	cs_insn *insn;
	csh h;
	size_t n;

	ct_codebuf_init(&cb, out, sizeof(out), NEAR);
	assert_int_equal(prepare(B(0xff, 0x15, 0x10, 0x00, 0x00, 0x00), PC, &plan), 0);
	assert_int_equal(A->relocate(&plan, &cb), 0);
	while (cb.len < 0x40)
		ct_codebuf_put_u8(&cb, 0x90);
	assert_int_equal(prepare(B(0x75, 0x10), PC, &plan), 0);
	assert_int_equal(A->relocate(&plan, &cb), 0);
	assert_int_equal(cb.len, 0x40 + 21);

	assert_int_equal(cs_open(CS_ARCH_X86, CS_MODE_64, &h), CS_ERR_OK);
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	/* the first four, up to the nop padding */
	n = cs_disasm(h, out, 26, NEAR, 0, &insn);
	assert_int_equal(n, 4);
	assert_string_equal(insn[0].op_str, "rsp, [rsp - 8]");
	assert_string_equal(insn[1].op_str, "dword ptr [rsp], 0x401006");
	assert_string_equal(insn[2].op_str, "dword ptr [rsp + 4], 0");
	for (size_t i = 0; i < 4; i++) {
		const cs_x86 *x = &insn[i].detail->x86;

		assert_string_equal(insn[i].mnemonic, want[i].mnemonic);
		if (want[i].target) {
			/* jmp [rip + d]: rip-relative to its own end */
			assert_int_equal(x->operands[0].mem.base, X86_REG_RIP);
			assert_int_equal(insn[i].address + insn[i].size + x->operands[0].mem.disp,
					 want[i].target);
		}
	}
	cs_free(insn, n);

	/* the jcc slot: jne, jmp rel32, jmp [rip+0] and its .quad */
	n = cs_disasm(h, out + 0x40, 13, NEAR + 0x40, 0, &insn);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(insn[i].mnemonic, want[4 + i].mnemonic);
		assert_int_equal(insn[i].detail->x86.operands[0].imm, want[4 + i].target);
	}
	assert_string_equal(insn[2].mnemonic, "jmp");
	assert_int_equal(insn[2].detail->x86.operands[0].mem.base, X86_REG_RIP);
	assert_int_equal(insn[2].address + insn[2].size, want[6].target);
	cs_free(insn, n);
	cs_close(&h);
}

/* --- emit_jump and the code buffer ------------------------------------- */

static void test_emit_jump(void **state CT_UNUSED)
{
	struct ct_codebuf cb;
	uint8_t out[32];

	/* NEAR -> PC: 0x401000 - 0x500005 = -0xff005 */
	ct_codebuf_init(&cb, out, sizeof(out), NEAR);
	assert_int_equal(A->emit_jump(&cb, PC), 0);
	assert_int_equal(cb.len, 5);
	assert_memory_equal(out, ((const uint8_t[]){ 0xe9, 0xfb, 0x0f, 0xf0, 0xff }), 5);

	/* the rel32 limits, from NEAR: end NEAR + 5 */
	ct_codebuf_init(&cb, out, sizeof(out), NEAR);
	assert_int_equal(A->emit_jump(&cb, NEAR + 5 + 0x7fffffffull), 0);
	assert_memory_equal(out, ((const uint8_t[]){ 0xe9, 0xff, 0xff, 0xff, 0x7f }), 5);
	ct_codebuf_init(&cb, out, sizeof(out), 0x90000000ull);
	assert_int_equal(A->emit_jump(&cb, 0x90000005ull - 0x80000000ull), 0);
	assert_memory_equal(out, ((const uint8_t[]){ 0xe9, 0x00, 0x00, 0x00, 0x80 }), 5);
	/* one past: absolute */
	ct_codebuf_init(&cb, out, sizeof(out), NEAR);
	assert_int_equal(A->emit_jump(&cb, NEAR + 5 + 0x80000000ull), 0);
	assert_int_equal(cb.len, 14);
	assert_memory_equal(out, ((const uint8_t[]){ 0xff, 0x25, 0, 0, 0, 0,
						     0x05, 0x00, 0x50, 0x80, 0, 0, 0, 0 }), 14);
	/* no room */
	ct_codebuf_init(&cb, out, 4, NEAR);
	assert_int_equal(A->emit_jump(&cb, PC), -ENOSPC);
}

static void test_codebuf(void **state CT_UNUSED)
{
	struct ct_codebuf cb;
	uint8_t out[16];

	ct_codebuf_init(&cb, out, sizeof(out), 0x1000);
	assert_int_equal(ct_codebuf_here(&cb), 0x1000);
	assert_int_equal(ct_codebuf_put_u8(&cb, 0xaa), 0);
	assert_int_equal(ct_codebuf_put_u32(&cb, 0x11223344), 0);
	assert_int_equal(ct_codebuf_put_u64(&cb, 0x0102030405060708ull), 0);
	assert_int_equal(cb.len, 13);
	assert_int_equal(ct_codebuf_here(&cb), 0x100d);
	assert_memory_equal(out, ((const uint8_t[]){ 0xaa, 0x44, 0x33, 0x22, 0x11, 8, 7, 6, 5,
						     4, 3, 2, 1 }), 13);
	assert_int_equal(ct_codebuf_put_u32(&cb, 0), -ENOSPC);
	assert_int_equal(cb.len, 13);
	assert_int_equal(ct_codebuf_put(&cb, "abc", 3), 0);
	assert_int_equal(ct_codebuf_put_u8(&cb, 0), -ENOSPC);
}

static void test_relocate_no_room(void **state CT_UNUSED)
{
	struct ct_insn_plan plan;
	struct ct_codebuf cb;
	uint8_t out[64];

	/* call rel32 needs 25 bytes near */
	assert_int_equal(prepare(B(0xe8, 0x00, 0x01, 0x00, 0x00), PC, &plan), 0);
	ct_codebuf_init(&cb, out, 24, NEAR);
	assert_int_equal(A->relocate(&plan, &cb), -ENOSPC);
	ct_codebuf_init(&cb, out, 25, NEAR);
	assert_int_equal(A->relocate(&plan, &cb), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_in_reach),
		cmocka_unit_test(test_copy_out_of_reach),
		cmocka_unit_test(test_ret_copied),
		cmocka_unit_test(test_riprel_lea),
		cmocka_unit_test(test_riprel_mov_load),
		cmocka_unit_test(test_riprel_cmp_imm8),
		cmocka_unit_test(test_riprel_mov_imm32),
		cmocka_unit_test(test_riprel_out_of_reach),
		cmocka_unit_test(test_jcc_rel8),
		cmocka_unit_test(test_jcc_rel32),
		cmocka_unit_test(test_jrcxz),
		cmocka_unit_test(test_loop),
		cmocka_unit_test(test_call_rel32),
		cmocka_unit_test(test_call_rel32_high),
		cmocka_unit_test(test_call_riprel),
		cmocka_unit_test(test_call_reg),
		cmocka_unit_test(test_call_mem),
		cmocka_unit_test(test_call_rsp_step),
		cmocka_unit_test(test_step_fixup_fallthrough),
		cmocka_unit_test(test_jmp_indirect),
		cmocka_unit_test(test_emulate_jmp),
		cmocka_unit_test(test_emulate_nops),
		cmocka_unit_test(test_emulate_rejects_relocatable),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_slot_disassembles),
		cmocka_unit_test(test_emit_jump),
		cmocka_unit_test(test_codebuf),
		cmocka_unit_test(test_relocate_no_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
