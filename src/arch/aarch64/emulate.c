/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Instructions the tracer performs on the NT_PRSTATUS image, one small
 * function per family (the kernel's arch/arm64/kernel/probes/simulate-insn.c).
 * Each leaves pc at the target or at pc + 4, and PSTATE.BTYPE clear: the
 * brk trap saved the BTYPE of the branch that reached the site, and a pc
 * moved by us into a guarded page would otherwise fault on the next
 * instruction (the kernel's arm64_skip_faulting_instruction clears it too).
 */
#include "config.h"

#include <errno.h>

#include "arch/aarch64/aarch64.h"

bool aarch64_cond_holds(unsigned cond, uint64_t pstate)
{
	bool n = pstate & AARCH64_PSTATE_N, z = pstate & AARCH64_PSTATE_Z;
	bool c = pstate & AARCH64_PSTATE_C, v = pstate & AARCH64_PSTATE_V;
	bool res;

	switch ((cond >> 1) & 7) {
	case 0: /* eq, ne */
		res = z;
		break;
	case 1: /* cs, cc */
		res = c;
		break;
	case 2: /* mi, pl */
		res = n;
		break;
	case 3: /* vs, vc */
		res = v;
		break;
	case 4: /* hi, ls */
		res = c && !z;
		break;
	case 5: /* ge, lt */
		res = n == v;
		break;
	case 6: /* gt, le */
		res = n == v && !z;
		break;
	default: /* al, nv: both always */
		return true;
	}
	return (cond & 1) ? !res : res;
}

static uint64_t next_pc(const struct ct_insn_plan *plan)
{
	return plan->pc + AARCH64_INSN_LEN;
}

static void branch_if(const struct ct_insn_plan *plan, struct ct_regs *r, bool taken)
{
	aarch64_set_pc(r, taken ? plan->target : next_pc(plan));
}

static int emulate_b(const struct ct_insn_plan *plan, struct ct_regs *r)
{
	if (plan->aux & AARCH64_F_LINK)
		aarch64_set_xreg(r, AARCH64_W_LR, next_pc(plan));
	aarch64_set_pc(r, plan->target);
	return 0;
}

static int emulate_bcond(const struct ct_insn_plan *plan, struct ct_regs *r)
{
	branch_if(plan, r, aarch64_cond_holds(plan->cond, r->w[AARCH64_W_PSTATE]));
	return 0;
}

static int emulate_cbz(const struct ct_insn_plan *plan, struct ct_regs *r)
{
	uint64_t v = aarch64_xreg(r, plan->reg);

	if (!(plan->aux & AARCH64_F_SF))
		v &= 0xffffffffu;
	branch_if(plan, r, (v != 0) == !!(plan->aux & AARCH64_F_NONZERO));
	return 0;
}

static int emulate_tbz(const struct ct_insn_plan *plan, struct ct_regs *r)
{
	bool set = (aarch64_xreg(r, plan->reg) >> plan->cond) & 1;

	branch_if(plan, r, set == !!(plan->aux & AARCH64_F_NONZERO));
	return 0;
}

static int emulate_adr(const struct ct_insn_plan *plan, struct ct_regs *r)
{
	aarch64_set_xreg(r, plan->reg, plan->target);
	aarch64_set_pc(r, next_pc(plan));
	return 0;
}

/* The load happens even into xzr (it may fault), as in hardware. */
static int emulate_ldr_literal(const struct ct_insn_plan *plan, struct ct_regs *r,
			       const struct ct_mem *mem)
{
	unsigned size = AARCH64_AUX_SIZE(plan->aux);
	uint8_t b[8];
	uint64_t v = 0;
	int ret;

	if (size != 4 && size != 8)
		return -EINVAL;
	ret = mem->read(mem->ctx, plan->target, b, size);
	if (ret < 0)
		return ret;
	for (unsigned i = size; i-- > 0;)
		v = v << 8 | b[i];
	if (plan->aux & AARCH64_F_SIGNED)
		v = (uint64_t)aarch64_sext(v, 32);
	aarch64_set_xreg(r, plan->reg, v);
	aarch64_set_pc(r, next_pc(plan));
	return 0;
}

/* blr x30 reads its target before writing the link. */
static int emulate_br(const struct ct_insn_plan *plan, struct ct_regs *r)
{
	uint64_t target = aarch64_xreg(r, plan->reg);

	if (plan->aux & AARCH64_F_LINK)
		aarch64_set_xreg(r, AARCH64_W_LR, next_pc(plan));
	aarch64_set_pc(r, target);
	return 0;
}

int aarch64_emulate(const struct ct_insn_plan *plan, struct ct_regs *r, const struct ct_mem *mem)
{
	int ret;

	if (plan->action != CT_INSN_EMULATE)
		return -EINVAL;
	switch (plan->kind) {
	case AARCH64_K_NOP:
		aarch64_set_pc(r, next_pc(plan));
		ret = 0;
		break;
	case AARCH64_K_B:
		ret = emulate_b(plan, r);
		break;
	case AARCH64_K_BCOND:
		ret = emulate_bcond(plan, r);
		break;
	case AARCH64_K_CBZ:
		ret = emulate_cbz(plan, r);
		break;
	case AARCH64_K_TBZ:
		ret = emulate_tbz(plan, r);
		break;
	case AARCH64_K_ADR:
		ret = emulate_adr(plan, r);
		break;
	case AARCH64_K_LDR_LIT:
		ret = emulate_ldr_literal(plan, r, mem);
		break;
	case AARCH64_K_BR:
		ret = emulate_br(plan, r);
		break;
	default:
		return -ENOTSUP;
	}
	if (ret == 0)
		aarch64_clear_btype(r);
	return ret;
}
