/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Classify the instruction displaced by a breakpoint, in the shape of the
 * kernel's arch/arm64/kernel/probes/decode-insn.c: one small decoder per
 * instruction family, tried in turn, each returning -ENOSYS for "not mine".
 *
 *   EMULATE   b, bl, b.cond, cbz/cbnz, tbz/tbnz, adr, adrp, br, blr, ret,
 *             ldr/ldrsw literal into a general register, prfm literal, nop, bti
 *   RELOCATE  ldr s/d/q literal (from a copy of the literal inside the slot);
 *             everything else, position-independent in A64, copied verbatim
 *             and followed by a direct b back (never br: a br into a
 *             BTI-guarded page faults).  That includes paciasp/pacibsp and
 *             every other hint with an effect: a nop in their place would
 *             leave x30 unsigned for the autiasp at the return.
 *   REJECT    svc/hvc/smc/brk/hlt/dcps, eret/drps, pointer-authenticated
 *             branches (the key is the tracee's), store-exclusives (the trap
 *             clears the exclusive monitor, so the store would fail forever),
 *             unallocated literal loads.
 *
 * Fields come from the instruction word (the ARM ARM encodings); every
 * pc-relative target is cross-checked against capstone's operand, so a
 * decoding disagreement can only reject, never mis-emulate.  A site between
 * a load-exclusive and its store cannot be seen from one instruction: see
 * aarch64_check_site() in exclusive.c.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "arch/aarch64/aarch64.h"

static int reject(struct ct_insn_plan *plan, const char *why)
{
	plan->action = CT_INSN_REJECT;
	plan->why = why;
	return 0;
}

static int emulate(struct ct_insn_plan *plan, enum aarch64_kind kind)
{
	plan->action = CT_INSN_EMULATE;
	plan->kind = kind;
	return 0;
}

/* Capstone's last immediate operand is the absolute target of a
 * pc-relative instruction (the page for adrp). */
static bool capstone_agrees(const cs_insn *insn, uint64_t target)
{
	const cs_arm64 *a = &insn->detail->arm64;

	for (int i = a->op_count - 1; i >= 0; i--)
		if (a->operands[i].type == ARM64_OP_IMM)
			return (uint64_t)a->operands[i].imm == target;
	return false;
}

/* Set the target of a pc-relative instruction, or reject. */
static int set_target(const cs_insn *insn, struct ct_insn_plan *plan, uint64_t target)
{
	if (!capstone_agrees(insn, target))
		return reject(plan, "pc-relative operand with an unexpected encoding");
	plan->target = target;
	return 1;
}

/* svc, hvc, smc, brk, hlt, dcps1..3: exception generation. */
static int decode_exception(uint32_t w, const cs_insn *insn CT_UNUSED, uint64_t pc CT_UNUSED,
			    struct ct_insn_plan *plan)
{
	if ((w & 0xff000000) != 0xd4000000)
		return -ENOSYS;
	switch (aarch64_bits(w, 23, 21)) {
	case 0:
		if (aarch64_bits(w, 1, 0) == 1)
			return reject(plan, "svc: a system call instruction");
		return reject(plan, "hvc/smc: a hypervisor or monitor call");
	case 1:
		return reject(plan, "brk: a breakpoint is already there");
	case 2:
		return reject(plan, "hlt: a debug halt");
	default:
		return reject(plan, "exception-generating instruction");
	}
}

/* Unconditional branch (register): br, blr, ret and their relatives. */
static int decode_branch_reg(uint32_t w, const cs_insn *insn CT_UNUSED, uint64_t pc CT_UNUSED,
			     struct ct_insn_plan *plan)
{
	uint32_t opc = aarch64_bits(w, 24, 21), op3 = aarch64_bits(w, 15, 10);

