/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aarch64 emulation: real instruction words at a known pc, decoded by the
 * library's driver, applied to a register image whose every word is
 * distinct; the whole image after is compared with one worked out by hand
 * (so a write to a wrong register shows).  Words are little-endian, each
 * written out beside its bytes.  PC = 0x401000 unless a test says otherwise.
 * Every emulated instruction leaves PSTATE.BTYPE clear: the brk trap saved
 * the BTYPE of the branch that reached the site.
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
#define A (&ct_arch_aarch64)

/* struct user_pt_regs, word by word: x0..x30 are words 0..30 */
enum { W_LR = 30, W_SP = 31, W_PC = 32, W_PSTATE = 33 };

#define BTYPE (3ull << 10)
#define FLAGS(nzcv) ((uint64_t)(nzcv) << 28) /* N Z C V = 8 4 2 1 */

/* word w as four little-endian bytes */
#define LE(w) { (uint8_t)(w), (uint8_t)((w) >> 8), (uint8_t)((w) >> 16), (uint8_t)((w) >> 24) }


static int fake_write(void *ctx CT_UNUSED, uint64_t addr CT_UNUSED, const void *buf CT_UNUSED,
		      size_t len CT_UNUSED)
{
	fail_msg("emulation wrote to memory");
	return -EFAULT;
}

/* every word distinct; sp nonzero (register 31 is the zero register in
 * these instructions, never sp); a BTYPE left by the branch to the site */
static void fill(struct ct_regs *r)
{
	for (unsigned i = 0; i < CT_REGS_WORDS; i++)
		r->w[i] = 0x1000 + i;
	r->w[W_SP] = 0x7ffc0000;
	r->w[W_PSTATE] = BTYPE;
}

/* Decode the word `insn` at pc and emulate it on r. */
static int emulate_at(uint32_t insn, uint64_t pc, struct ct_regs *r, const struct ct_mem *mem)
{
	const uint8_t code[4] = LE(insn);
	struct ct_disasm *d = ct_disasm_new(A);
	struct ct_insn_plan plan;
	int ret;

	assert_non_null(d);
	ret = ct_disasm_prepare(d, code, sizeof(code), pc, &plan);
	ct_disasm_free(d);
	if (ret != 0 || plan.action != CT_INSN_EMULATE)
		fail_msg("%08x at %#llx: prepare %d, action %d", insn, (unsigned long long)pc, ret,
			 plan.action);
	return A->emulate(&plan, r, mem);
}

/* Emulate with no memory access and compare the whole image. */
static void expect(uint32_t insn, uint64_t pc, const struct ct_regs *in, const struct ct_regs *want)
{
	struct fake_mem fm = { 0 };
	struct ct_mem mem = { fake_read, fake_write, &fm };
	struct ct_regs r = *in;

	assert_int_equal(emulate_at(insn, pc, &r, &mem), 0);
	assert_int_equal(fm.reads, 0);
	for (unsigned i = 0; i < CT_REGS_WORDS; i++)
		if (r.w[i] != want->w[i])
			fail_msg("%08x: word %u is %#llx, want %#llx", insn, i,
				 (unsigned long long)r.w[i], (unsigned long long)want->w[i]);
}

/* The image after an instruction that changes only the pc. */
static void expect_pc(uint32_t insn, uint64_t pc, const struct ct_regs *in, uint64_t new_pc)
{
	struct ct_regs want = *in;

	want.w[W_PC] = new_pc;
	want.w[W_PSTATE] &= ~BTYPE;
	expect(insn, pc, in, &want);
}

/* --- b, bl ------------------------------------------------------------- */

static void test_b(void **state CT_UNUSED)
{
	struct ct_regs r;

	fill(&r);
	r.w[W_PC] = PC;
	expect_pc(0x14000040, PC, &r, 0x401100);	/* b #0x100: imm26 0x40 */
	expect_pc(0x17ffffff, PC, &r, 0x400ffc);	/* b #-4: imm26 -1 */
	expect_pc(0x14000000, PC, &r, PC);		/* b . */
	/* the ends of imm26 at 0x40000000: -2^25 and 2^25 - 1 words */
	expect_pc(0x16000000, 0x40000000, &r, 0x38000000);	/* b #-0x8000000 */
	expect_pc(0x15ffffff, 0x40000000, &r, 0x47fffffc);	/* b #0x7fffffc */
}

