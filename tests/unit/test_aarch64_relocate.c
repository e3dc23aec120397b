/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aarch64 relocation, frida style: real instruction words at a known
 * original pc, relocated into a slot at a known address, and the slot's
 * bytes checked exactly against arrays worked out by hand.  Words are
 * little-endian; each is written out in the comment beside its bytes.
 * "b(a -> b)" is the word 0x14000000 | ((b - a) / 4 & 0x3ffffff).
 * The addresses used throughout:
 *
 *   PC   = 0x401000          the original instruction
 *   NEAR = 0x500000          a slot above PC:  PC - NEAR = -0xff000
 *   LOW  = 0x300000          a slot below PC:  PC - LOW  = +0x101000
 *   FAR  = 0x7f0000001000    a slot out of b's +-128 MiB
 *
 * A copied instruction jumps back from slot + 4 to PC + 4, so
 *   from NEAR: (PC - NEAR) / 4 = -0x3fc00 -> imm26 0x3fc0400 -> 0x17fc0400: 00 04 fc 17
 *   from LOW:  (PC - LOW) / 4 = 0x40400                    -> 0x14040400: 00 04 04 14
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_mem.h"

#include "arch/arch.h"
#include "disasm/disasm.h"

#define PC 0x401000ull
#define NEAR 0x500000ull
#define LOW 0x300000ull
#define FAR 0x7f0000001000ull

#define A (&ct_arch_aarch64)

/* code, sizeof code, for a compound literal of bytes */
#define B(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

#define B_BACK_NEAR 0x00, 0x04, 0xfc, 0x17 /* b PC+4 from NEAR+4: 0x17fc0400 */
#define B_BACK_LOW 0x00, 0x04, 0x04, 0x14  /* b PC+4 from LOW+4:  0x14040400 */


static int fake_write(void *ctx CT_UNUSED, uint64_t addr CT_UNUSED, const void *buf CT_UNUSED,
		      size_t len CT_UNUSED)
{
	return -EFAULT;
}

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

/* Relocate to `slot` (through relocate_mem when mem is given). */
static int relocate_to(const struct ct_insn_plan *plan, uint64_t slot, const struct ct_mem *mem,
		       uint8_t *out, size_t *len)
{
	struct ct_codebuf cb;
	int ret;

	memset(out, 0xee, 128);
	ct_codebuf_init(&cb, out, 128, slot);
	ret = mem ? A->relocate_mem(plan, &cb, mem) : A->relocate(plan, &cb);
	*len = cb.len;
	if (ret == 0)
		assert_true(cb.len <= A->slot_size);
	return ret;
}

static void check_slot(const uint8_t *code, size_t n, uint64_t slot, const uint8_t *want,
		       size_t want_len)
{
	struct ct_insn_plan plan;
	uint8_t out[128];
	size_t len;

	assert_int_equal(prepare(code, n, PC, &plan), 0);
	assert_int_equal(plan.action, CT_INSN_RELOCATE);
	assert_int_equal(plan.pc, PC);
	assert_int_equal(plan.len, 4);
	assert_memory_equal(plan.bytes, code, 4);
	/* a verbatim copy needs no memory: both hooks give the same bytes */
	assert_int_equal(relocate_to(&plan, slot, NULL, out, &len), 0);
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, want_len);
}

#define CHECK_RELOC(code, slot, ...) check_slot(code, slot, B(__VA_ARGS__))

/* --- copied verbatim, then b back ------------------------------------- */