	if ((w & 0xfe000000) != 0xd6000000)
		return -ENOSYS;
	plan->reg = (uint8_t)aarch64_bits(w, 9, 5);
	switch (w & 0xfffffc1f) {
	case 0xd61f0000: /* br */
		return emulate(plan, AARCH64_K_BR);
	case 0xd63f0000: /* blr */
		plan->aux = AARCH64_F_LINK;
		return emulate(plan, AARCH64_K_BR);
	case 0xd65f0000: /* ret */
		return emulate(plan, AARCH64_K_BR);
	default:
		break;
	}
	if (opc == 4 || opc == 5)
		return reject(plan, "eret/drps: an exception return");
	if ((op3 >> 1) == 1)
		return reject(plan, "pointer-authenticated branch: the key is the tracee's");
	return reject(plan, "unallocated branch encoding");
}

/* b, bl: imm26 words from the instruction. */
static int decode_b(uint32_t w, const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan)
{
	if ((w & 0x7c000000) != 0x14000000)
		return -ENOSYS;
	if (set_target(insn, plan, pc + (uint64_t)(aarch64_sext(w, 26) * 4)) == 0)
		return 0;
	if (w & 0x80000000)
		plan->aux = AARCH64_F_LINK;
	return emulate(plan, AARCH64_K_B);
}

/* b.cond (and bc.cond, which behaves the same): imm19 words. */
static int decode_bcond(uint32_t w, const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan)
{
	if ((w & 0xff000000) != 0x54000000)
		return -ENOSYS;
	if (set_target(insn, plan, pc + (uint64_t)(aarch64_sext(w >> 5, 19) * 4)) == 0)
		return 0;
	plan->cond = (uint8_t)(w & 0xf);
	return emulate(plan, AARCH64_K_BCOND);
}

/* cbz, cbnz: sf, op (nonzero), imm19, Rt. */
static int decode_cbz(uint32_t w, const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan)
{
	if ((w & 0x7e000000) != 0x34000000)
		return -ENOSYS;
	if (set_target(insn, plan, pc + (uint64_t)(aarch64_sext(w >> 5, 19) * 4)) == 0)
		return 0;
	plan->reg = (uint8_t)aarch64_bits(w, 4, 0);
	plan->aux = (w & 0x80000000 ? AARCH64_F_SF : 0) | (w & 0x01000000 ? AARCH64_F_NONZERO : 0);
	return emulate(plan, AARCH64_K_CBZ);
}

/* tbz, tbnz: b5:b40 bit number, op (nonzero), imm14, Rt. */
static int decode_tbz(uint32_t w, const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan)
{
	if ((w & 0x7e000000) != 0x36000000)
		return -ENOSYS;
	if (set_target(insn, plan, pc + (uint64_t)(aarch64_sext(w >> 5, 14) * 4)) == 0)
		return 0;
	plan->reg = (uint8_t)aarch64_bits(w, 4, 0);
	plan->cond = (uint8_t)(aarch64_bits(w, 31, 31) << 5 | aarch64_bits(w, 23, 19));
	plan->aux = w & 0x01000000 ? AARCH64_F_NONZERO : 0;
	return emulate(plan, AARCH64_K_TBZ);
}

/* adr, adrp: immhi:immlo, 21 bits, in bytes (adr) or 4 KiB pages (adrp). */
static int decode_adr(uint32_t w, const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan)
{
	int64_t imm = aarch64_sext(aarch64_bits(w, 23, 5) << 2 | aarch64_bits(w, 30, 29), 21);
	uint64_t target;

	if ((w & 0x1f000000) != 0x10000000)
		return -ENOSYS;
	if (w & 0x80000000)
		target = (pc & ~(uint64_t)0xfff) + (uint64_t)(imm * 4096);
	else
		target = pc + (uint64_t)imm;
	if (set_target(insn, plan, target) == 0)
		return 0;
	plan->reg = (uint8_t)aarch64_bits(w, 4, 0);
	return emulate(plan, AARCH64_K_ADR);
}

/* ldr (literal), ldrsw (literal), prfm (literal): opc, V, imm19, Rt. */
static int decode_ldr_literal(uint32_t w, const cs_insn *insn, uint64_t pc,
			      struct ct_insn_plan *plan)
{
	static const uint8_t fp_size[3] = { 4, 8, 16 };
	uint32_t opc = aarch64_bits(w, 31, 30);