static void test_bl(void **state CT_UNUSED)
{
	struct ct_regs r, want;

	fill(&r);
	want = r;
	want.w[W_PC] = 0x403000;
	want.w[W_LR] = 0x401004;
	want.w[W_PSTATE] = 0;
	expect(0x94000800, PC, &r, &want);		/* bl #0x2000: imm26 0x800 */
	want.w[W_PC] = 0x400000;
	expect(0x97fffc00, PC, &r, &want);		/* bl #-0x1000: imm26 -0x400 */
	/* at the bottom of imm26's range: 0x40000000 - 2^27 */
	want.w[W_PC] = 0x38000000;
	want.w[W_LR] = 0x40000004;
	expect(0x96000000, 0x40000000, &r, &want);	/* bl #-0x8000000 */
}

/* --- b.cond -------------------------------------------------------------- */

static void test_bcond(void **state CT_UNUSED)
{
	/* b.<cond> #0x20 = 0x54000100 | cond: taken -> 0x401020, else 0x401004 */
	static const struct {
		unsigned cond;
		const char *name;
		unsigned nzcv;
		bool taken;
	} cases[] = {
		{ 0, "eq", 0x4, true },   { 0, "eq", 0x0, false },  { 0, "eq", 0xb, false },
		{ 1, "ne", 0x0, true },   { 1, "ne", 0x4, false },
		{ 2, "cs", 0x2, true },   { 2, "cs", 0x0, false },
		{ 3, "cc", 0x2, false },  { 3, "cc", 0xd, true },
		{ 4, "mi", 0x8, true },   { 4, "mi", 0x7, false },
		{ 5, "pl", 0x8, false },  { 5, "pl", 0x0, true },
		{ 6, "vs", 0x1, true },   { 6, "vs", 0xe, false },
		{ 7, "vc", 0x1, false },  { 7, "vc", 0x0, true },
		{ 8, "hi", 0x2, true },   { 8, "hi", 0x6, false },  { 8, "hi", 0x0, false },
		{ 9, "ls", 0x2, false },  { 9, "ls", 0x6, true },   { 9, "ls", 0x0, true },
		{ 10, "ge", 0x9, true },  { 10, "ge", 0x0, true },  { 10, "ge", 0x8, false },
		{ 10, "ge", 0x1, false },
		{ 11, "lt", 0x8, true },  { 11, "lt", 0x1, true },  { 11, "lt", 0x9, false },
		{ 12, "gt", 0x0, true },  { 12, "gt", 0x9, true },  { 12, "gt", 0x4, false },
		{ 12, "gt", 0x8, false }, { 12, "gt", 0xd, false },
		{ 13, "le", 0x4, true },  { 13, "le", 0x8, true },  { 13, "le", 0x0, false },
		{ 13, "le", 0x9, false },
		{ 14, "al", 0x0, true },  { 14, "al", 0xf, true },
		{ 15, "nv", 0x0, true },  { 15, "nv", 0xf, true }, /* nv executes as al */
	};
	struct ct_regs r, want;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_mem fm = { 0 };
		struct ct_mem mem = { fake_read, fake_write, &fm };

		fill(&r);
		r.w[W_PSTATE] = FLAGS(cases[i].nzcv) | BTYPE;
		want = r;
		want.w[W_PC] = cases[i].taken ? 0x401020 : 0x401004;
		want.w[W_PSTATE] = FLAGS(cases[i].nzcv);
		assert_int_equal(emulate_at(0x54000100 | cases[i].cond, PC, &r, &mem), 0);
		if (memcmp(&r, &want, sizeof(r)) != 0)
			fail_msg("b.%s with nzcv %x: pc %#llx, want %#llx", cases[i].name,
				 cases[i].nzcv, (unsigned long long)r.w[W_PC],
				 (unsigned long long)want.w[W_PC]);
	}

	/* b.ne #-0x10 (0x54ffff81: imm19 -4) */
	fill(&r);
	r.w[W_PSTATE] = FLAGS(0x0);
	expect_pc(0x54ffff81, PC, &r, 0x400ff0);
	r.w[W_PSTATE] = FLAGS(0x4);
	expect_pc(0x54ffff81, PC, &r, 0x401004);
}

