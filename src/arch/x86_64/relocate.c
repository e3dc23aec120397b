/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Out-of-line code for one displaced instruction, written against the slot's
 * address in the tracee (cb->pc), never against the host buffer (frida's
 * gumx86relocator does the same).  One small writer per instruction family.
 * The longest output, call [rip+x] with prefixes and an absolute jump back,
 * is 20 + 15 + 14 = 49 bytes, within a 64-byte slot.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "arch/x86_64/x86_64.h"

#define JMP_REL32_LEN 5
#define JMP_ABS_LEN 14

static bool fits_s32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

/* ff 25 00 00 00 00 <u64>: jmp [rip+0], the address stored just after it. */
static int emit_jump_abs(struct ct_codebuf *cb, uint64_t to)
{
	static const uint8_t jmp_rip0[] = { 0xff, 0x25, 0x00, 0x00, 0x00, 0x00 };
	int ret;

	ret = ct_codebuf_put(cb, jmp_rip0, sizeof(jmp_rip0));
	return ret < 0 ? ret : ct_codebuf_put_u64(cb, to);
}

int x86_64_emit_jump(struct ct_codebuf *cb, uint64_t to)
{
	int64_t rel = (int64_t)(to - (ct_codebuf_here(cb) + JMP_REL32_LEN));
	int ret;

	if (!fits_s32(rel))
		return emit_jump_abs(cb, to);
	ret = ct_codebuf_put_u8(cb, 0xe9);
	return ret < 0 ? ret : ct_codebuf_put_u32(cb, (uint32_t)(int32_t)rel);
}

/*
 * The original instruction (bytes, with the ModRM byte at modrm_off replaced
 * by `modrm` when modrm_off != 0), its rip-relative disp32 re-encoded so that
 * it still names plan->target from ct_codebuf_here(cb).
 */
static int emit_insn(const struct ct_insn_plan *plan, struct ct_codebuf *cb, unsigned modrm_off,
		     uint8_t modrm)
{
	uint8_t b[sizeof(plan->bytes)];

	memcpy(b, plan->bytes, plan->len);
	if (modrm_off)
		b[modrm_off] = modrm;
	if (plan->disp_size == 4) {
		int64_t disp = (int64_t)(plan->target - (ct_codebuf_here(cb) + plan->len));
		uint32_t d = (uint32_t)(int32_t)disp;

		if (!fits_s32(disp))
			return -ERANGE;
		for (unsigned i = 0; i < 4; i++)
			b[plan->disp_off + i] = (uint8_t)(d >> (8 * i));
	}
	return ct_codebuf_put(cb, b, plan->len);
}

static int relocate_copy(const struct ct_insn_plan *plan, struct ct_codebuf *cb)
{
	int ret;

	ret = emit_insn(plan, cb, 0, 0);
	if (ret < 0 || (plan->aux & X86_64_F_NO_JUMP_BACK))
		return ret;
	return x86_64_emit_jump(cb, plan->pc + plan->len);
}

/*
 * jcc, jrcxz, loop: `head rel8` over the jump back (not taken), then an
 * absolute jump to the target (taken).  `head` is the short opcode with any
 * prefix that changes its meaning (0x67 turns jrcxz into jecxz).
 */
static int relocate_short_branch(const struct ct_insn_plan *plan, struct ct_codebuf *cb,
				 const uint8_t *head, size_t head_len)
{
	size_t rel8_at;
	int ret;

	ret = ct_codebuf_put(cb, head, head_len);
	if (ret < 0)
		return ret;
	rel8_at = cb->len;
	ret = ct_codebuf_put_u8(cb, 0);
	if (ret < 0)
		return ret;
	ret = x86_64_emit_jump(cb, plan->pc + plan->len);
	if (ret < 0)
		return ret;
	cb->buf[rel8_at] = (uint8_t)(cb->len - (rel8_at + 1));
	return emit_jump_abs(cb, plan->target);
}

/*
 * What `call` pushes, without touching the flags (push imm32 would
 * sign-extend, so the two halves are stored separately):
 *   48 8d 64 24 f8        lea rsp, [rsp - 8]
 *   c7 04 24 <lo32>       mov dword ptr [rsp], lo32
 *   c7 44 24 04 <hi32>    mov dword ptr [rsp + 4], hi32
 */
static int emit_push_u64(struct ct_codebuf *cb, uint64_t val)
{
	static const uint8_t lea[] = { 0x48, 0x8d, 0x64, 0x24, 0xf8 };
	static const uint8_t mov_lo[] = { 0xc7, 0x04, 0x24 };
	static const uint8_t mov_hi[] = { 0xc7, 0x44, 0x24, 0x04 };
	int ret;

	if ((ret = ct_codebuf_put(cb, lea, sizeof(lea))) < 0 ||
	    (ret = ct_codebuf_put(cb, mov_lo, sizeof(mov_lo))) < 0 ||
	    (ret = ct_codebuf_put_u32(cb, (uint32_t)val)) < 0 ||
	    (ret = ct_codebuf_put(cb, mov_hi, sizeof(mov_hi))) < 0)
		return ret;
	return ct_codebuf_put_u32(cb, (uint32_t)(val >> 32));
}