	if ((w & 0x3b000000) != 0x18000000)
		return -ENOSYS;
	if ((w & 0x04000000) && opc == 3)
		return reject(plan, "unallocated literal load");
	if (set_target(insn, plan, pc + (uint64_t)(aarch64_sext(w >> 5, 19) * 4)) == 0)
		return 0;
	plan->reg = (uint8_t)aarch64_bits(w, 4, 0);
	if (w & 0x04000000) {
		/* s, d, q: not in NT_PRSTATUS, so loaded for real in the slot */
		plan->aux = fp_size[opc];
		plan->action = CT_INSN_RELOCATE;
		plan->kind = AARCH64_K_LDR_FP_LIT;
		return 0;
	}
	switch (opc) {
	case 0: /* ldr wt */
		plan->aux = 4;
		break;
	case 1: /* ldr xt */
		plan->aux = 8;
		break;
	case 2: /* ldrsw xt */
		plan->aux = 4 | AARCH64_F_SIGNED;
		break;
	default: /* prfm: a hint, nothing to load */
		return emulate(plan, AARCH64_K_NOP);
	}
	return emulate(plan, AARCH64_K_LDR_LIT);
}

/* hint #imm: nop and bti are skipped; everything else in the hint space
 * (paciasp, pacibsp, autiasp, xpaclri, yield, wfe, ...) has an effect
 * and runs in the slot. */
static int decode_hint(uint32_t w, const cs_insn *insn CT_UNUSED, uint64_t pc CT_UNUSED,
		       struct ct_insn_plan *plan)
{
	uint32_t imm = aarch64_bits(w, 11, 5);

	if ((w & 0xfffff01f) != 0xd503201f)
		return -ENOSYS;
	/* nop = 0; bti, bti c, bti j, bti jc = 32, 34, 36, 38 */
	if (imm == 0 || (imm & ~6u) == 32)
		return emulate(plan, AARCH64_K_NOP);
	return -ENOSYS;
}

static int decode_exclusive(uint32_t w, const cs_insn *insn CT_UNUSED, uint64_t pc CT_UNUSED,
			    struct ct_insn_plan *plan)
{
	/* A load-exclusive runs fine from the slot: no exception comes
	 * between it and the store that follows the jump back. */
	if (!aarch64_is_store_exclusive(w))
		return -ENOSYS;
	return reject(plan, "store-exclusive: the trap clears the exclusive monitor");
}

typedef int (*decode_fn)(uint32_t w, const cs_insn *insn, uint64_t pc,
			 struct ct_insn_plan *plan);

/* Most specific first; what nobody claims is copied. */
static const decode_fn decoders[] = {
	decode_exception, decode_branch_reg, decode_b, decode_bcond, decode_cbz, decode_tbz,
	decode_adr, decode_ldr_literal, decode_hint, decode_exclusive,
};

int aarch64_analyze(const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan)
{
	uint32_t w;
	int ret;

	memset(plan, 0, sizeof(*plan));
	plan->pc = pc;
	if (!insn->detail || insn->size != AARCH64_INSN_LEN) {
		plan->action = CT_INSN_REJECT;
		plan->why = "no instruction detail";
		return -ENOTSUP;
	}
	if (pc % AARCH64_INSN_LEN) {
		plan->action = CT_INSN_REJECT;
		plan->why = "misaligned instruction address";
		return -ENOTSUP;
	}
	plan->len = AARCH64_INSN_LEN;
	memcpy(plan->bytes, insn->bytes, AARCH64_INSN_LEN);
	w = aarch64_get_insn(plan->bytes);

	for (size_t i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++) {
		ret = decoders[i](w, insn, pc, plan);
		if (ret != -ENOSYS)
			return ret;
	}
	plan->action = CT_INSN_RELOCATE;
	plan->kind = AARCH64_K_COPY;
	return 0;
}