static void test_copy_in_reach(void **state CT_UNUSED)
{
	/* stp x29, x30, [sp, #-16]! (0xa9bf7bfd) */
	CHECK_RELOC(B(0xfd, 0x7b, 0xbf, 0xa9), NEAR,
		    0xfd, 0x7b, 0xbf, 0xa9,	/* stp x29, x30, [sp, #-16]! */
		    B_BACK_NEAR);
	/* mov x29, sp (0x910003fd) */
	CHECK_RELOC(B(0xfd, 0x03, 0x00, 0x91), LOW,
		    0xfd, 0x03, 0x00, 0x91,	/* mov x29, sp */
		    B_BACK_LOW);
	/* sub sp, sp, #0x20 (0xd10083ff) */
	CHECK_RELOC(B(0xff, 0x83, 0x00, 0xd1), NEAR, 0xff, 0x83, 0x00, 0xd1, B_BACK_NEAR);
	/* ldr x0, [x1, #8] (0xf9400420): register-relative, not literal */
	CHECK_RELOC(B(0x20, 0x04, 0x40, 0xf9), LOW, 0x20, 0x04, 0x40, 0xf9, B_BACK_LOW);
	/* mrs x0, tpidr_el0 (0xd53bd040) */
	CHECK_RELOC(B(0x40, 0xd0, 0x3b, 0xd5), NEAR, 0x40, 0xd0, 0x3b, 0xd5, B_BACK_NEAR);
	/* ldaxr w1, [x0] (0x885ffc01): the load-exclusive itself is fine, no
	 * exception comes between it and the store after the jump back */
	CHECK_RELOC(B(0x01, 0xfc, 0x5f, 0x88), NEAR, 0x01, 0xfc, 0x5f, 0x88, B_BACK_NEAR);
	/* ldar w1, [x0] (0x88dffc01): not exclusive */
	CHECK_RELOC(B(0x01, 0xfc, 0xdf, 0x88), LOW, 0x01, 0xfc, 0xdf, 0x88, B_BACK_LOW);
}