static int relocate_call_rel(const struct ct_insn_plan *plan, struct ct_codebuf *cb)
{
	int ret;

	ret = emit_push_u64(cb, plan->pc + plan->len);
	return ret < 0 ? ret : x86_64_emit_jump(cb, plan->target);
}

/* call r/m (FF /2) becomes push + jmp r/m (FF /4), same operand. */
static int relocate_call_ind(const struct ct_insn_plan *plan, struct ct_codebuf *cb)
{
	uint8_t modrm = (uint8_t)((plan->bytes[plan->reg] & ~0x38) | (4 << 3));
	int ret;

	ret = emit_push_u64(cb, plan->pc + plan->len);
	return ret < 0 ? ret : emit_insn(plan, cb, plan->reg, modrm);
}

int x86_64_relocate(const struct ct_insn_plan *plan, struct ct_codebuf *cb)
{
	uint8_t jcc = (uint8_t)(0x70 | plan->cond);

	/* STEP: the instruction alone; step_fixup does the rest. */
	if (plan->action == CT_INSN_STEP)
		return emit_insn(plan, cb, 0, 0);
	if (plan->action != CT_INSN_RELOCATE)
		return -EINVAL;

	switch (plan->kind) {
	case X86_64_K_COPY:
		return relocate_copy(plan, cb);
	case X86_64_K_JCC:
		return relocate_short_branch(plan, cb, &jcc, 1);
	case X86_64_K_LOOP:
		/* prefixes and opcode, everything but the rel8 */
		return relocate_short_branch(plan, cb, plan->bytes, plan->disp_off);
	case X86_64_K_CALL_REL:
		return relocate_call_rel(plan, cb);
	case X86_64_K_CALL_IND:
		return relocate_call_ind(plan, cb);
	default:
		return -EINVAL;
	}
}

/*
 * The instruction inside a run of straight-line code (the fast path's
 * trampolines): like relocate(), but an instruction that falls through
 * continues with whatever is emitted next instead of jumping back to
 * plan->pc + plan->len.  *ends tells that control never falls through (a
 * ret, a jmp).  Nops are dropped; a direct jmp becomes a jump to its
 * target.  A call is refused (-ENOTSUP): relocated, it would return into
 * the patched bytes (patch_site refuses it as CT_PATCH_CALL_DISPLACED).
 *   jcc/loop:  <head> 02        (taken: over the next jump)
 *              eb <n>           jmp over the jump to the target
 *              <jump to target>
 */
int x86_64_relocate_inline(const struct ct_insn_plan *plan, struct ct_codebuf *cb, bool *ends)
{
	uint8_t jcc = (uint8_t)(0x70 | plan->cond);
	size_t skip_at;
	int ret;

	*ends = false;
	if (plan->action == CT_INSN_EMULATE && plan->kind == X86_64_K_NOP)
		return 0;
	if (plan->action == CT_INSN_EMULATE && plan->kind == X86_64_K_JMP) {
		*ends = true;
		return x86_64_emit_jump(cb, plan->target);
	}
	if (plan->action != CT_INSN_RELOCATE)
		return -ENOTSUP;
	switch (plan->kind) {
	case X86_64_K_COPY:
		*ends = (plan->aux & X86_64_F_NO_JUMP_BACK) != 0;
		return emit_insn(plan, cb, 0, 0);
	case X86_64_K_JCC:
	case X86_64_K_LOOP:
		if (plan->kind == X86_64_K_JCC)
			ret = ct_codebuf_put(cb, &jcc, 1);
		else
			ret = ct_codebuf_put(cb, plan->bytes, plan->disp_off);
		if (ret < 0 || (ret = ct_codebuf_put(cb, (const uint8_t[]){ 0x02, 0xeb, 0x00 }, 3)) < 0)
			return ret;
		skip_at = cb->len - 1;
		ret = x86_64_emit_jump(cb, plan->target);
		if (ret < 0)
			return ret;
		cb->buf[skip_at] = (uint8_t)(cb->len - (skip_at + 1));
		return 0;
	default:
		return -ENOTSUP;
	}
}

/*
 * After single-stepping the copy at `slot`: a call pushed slot + len, which
 * must read as the original return address (we never leave a slot address
 * on the stack).  An instruction that fell through continues after the
 * original.  A step that did not execute the copy (rip == slot) is left alone.
 */
int x86_64_step_fixup(const struct ct_insn_plan *plan, uint64_t slot, struct ct_regs *r,
		      const struct ct_mem *mem)
{
	uint64_t rip = x86_64_pc(r);
	uint64_t ret_addr;
	int ret;

	if (rip == slot)
		return 0;
	if (plan->kind == X86_64_K_CALL_IND) {
		uint64_t sp = x86_64_sp(r);

		ret = x86_64_read_u64(mem, sp, &ret_addr);
		if (ret < 0)
			return ret;
		if (ret_addr == slot + plan->len) {
			ret = x86_64_write_u64(mem, sp, plan->pc + plan->len);
			if (ret < 0)
				return ret;
		}
	}
	if (rip == slot + plan->len)
		x86_64_set_pc(r, plan->pc + plan->len);
	return 0;
}