/* --- cbz, cbnz, tbz, tbnz ------------------------------------------------ */

static void test_cbz(void **state CT_UNUSED)
{
	struct ct_regs r;

	fill(&r);
	/* cbz x0, #8 (0xb4000040) */
	r.w[0] = 0;
	expect_pc(0xb4000040, PC, &r, 0x401008);
	r.w[0] = 0x100000000ull;
	expect_pc(0xb4000040, PC, &r, 0x401004);
	/* cbz w0, #8 (0x34000040): only the low 32 bits count */
	expect_pc(0x34000040, PC, &r, 0x401008);
	r.w[0] = 1;
	expect_pc(0x34000040, PC, &r, 0x401004);
	/* cbnz x3, #-8 (0xb5ffffc3: imm19 -2) */
	r.w[3] = 0x8000000000000000ull;
	expect_pc(0xb5ffffc3, PC, &r, 0x400ff8);
	r.w[3] = 0;
	expect_pc(0xb5ffffc3, PC, &r, 0x401004);
	/* cbnz w3, #-16 (0x35ffff83: imm19 -4) */
	r.w[3] = 0xffffffff00000000ull;
	expect_pc(0x35ffff83, PC, &r, 0x401004);
	r.w[3] = 0x80000000;
	expect_pc(0x35ffff83, PC, &r, 0x400ff0);
	/* cbz xzr, #8 (0xb400005f): register 31 is zero here, not sp */
	expect_pc(0xb400005f, PC, &r, 0x401008);
}

static void test_tbz(void **state CT_UNUSED)
{
	struct ct_regs r;

	fill(&r);
	/* tbz w0, #1, #8 (0x36080040: b40 = 1, imm14 2) */
	r.w[0] = 0x2;
	expect_pc(0x36080040, PC, &r, 0x401004);
	r.w[0] = 0xfffffffdu;
	expect_pc(0x36080040, PC, &r, 0x401008);
	/* tbnz x5, #63, #-0x10 (0xb7ffff85: b5 = 1, b40 = 31, imm14 -4) */
	r.w[5] = 0x8000000000000000ull;
	expect_pc(0xb7ffff85, PC, &r, 0x400ff0);
	r.w[5] = 0x7fffffffffffffffull;
	expect_pc(0xb7ffff85, PC, &r, 0x401004);
	/* tbnz x7, #32, #0x7ffc (0xb703ffe7: b5 = 1, b40 = 0, imm14 0x1fff) */
	r.w[7] = 0x100000000ull;
	expect_pc(0xb703ffe7, PC, &r, 0x408ffc);
	r.w[7] = 0xffffffffu;
	expect_pc(0xb703ffe7, PC, &r, 0x401004);
	/* tbz w2, #31, #-0x8000 (0x36fc0002: b40 = 31, imm14 -0x2000) */
	r.w[2] = 0x7fffffff;
	expect_pc(0x36fc0002, PC, &r, 0x3f9000);
	r.w[2] = 0x80000000;
	expect_pc(0x36fc0002, PC, &r, 0x401004);
}

/* --- adr, adrp ------------------------------------------------------------ */