static void test_copy_reach_boundary(void **state CT_UNUSED)
{
	/* mov x29, sp at 0x40000000; the b back goes from slot + 4 to
	 * 0x40000004, so its offset is 0x40000000 - slot */
	static const uint8_t mov[] = { 0xfd, 0x03, 0x00, 0x91 };
	const uint64_t pc = 0x40000000;
	struct ct_insn_plan plan;
	uint8_t out[128];
	size_t len;

	assert_int_equal(prepare(mov, sizeof(mov), pc, &plan), 0);
	assert_int_equal(plan.action, CT_INSN_RELOCATE);

	/* slot 0x48000000: offset -0x8000000 = -2^27, imm26 = -2^25 =
	 * 0x2000000 -> 0x16000000, the lowest b reaches */
	assert_int_equal(relocate_to(&plan, 0x48000000, NULL, out, &len), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(out, ((const uint8_t[]){ 0xfd, 0x03, 0x00, 0x91,
						       0x00, 0x00, 0x00, 0x16 }), 8);
	/* one word further: -2^27 - 4, out of reach, and nothing written */
	assert_int_equal(relocate_to(&plan, 0x48000004, NULL, out, &len), -ERANGE);
	assert_int_equal(len, 0);

	/* slot 0x38000004: offset 0x7fffffc = 2^27 - 4, imm26 0x1ffffff ->
	 * 0x15ffffff, the highest b reaches */
	assert_int_equal(relocate_to(&plan, 0x38000004, NULL, out, &len), 0);
	assert_memory_equal(out, ((const uint8_t[]){ 0xfd, 0x03, 0x00, 0x91,
						       0xff, 0xff, 0xff, 0x15 }), 8);
	/* slot 0x38000000: offset 2^27 */
	assert_int_equal(relocate_to(&plan, 0x38000000, NULL, out, &len), -ERANGE);
	assert_int_equal(len, 0);

	/* far away in either direction */
	assert_int_equal(relocate_to(&plan, FAR, NULL, out, &len), -ERANGE);
	assert_int_equal(relocate_to(&plan, 0x1000, NULL, out, &len), -ERANGE);
}

static void test_pac_hints_relocated(void **state CT_UNUSED)
{
	/* paciasp (0xd503233f): signs x30; a nop in its place would make the
	 * function's autiasp fail, so it runs in the slot */
	CHECK_RELOC(B(0x3f, 0x23, 0x03, 0xd5), NEAR, 0x3f, 0x23, 0x03, 0xd5, B_BACK_NEAR);
	/* pacibsp (0xd503237f) */
	CHECK_RELOC(B(0x7f, 0x23, 0x03, 0xd5), LOW, 0x7f, 0x23, 0x03, 0xd5, B_BACK_LOW);
	/* autiasp (0xd50323bf) at a return site */
	CHECK_RELOC(B(0xbf, 0x23, 0x03, 0xd5), NEAR, 0xbf, 0x23, 0x03, 0xd5, B_BACK_NEAR);
	/* xpaclri (0xd50320ff): strips x30 */
	CHECK_RELOC(B(0xff, 0x20, 0x03, 0xd5), NEAR, 0xff, 0x20, 0x03, 0xd5, B_BACK_NEAR);
	/* yield (0xd503203f): a hint, but not a nop */
	CHECK_RELOC(B(0x3f, 0x20, 0x03, 0xd5), LOW, 0x3f, 0x20, 0x03, 0xd5, B_BACK_LOW);
}

/* --- ldr s/d/q (literal): from a copy of the literal in the slot ------ */

/* 16 bytes at 0x400f00 (PC - 0x100), 8 at 0x400ffc (PC - 4), 4 at 0x401040 */
static const uint8_t literal_q[16] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

static void test_ldr_fp_literal_q(void **state CT_UNUSED)
{
	/* ldr q1, #-0x100 (0x9cfff801: imm19 = -64): literal at 0x400f00 */
	static const uint8_t ldr_q1[] = { 0x01, 0xf8, 0xff, 0x9c };
	struct fake_mem fm = { .base = 0x400f00, .bytes = literal_q, .size = 16 };
	struct ct_mem mem = { fake_read, fake_write, &fm };
	struct ct_insn_plan plan;
	uint8_t out[128];
	size_t len;

	assert_int_equal(prepare(ldr_q1, sizeof(ldr_q1), PC, &plan), 0);
	assert_int_equal(plan.action, CT_INSN_RELOCATE);
	assert_int_equal(plan.target, 0x400f00);

	/* slot NEAR, 16-byte aligned: the copy goes at NEAR + 16 */
	assert_int_equal(relocate_to(&plan, NEAR, &mem, out, &len), 0);
	assert_int_equal(len, 32);
	assert_memory_equal(out, ((const uint8_t[]){
		0x81, 0x00, 0x00, 0x9c,	/* ldr q1, #16: imm19 = 4 -> 0x9c000081 */
		B_BACK_NEAR,		/* b PC+4 */
		0, 0, 0, 0, 0, 0, 0, 0,	/* padding to 16-byte alignment */
	}), 16);
	assert_memory_equal(out + 16, literal_q, 16);
	assert_int_equal(fm.reads, 1);

	/* slot NEAR + 4: the copy still at NEAR + 16, 12 bytes from the ldr
	 * (imm19 = 3 -> 0x9c000061); the b at NEAR + 8 jumps by
	 * 0x401004 - 0x500008 = -0xff004, imm26 -0x3fc01 -> 0x17fc03ff */
	assert_int_equal(relocate_to(&plan, NEAR + 4, &mem, out, &len), 0);
	assert_int_equal(len, 28);
	assert_memory_equal(out, ((const uint8_t[]){
		0x61, 0x00, 0x00, 0x9c,	/* ldr q1, #12 */
		0xff, 0x03, 0xfc, 0x17,	/* b 0x401004 */
		0, 0, 0, 0,		/* padding */
	}), 12);
	assert_memory_equal(out + 12, literal_q, 16);

	/* relocate() has no memory to read the literal from */
	assert_int_equal(relocate_to(&plan, NEAR, NULL, out, &len), -ENOTSUP);
	/* out of reach, checked before the literal is read */
	fm.reads = 0;
	assert_int_equal(relocate_to(&plan, FAR, &mem, out, &len), -ERANGE);
	assert_int_equal(fm.reads, 0);
	/* an unreadable literal */
	fm.base = 0x800000;
	assert_int_equal(relocate_to(&plan, NEAR, &mem, out, &len), -EFAULT);
}

static void test_ldr_fp_literal_d_s(void **state CT_UNUSED)
{
	/* ldr d2, #-4 (0x5cffffe2: imm19 = -1): 8 bytes at 0x400ffc */
	static const uint8_t ldr_d2[] = { 0xe2, 0xff, 0xff, 0x5c };
	/* ldr s3, #0x40 (0x1c000203: imm19 = 16): 4 bytes at 0x401040 */
	static const uint8_t ldr_s3[] = { 0x03, 0x02, 0x00, 0x1c };
	struct fake_mem fm = { .base = 0x400ffc, .bytes = literal_q, .size = 16 };
	struct ct_mem mem = { fake_read, fake_write, &fm };
	struct ct_insn_plan plan;
	uint8_t out[128];
	size_t len;

	assert_int_equal(prepare(ldr_d2, sizeof(ldr_d2), PC, &plan), 0);
	assert_int_equal(plan.action, CT_INSN_RELOCATE);
	assert_int_equal(plan.target, 0x400ffc);
	assert_int_equal(relocate_to(&plan, LOW, &mem, out, &len), 0);
	assert_int_equal(len, 16);
	assert_memory_equal(out, ((const uint8_t[]){
		0x42, 0x00, 0x00, 0x5c,	/* ldr d2, #8: imm19 = 2 -> 0x5c000042 */
		B_BACK_LOW,		/* b PC+4 */
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,	/* the literal */
	}), 16);

	fm.base = 0x401040;
	assert_int_equal(prepare(ldr_s3, sizeof(ldr_s3), PC, &plan), 0);
	assert_int_equal(plan.target, 0x401040);
	assert_int_equal(relocate_to(&plan, NEAR, &mem, out, &len), 0);
	assert_int_equal(len, 12);
	assert_memory_equal(out, ((const uint8_t[]){
		0x43, 0x00, 0x00, 0x1c,	/* ldr s3, #8: imm19 = 2 -> 0x1c000043 */
		B_BACK_NEAR,		/* b PC+4 */
		0x00, 0x11, 0x22, 0x33,	/* the literal */
	}), 12);
}

/* --- the slot decoded back by capstone -------------------------------- */

/* "mnemonic operands" of the word at out[off], as if at slot + off */
static void expect_text(const uint8_t *out, size_t off, uint64_t slot, const char *want)
{
	struct ct_disasm *d = ct_disasm_new(A);
	char buf[80];

	assert_non_null(d);
	assert_int_equal(ct_disasm_text(d, out + off, 4, slot + off, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
	ct_disasm_free(d);
}

static void test_decode_back(void **state CT_UNUSED)
{
	static const uint8_t stp[] = { 0xfd, 0x7b, 0xbf, 0xa9 };
	static const uint8_t paciasp[] = { 0x3f, 0x23, 0x03, 0xd5 };
	static const uint8_t ldr_q1[] = { 0x01, 0xf8, 0xff, 0x9c };
	struct fake_mem fm = { .base = 0x400f00, .bytes = literal_q, .size = 16 };
	struct ct_mem mem = { fake_read, fake_write, &fm };
	struct ct_insn_plan plan;
	uint8_t out[128];
	size_t len;

	assert_int_equal(prepare(stp, sizeof(stp), PC, &plan), 0);
	assert_int_equal(relocate_to(&plan, LOW, &mem, out, &len), 0);
	expect_text(out, 0, LOW, "stp x29, x30, [sp, #-0x10]!");
	expect_text(out, 4, LOW, "b #0x401004");

	assert_int_equal(prepare(paciasp, sizeof(paciasp), PC, &plan), 0);
	assert_int_equal(relocate_to(&plan, NEAR, &mem, out, &len), 0);
	expect_text(out, 0, NEAR, "hint #0x19"); /* capstone 4 has no pac names */
	expect_text(out, 4, NEAR, "b #0x401004");

	assert_int_equal(prepare(ldr_q1, sizeof(ldr_q1), PC, &plan), 0);
	assert_int_equal(relocate_to(&plan, NEAR + 4, &mem, out, &len), 0);
	expect_text(out, 0, NEAR + 4, "ldr q1, #0x500010");
	expect_text(out, 4, NEAR + 4, "b #0x401004");

	/* the boundary jump of test_copy_reach_boundary */
	assert_int_equal(prepare(stp, sizeof(stp), 0x40000000, &plan), 0);
	assert_int_equal(relocate_to(&plan, 0x48000000, NULL, out, &len), 0);
	expect_text(out, 4, 0x48000000, "b #0x40000004");
	assert_int_equal(relocate_to(&plan, 0x38000004, NULL, out, &len), 0);
	expect_text(out, 4, 0x38000004, "b #0x40000004");
}

/* --- emit_jump, wrong plans -------------------------------------------- */

static void test_emit_jump(void **state CT_UNUSED)
{
	uint8_t out[16];
	struct ct_codebuf cb;

	/* b from NEAR to PC: -0xff000 / 4 -> 0x17fc0400 */
	ct_codebuf_init(&cb, out, sizeof(out), NEAR);
	assert_int_equal(A->emit_jump(&cb, PC), 0);
	assert_int_equal(cb.len, 4);
	assert_memory_equal(out, ((const uint8_t[]){ 0x00, 0x04, 0xfc, 0x17 }), 4);
	/* to itself: b . = 0x14000000 */
	assert_int_equal(A->emit_jump(&cb, NEAR + 4), 0);
	assert_memory_equal(out + 4, ((const uint8_t[]){ 0x00, 0x00, 0x00, 0x14 }), 4);
	/* no register to jump through: beyond b's reach it refuses */
	assert_int_equal(A->emit_jump(&cb, FAR), -ERANGE);
	assert_int_equal(A->emit_jump(&cb, NEAR + 8 + (1 << 27)), -ERANGE);
	assert_int_equal(cb.len, 8);
	/* and a full buffer says so */
	ct_codebuf_init(&cb, out, 2, NEAR);
	assert_int_equal(A->emit_jump(&cb, PC), -ENOSPC);
}

static void test_wrong_plan(void **state CT_UNUSED)
{
	static const uint8_t b[] = { 0x40, 0x00, 0x00, 0x14 }; /* b #0x100 */
	static const uint8_t stp[] = { 0xfd, 0x7b, 0xbf, 0xa9 };
	struct ct_insn_plan plan;
	struct ct_regs r = { { 0 } };
	uint8_t out[128];
	size_t len;

	/* an EMULATE plan has no slot */
	assert_int_equal(prepare(b, sizeof(b), PC, &plan), 0);
	assert_int_equal(plan.action, CT_INSN_EMULATE);
	assert_int_equal(relocate_to(&plan, NEAR, NULL, out, &len), -EINVAL);
	/* a RELOCATE plan is not emulated; aarch64 never plans STEP */
	assert_int_equal(prepare(stp, sizeof(stp), PC, &plan), 0);
	assert_int_equal(A->emulate(&plan, &r, NULL), -EINVAL);
	assert_int_equal(A->step_fixup(&plan, NEAR, &r, NULL), -EINVAL);
	/* a slot too small */
	{
		struct ct_codebuf cb;

		ct_codebuf_init(&cb, out, 6, NEAR);
		assert_int_equal(A->relocate(&plan, &cb), -ENOSPC);
	}
}

/* --- rejected ---------------------------------------------------------- */

static void expect_reject(const uint8_t *code, size_t n, const char *why_part)
{
	struct ct_insn_plan plan;

	assert_int_equal(prepare(code, n, PC, &plan), -ENOTSUP);
	assert_int_equal(plan.action, CT_INSN_REJECT);
	assert_non_null(plan.why);
	assert_non_null(strstr(plan.why, why_part));
}

static void test_reject(void **state CT_UNUSED)
{
	expect_reject(B(0x01, 0x00, 0x00, 0xd4), "svc");	/* svc #0 (0xd4000001) */
	expect_reject(B(0x02, 0x00, 0x00, 0xd4), "hvc");	/* hvc #0 (0xd4000002) */
	expect_reject(B(0x03, 0x00, 0x00, 0xd4), "smc");	/* smc #0 (0xd4000003) */
	expect_reject(B(0x00, 0x00, 0x20, 0xd4), "brk");	/* brk #0 (0xd4200000) */
	expect_reject(B(0xa0, 0x00, 0x20, 0xd4), "brk");	/* brk #5 (0xd42000a0) */
	expect_reject(B(0x00, 0x00, 0x40, 0xd4), "hlt");	/* hlt #0 (0xd4400000) */
	expect_reject(B(0xe0, 0x03, 0x9f, 0xd6), "eret");	/* eret (0xd69f03e0) */
	expect_reject(B(0xe0, 0x03, 0xbf, 0xd6), "eret");	/* drps (0xd6bf03e0) */
	/* stlxr w3, w4, [x0] (0x8803fc04), stxr w5, x3, [x2] (0xc8057c43),
	 * stxp w5, x0, x1, [x2] (0xc8250440) */
	expect_reject(B(0x04, 0xfc, 0x03, 0x88), "store-exclusive");
	expect_reject(B(0x43, 0x7c, 0x05, 0xc8), "store-exclusive");
	expect_reject(B(0x40, 0x04, 0x25, 0xc8), "store-exclusive");
}

static void test_reject_undecodable(void **state CT_UNUSED)
{
	static const uint8_t udf[] = { 0x00, 0x00, 0x00, 0x00 };	/* udf #0 */
	static const uint8_t retaa[] = { 0xff, 0x0b, 0x5f, 0xd6 };	/* retaa */
	struct ct_insn_plan plan;
	int ret;

	assert_int_equal(prepare(udf, sizeof(udf), PC, &plan), -EINVAL);
	assert_int_equal(plan.action, CT_INSN_REJECT);
	/* capstone 4.0.2 does not decode pointer-auth branches; a later one
	 * hands them to analyze, which rejects them */
	ret = prepare(retaa, sizeof(retaa), PC, &plan);
	assert_true(ret == -EINVAL || ret == -ENOTSUP);
	assert_int_equal(plan.action, CT_INSN_REJECT);
	/* half an instruction */
	assert_int_equal(prepare(retaa, 2, PC, &plan), -EINVAL);
}

/* analyze() on words capstone 4.0.2 cannot decode, as a newer capstone
 * would hand them over: only the bytes are used for these families. */
static void analyze_word(uint32_t w, struct ct_insn_plan *plan)
{
	cs_detail detail;
	cs_insn insn;

	memset(&detail, 0, sizeof(detail));
	memset(&insn, 0, sizeof(insn));
	insn.size = 4;
	insn.address = PC;
	for (unsigned i = 0; i < 4; i++)
		insn.bytes[i] = (uint8_t)(w >> (8 * i));
	insn.detail = &detail;
	assert_int_equal(A->analyze(&insn, PC, plan), 0);
}

static void test_reject_pointer_auth(void **state CT_UNUSED)
{
	static const struct {
		uint32_t w;
		const char *asm_text;
		const char *why_part;
	} cases[] = {
		{ 0xd65f0bff, "retaa", "pointer-authenticated" },
		{ 0xd65f0fff, "retab", "pointer-authenticated" },
		{ 0xd71f0801, "braa x0, x1", "pointer-authenticated" },
		{ 0xd71f0c01, "brab x0, x1", "pointer-authenticated" },
		{ 0xd61f081f, "braaz x0", "pointer-authenticated" },
		{ 0xd63f087f, "blraaz x3", "pointer-authenticated" },
		{ 0xd73f0801, "blraa x0, x1", "pointer-authenticated" },
		{ 0xd69f0bff, "eretaa", "eret" },
		{ 0xdc000000, "ldr (literal) opc=11 V=1, unallocated", "unallocated" },
	};
	struct ct_insn_plan plan;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		analyze_word(cases[i].w, &plan);
		if (plan.action != CT_INSN_REJECT || !plan.why ||
		    !strstr(plan.why, cases[i].why_part))
			fail_msg("%s (%08x): action %d, why %s", cases[i].asm_text, cases[i].w,
				 plan.action, plan.why ? plan.why : "(null)");
	}
}

/* A target capstone does not agree with is rejected, never emulated. */
static void test_capstone_cross_check(void **state CT_UNUSED)
{
	cs_detail detail;
	cs_insn insn;
	struct ct_insn_plan plan;

	memset(&detail, 0, sizeof(detail));
	memset(&insn, 0, sizeof(insn));
	insn.size = 4;
	/* b #0x100 (0x14000040), with capstone's operand saying 0x401104 */
	memcpy(insn.bytes, ((const uint8_t[]){ 0x40, 0x00, 0x00, 0x14 }), 4);
	insn.detail = &detail;
	detail.arm64.op_count = 1;
	detail.arm64.operands[0].type = ARM64_OP_IMM;
	detail.arm64.operands[0].imm = 0x401104;
	assert_int_equal(A->analyze(&insn, PC, &plan), 0);
	assert_int_equal(plan.action, CT_INSN_REJECT);
	assert_non_null(strstr(plan.why, "unexpected encoding"));
	/* with the right one, 0x401100, it is emulated */
	detail.arm64.operands[0].imm = 0x401100;
	assert_int_equal(A->analyze(&insn, PC, &plan), 0);
	assert_int_equal(plan.action, CT_INSN_EMULATE);
	assert_int_equal(plan.target, 0x401100);
	/* a misaligned pc cannot hold an A64 instruction */
	assert_int_equal(A->analyze(&insn, PC + 2, &plan), -ENOTSUP);
	assert_int_equal(plan.action, CT_INSN_REJECT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_in_reach),
		cmocka_unit_test(test_copy_reach_boundary),
		cmocka_unit_test(test_pac_hints_relocated),
		cmocka_unit_test(test_ldr_fp_literal_q),
		cmocka_unit_test(test_ldr_fp_literal_d_s),
		cmocka_unit_test(test_decode_back),
		cmocka_unit_test(test_emit_jump),
		cmocka_unit_test(test_wrong_plan),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_reject_undecodable),
		cmocka_unit_test(test_reject_pointer_auth),
		cmocka_unit_test(test_capstone_cross_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
