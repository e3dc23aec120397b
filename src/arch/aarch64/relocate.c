/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Out-of-line code for one displaced instruction, written against the
 * slot's address in the tracee (cb->pc), as frida's gumarm64relocator does.
 *
 * Every slot ends with a direct `b` back to the original code, never with
 * `ldr x16, =addr; br x16`: that would clobber x16 and a br lands with
 * PSTATE.BTYPE set, which faults on any non-BTI instruction of a guarded
 * page.  So a slot must lie within +-128 MiB of its site; relocate returns
 * -ERANGE otherwise.  The slot pages themselves must not be PROT_BTI: a
 * thread enters them by a pc we set, with the BTYPE its brk trap saved.
 *
 * Slot layouts (at most 32 bytes from a 16-byte aligned slot):
 *   copy        insn; b pc+4
 *   ldr literal ldr <s|d|q>t, lit; b pc+4; zero padding; lit: <4|8|16 bytes>
 * The literal load reads a copy of the literal taken at relocation time;
 * literal pools live in read-only text and rodata, so the copy stays true.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "arch/aarch64/aarch64.h"

/* b from the current position to `to`: -ERANGE beyond imm26. */
static int emit_b(struct ct_codebuf *cb, uint64_t to)
{
	int64_t rel = (int64_t)(to - ct_codebuf_here(cb));

	if (rel < -AARCH64_B_RANGE || rel >= AARCH64_B_RANGE || rel % AARCH64_INSN_LEN)
		return -ERANGE;
	return ct_codebuf_put_u32(cb, AARCH64_INSN_B | ((uint32_t)(rel / 4) & 0x03ffffff));
}

/* Only a direct b: no distance beyond it can be jumped without a scratch
 * register, and a br would fault on landing in a guarded page. */
int aarch64_emit_jump(struct ct_codebuf *cb, uint64_t to)
{
	return emit_b(cb, to);
}

/* Both layouts jump back from their second word, slot + 4, to pc + 4:
 * check the distance before writing anything. */
static bool back_in_reach(const struct ct_insn_plan *plan, const struct ct_codebuf *cb)
{
	int64_t rel = (int64_t)(plan->pc - ct_codebuf_here(cb));

	return rel >= -AARCH64_B_RANGE && rel < AARCH64_B_RANGE;
}

static int relocate_copy(const struct ct_insn_plan *plan, struct ct_codebuf *cb)
{
	int ret;

	if (!back_in_reach(plan, cb))
		return -ERANGE;
	ret = ct_codebuf_put(cb, plan->bytes, AARCH64_INSN_LEN);
	return ret < 0 ? ret : emit_b(cb, plan->pc + AARCH64_INSN_LEN);
}

/* ldr s/d/q (literal) from a copy of its literal placed after the jump
 * back, aligned to its size. */
static int relocate_ldr_fp_literal(const struct ct_insn_plan *plan, struct ct_codebuf *cb,
				   const struct ct_mem *mem)
{
	unsigned size = AARCH64_AUX_SIZE(plan->aux);
	uint64_t start = ct_codebuf_here(cb), lit;
	uint8_t value[16];
	uint32_t w;
	int ret;

	if (!mem)
		return -ENOTSUP;
	if (size != 4 && size != 8 && size != 16)
		return -EINVAL;
	if (!back_in_reach(plan, cb))
		return -ERANGE;
	ret = mem->read(mem->ctx, plan->target, value, size);
	if (ret < 0)
		return ret;
	lit = (start + 2 * AARCH64_INSN_LEN + size - 1) & ~(uint64_t)(size - 1);
	/* same opc, V and Rt; imm19 = words from this ldr to the copy */
	w = aarch64_get_insn(plan->bytes) & ~(0x7ffffu << 5);
	w |= (uint32_t)((lit - start) / 4) << 5;
	if ((ret = ct_codebuf_put_u32(cb, w)) < 0 ||
	    (ret = emit_b(cb, plan->pc + AARCH64_INSN_LEN)) < 0)
		return ret;
	while (ct_codebuf_here(cb) < lit)
		if ((ret = ct_codebuf_put_u8(cb, 0)) < 0)
			return ret;
	return ct_codebuf_put(cb, value, size);
}

int aarch64_relocate_mem(const struct ct_insn_plan *plan, struct ct_codebuf *cb,
			 const struct ct_mem *mem)
{
	if (plan->action != CT_INSN_RELOCATE)
		return -EINVAL;
	switch (plan->kind) {
	case AARCH64_K_COPY:
		return relocate_copy(plan, cb);
	case AARCH64_K_LDR_FP_LIT:
		return relocate_ldr_fp_literal(plan, cb, mem);
	default:
		return -EINVAL;
	}
}

/* Without memory access: everything but the s/d/q literal loads, which
 * give -ENOTSUP here (relocate_mem handles them). */
int aarch64_relocate(const struct ct_insn_plan *plan, struct ct_codebuf *cb)
{
	return aarch64_relocate_mem(plan, cb, NULL);
}

/* aarch64 never plans STEP: every instruction is relocated, emulated or
 * rejected. */
int aarch64_step_fixup(const struct ct_insn_plan *plan CT_UNUSED, uint64_t slot CT_UNUSED,
		       struct ct_regs *r CT_UNUSED, const struct ct_mem *mem CT_UNUSED)
{
	return -EINVAL;
}