static void test_adr(void **state CT_UNUSED)
{
	struct ct_regs r, want;

	fill(&r);
	want = r;
	want.w[W_PC] = 0x401004;
	want.w[W_PSTATE] = 0;
	/* adr x1, #-1 (0x70ffffe1: immhi 0x7ffff, immlo 3 -> -1) */
	want.w[1] = 0x400fff;
	expect(0x70ffffe1, PC, &r, &want);
	/* adr x2, #0xfffff (0x707fffe2: the largest) */
	want.w[1] = r.w[1];
	want.w[2] = 0x500fff;
	expect(0x707fffe2, PC, &r, &want);
	/* adr xzr, #8 (0x1000005f): the result is discarded, sp untouched */
	want.w[2] = r.w[2];
	expect(0x1000005f, PC, &r, &want);
}

static void test_adrp(void **state CT_UNUSED)
{
	struct ct_regs r, want;

	fill(&r);
	/* adrp x0, #0x1000 (0xb0000000: immlo 1) at 0x401234: page 0x401000 + 0x1000 */
	want = r;
	want.w[0] = 0x402000;
	want.w[W_PC] = 0x401238;
	want.w[W_PSTATE] = 0;
	expect(0xb0000000, 0x401234, &r, &want);

	/* at 0x7fff12345678 (page 0x7fff12345000), the ends of the 4 GiB range */
	want = r;
	want.w[W_PC] = 0x7fff1234567cull;
	want.w[W_PSTATE] = 0;
	/* adrp x3, #-0x100000000 (0x90800003: imm21 -0x100000 pages) */
	want.w[3] = 0x7ffe12345000ull;
	expect(0x90800003, 0x7fff12345678ull, &r, &want);
	/* adrp x4, #0xfffff000 (0xf07fffe4: imm21 0xfffff pages) */
	want.w[3] = r.w[3];
	want.w[4] = 0x800012344000ull;
	expect(0xf07fffe4, 0x7fff12345678ull, &r, &want);
}

/* --- ldr, ldrsw, prfm (literal) ----------------------------------------- */

static void test_ldr_literal(void **state CT_UNUSED)
{
	static const uint8_t q[8] = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 };
	static const uint8_t d[4] = { 0xf0, 0xde, 0xbc, 0x9a };
	struct fake_mem fm = { .base = 0x301000, .bytes = q, .size = sizeof(q) };
	struct ct_mem mem = { fake_read, fake_write, &fm };
	struct ct_regs r, want;

	/* ldr x6, #-0x100000 (0x58800006: imm19 -0x40000, the lowest): 0x301000 */
	fill(&r);
	want = r;
	want.w[6] = 0x1122334455667788ull;
	want.w[W_PC] = 0x401004;
	want.w[W_PSTATE] = 0;
	assert_int_equal(emulate_at(0x58800006, PC, &r, &mem), 0);
	assert_memory_equal(&r, &want, sizeof(r));
	assert_int_equal(fm.reads, 1);

	/* ldr w5, #12 (0x18000065): 0x40100c, zero-extended over all ones */
	fm = (struct fake_mem){ .base = 0x40100c, .bytes = d, .size = sizeof(d) };
	fill(&r);
	r.w[5] = UINT64_MAX;
	want = r;
	want.w[5] = 0x9abcdef0;
	want.w[W_PC] = 0x401004;
	want.w[W_PSTATE] = 0;
	assert_int_equal(emulate_at(0x18000065, PC, &r, &mem), 0);
	assert_memory_equal(&r, &want, sizeof(r));

	/* ldr xzr, #8 (0x5800005f): loads 0x401008, discards, sp untouched */
	fm = (struct fake_mem){ .base = 0x401008, .bytes = q, .size = sizeof(q) };
	fill(&r);
	want = r;
	want.w[W_PC] = 0x401004;
	want.w[W_PSTATE] = 0;
	assert_int_equal(emulate_at(0x5800005f, PC, &r, &mem), 0);
	assert_memory_equal(&r, &want, sizeof(r));
	assert_int_equal(fm.reads, 1);

	/* unreadable: -EFAULT, registers untouched (ldr x7, #4 = 0x58000027) */
	fm = (struct fake_mem){ .base = 0x500000, .bytes = q, .size = sizeof(q) };
	fill(&r);
	want = r;
	assert_int_equal(emulate_at(0x58000027, PC, &r, &mem), -EFAULT);
	assert_memory_equal(&r, &want, sizeof(r));
}

static void test_ldrsw_literal(void **state CT_UNUSED)
{
	static const uint8_t neg[4] = { 0x00, 0x00, 0x00, 0x80 };
	static const uint8_t pos[4] = { 0xff, 0xff, 0xff, 0x7f };
	struct fake_mem fm = { .base = 0x400ffc, .bytes = neg, .size = sizeof(neg) };
	struct ct_mem mem = { fake_read, fake_write, &fm };
	struct ct_regs r, want;

	/* ldrsw x3, #-4 (0x98ffffe3: imm19 -1): 0x400ffc */
	fill(&r);
	want = r;
	want.w[3] = 0xffffffff80000000ull;
	want.w[W_PC] = 0x401004;
	want.w[W_PSTATE] = 0;
	assert_int_equal(emulate_at(0x98ffffe3, PC, &r, &mem), 0);
	assert_memory_equal(&r, &want, sizeof(r));

	fm.bytes = pos;
	fill(&r);
	want.w[3] = 0x7fffffff;
	assert_int_equal(emulate_at(0x98ffffe3, PC, &r, &mem), 0);
	assert_memory_equal(&r, &want, sizeof(r));
}

static void test_prfm_literal(void **state CT_UNUSED)
{
	struct ct_regs r;

	fill(&r);
	/* prfm pldl1keep, #8 (0xd8000040): a hint, nothing read */
	expect_pc(0xd8000040, PC, &r, 0x401004);
	/* prfm pldl1strm, #8 (0xd8000041) */
	expect_pc(0xd8000041, PC, &r, 0x401004);
}

/* --- br, blr, ret ---------------------------------------------------------- */

static void test_br_blr_ret(void **state CT_UNUSED)
{
	struct ct_regs r, want;

	fill(&r);
	r.w[16] = 0x7f0000123450ull;
	r.w[1] = 0x402000;
	r.w[5] = 0x405550;
	r.w[W_LR] = 0x409990;

	/* br x16 (0xd61f0200) */
	expect_pc(0xd61f0200, PC, &r, 0x7f0000123450ull);
	/* ret (0xd65f03c0): x30 */
	expect_pc(0xd65f03c0, PC, &r, 0x409990);
	/* ret x5 (0xd65f00a0) */
	expect_pc(0xd65f00a0, PC, &r, 0x405550);

	/* blr x1 (0xd63f0020) */
	want = r;
	want.w[W_PC] = 0x402000;
	want.w[W_LR] = 0x401004;
	want.w[W_PSTATE] = 0;
	expect(0xd63f0020, PC, &r, &want);
	/* blr x30 (0xd63f03c0): the target is read before x30 is written */
	want.w[W_PC] = 0x409990;
	expect(0xd63f03c0, PC, &r, &want);
}

/* --- nop, bti ------------------------------------------------------------- */

static void test_nop_bti(void **state CT_UNUSED)
{
	static const uint32_t words[] = {
		0xd503201f, /* nop */
		0xd503241f, /* bti */
		0xd503245f, /* bti c */
		0xd503249f, /* bti j */
		0xd50324df, /* bti jc */
	};
	struct ct_regs r;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		fill(&r);
		/* BTYPE 10 after a blr to a bti c; the flags stay */
		r.w[W_PSTATE] = FLAGS(0xa) | (2ull << 10);
		expect_pc(words[i], PC, &r, 0x401004);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b),
		cmocka_unit_test(test_bl),
		cmocka_unit_test(test_bcond),
		cmocka_unit_test(test_cbz),
		cmocka_unit_test(test_tbz),
		cmocka_unit_test(test_adr),
		cmocka_unit_test(test_adrp),
		cmocka_unit_test(test_ldr_literal),
		cmocka_unit_test(test_ldrsw_literal),
		cmocka_unit_test(test_prfm_literal),
		cmocka_unit_test(test_br_blr_ret),
		cmocka_unit_test(test_nop_bti),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
