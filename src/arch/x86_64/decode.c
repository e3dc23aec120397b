/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Classify the instruction displaced by a breakpoint (the kernel's
 * arch/arm64/kernel/probes/decode-insn.c plays the same part for uprobes):
 *
 *   EMULATE   endbr64 and every nop form (pc += len); jmp rel8/rel32 (pc = target)
 *   RELOCATE  anything position-independent, copied byte for byte;
 *             a rip-relative operand with its disp32 re-encoded for the slot;
 *             jcc, jrcxz/jecxz, loop/loope/loopne turned into a short branch
 *             over the jump back, then an absolute jump to the target;
 *             call rel32 and call r/m as a push of the original return address
 *             followed by a jump (never a return address inside a slot);
 *             ret and jmp r/m copied with no jump back
 *   STEP      call through rsp-relative memory: the push would move the operand
 *   REJECT    int3/int1 (a breakpoint already there), xbegin, far branches,
 *             any other relative branch, 16-bit branch targets, eip-relative
 *
 * Displacements are read from the instruction bytes and cross-checked against
 * capstone's detail, so a capstone encoding quirk (4.0.2 reports a wrong
 * disp_size for some prefixed nops) can only reject, never mis-relocate.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "arch/x86_64/x86_64.h"

bool x86_64_in_group(const cs_insn *insn, uint8_t group)
{
	const cs_detail *d = insn->detail;

	for (unsigned i = 0; i < d->groups_count; i++)
		if (d->groups[i] == group)
			return true;
	return false;
}

static int32_t get_s32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

static int reject(struct ct_insn_plan *plan, const char *why)
{
	plan->action = CT_INSN_REJECT;
	plan->why = why;
	return 0;
}

/* The memory operand of the instruction, if any. */
static const cs_x86_op *mem_operand(const cs_x86 *x)
{
	for (unsigned i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_MEM)
			return &x->operands[i];
	return NULL;
}

/*
 * Record a rip-relative disp32 in the plan (disp_off, disp_size = 4 and the
 * absolute address in target).  0 when there is none; -1 (with plan
 * rejected) for an operand we cannot re-encode.  A rip-relative ModRM is
 * mod=00 rm=101 with the disp32 right after it; the disp is relative to the
 * end of the instruction, which is why trailing immediates do not matter.
 */
static int find_riprel(const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan)
{
	const cs_x86 *x = &insn->detail->x86;
	const cs_x86_op *op = mem_operand(x);
	unsigned modrm = x->encoding.modrm_offset;
	unsigned off = x->encoding.disp_offset;

	if (!op)
		return 0;
	if (op->mem.base == X86_REG_EIP) {
		reject(plan, "eip-relative operand");
		return -1;
	}
	if (op->mem.base != X86_REG_RIP)
		return 0;
	if (modrm == 0 || modrm >= plan->len || (plan->bytes[modrm] & 0xc7) != 0x05 ||
	    off != modrm + 1 || off + 4 > plan->len ||
	    get_s32(&plan->bytes[off]) != (int32_t)op->mem.disp) {
		reject(plan, "rip-relative operand with an unexpected encoding");
		return -1;
	}
	plan->disp_off = (uint8_t)off;
	plan->disp_size = 4;
	plan->target = pc + plan->len + (int64_t)get_s32(&plan->bytes[off]);
	return 0;
}

/* The target of a relative branch, from its trailing rel8/rel32. */
static int branch_target(const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan)
{
	const cs_x86 *x = &insn->detail->x86;
	unsigned off = x->encoding.imm_offset;
	unsigned size = x->encoding.imm_size;
	int64_t rel;

	/* With 0x66, AMD truncates the new rip to 16 bits and Intel does not. */
	if ((size != 1 && size != 4) || off == 0 || off + size != plan->len) {
		reject(plan, "relative branch with an unusual operand size");
		return -1;
	}
	rel = size == 1 ? (int8_t)plan->bytes[off] : get_s32(&plan->bytes[off]);
	plan->target = pc + plan->len + rel;
	plan->disp_off = (uint8_t)off;
	plan->disp_size = (uint8_t)size;
	return 0;
}

static int analyze_jmp(const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan)
{
	const cs_x86 *x = &insn->detail->x86;

	if (x->opcode[0] == 0xeb || x->opcode[0] == 0xe9) {
		if (branch_target(insn, pc, plan) < 0)
			return 0;
		plan->action = CT_INSN_EMULATE;
		plan->kind = X86_64_K_JMP;
		return 0;
	}
	/* FF /4: the target comes from a register or memory, not from rip. */
	if (find_riprel(insn, pc, plan) < 0)
		return 0;
	plan->action = CT_INSN_RELOCATE;
	plan->kind = X86_64_K_COPY;
	plan->aux = X86_64_F_NO_JUMP_BACK;
	return 0;
}

static bool is_stack_reg(x86_reg reg)
{
	return reg == X86_REG_RSP || reg == X86_REG_ESP || reg == X86_REG_SP;
}

static int analyze_call(const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan)
{
	const cs_x86 *x = &insn->detail->x86;
	const cs_x86_op *op;
	unsigned modrm = x->encoding.modrm_offset;

	if (x->opcode[0] == 0xe8) {
		if (branch_target(insn, pc, plan) < 0)
			return 0;
		if (plan->disp_size != 4)
			return reject(plan, "call with an unusual operand size");
		plan->action = CT_INSN_RELOCATE;
		plan->kind = X86_64_K_CALL_REL;
		return 0;
	}
	if (x->opcode[0] != 0xff || modrm == 0 || modrm >= plan->len ||
	    ((plan->bytes[modrm] >> 3) & 7) != 2 || x->op_count != 1)
		return reject(plan, "unrecognised call encoding");

	plan->kind = X86_64_K_CALL_IND;
	plan->reg = (uint8_t)modrm;
	op = &x->operands[0];
	/* We push the return address before the call's operand is read, which
	 * would move an rsp-relative operand by 8: step the copy instead. */
	if ((op->type == X86_OP_MEM && (is_stack_reg(op->mem.base) ||
					is_stack_reg(op->mem.index))) ||
	    (op->type == X86_OP_REG && is_stack_reg(op->reg))) {
		plan->action = CT_INSN_STEP;
		plan->why = "call through rsp-relative memory";
		return 0;
	}
	if (find_riprel(insn, pc, plan) < 0)
		return 0;
	plan->action = CT_INSN_RELOCATE;
	return 0;
}

static bool is_jcc_opcode(const cs_x86 *x)
{
	return (x->opcode[0] >= 0x70 && x->opcode[0] <= 0x7f) ||
	       (x->opcode[0] == 0x0f && x->opcode[1] >= 0x80 && x->opcode[1] <= 0x8f);
}

static int analyze_jcc(const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan)
{
	const cs_x86 *x = &insn->detail->x86;

	if (branch_target(insn, pc, plan) < 0)
		return 0;
	plan->cond = (x->opcode[0] == 0x0f ? x->opcode[1] : x->opcode[0]) & 0x0f;
	plan->action = CT_INSN_RELOCATE;
	plan->kind = X86_64_K_JCC;
	return 0;
}

static int analyze_loop(const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan)
{
	if (branch_target(insn, pc, plan) < 0)
		return 0;
	if (plan->disp_size != 1)
		return reject(plan, "loop/jrcxz with an unusual operand size");
	plan->cond = plan->bytes[plan->disp_off - 1]; /* the opcode, e0..e3 */
	plan->action = CT_INSN_RELOCATE;
	plan->kind = X86_64_K_LOOP;
	return 0;
}

int x86_64_analyze(const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan)
{
	const cs_x86 *x;

	memset(plan, 0, sizeof(*plan));
	plan->pc = pc;
	if (!insn->detail || insn->size == 0 || insn->size > sizeof(plan->bytes)) {
		plan->action = CT_INSN_REJECT;
		plan->why = "no instruction detail";
		return -ENOTSUP;
	}
	x = &insn->detail->x86;
	plan->len = (uint8_t)insn->size;
	memcpy(plan->bytes, insn->bytes, insn->size);

	switch (insn->id) {
	case X86_INS_INT3:
		return reject(plan, "int3: a breakpoint is already there");
	case X86_INS_INT1:
		return reject(plan, "int1: a debug trap");
	case X86_INS_INT:
		if (x->op_count == 1 && x->operands[0].type == X86_OP_IMM &&
		    x->operands[0].imm == 3)
			return reject(plan, "int 3: a breakpoint is already there");
		break;
	case X86_INS_XBEGIN:
		return reject(plan, "xbegin: relative abort target inside a transaction");
	case X86_INS_LCALL:
	case X86_INS_LJMP:
		return reject(plan, "far call or jump");
	case X86_INS_ENDBR64:
	case X86_INS_ENDBR32:
	case X86_INS_NOP:
		plan->action = CT_INSN_EMULATE;
		plan->kind = X86_64_K_NOP;
		return 0;
	case X86_INS_JMP:
		return analyze_jmp(insn, pc, plan);
	case X86_INS_CALL:
		return analyze_call(insn, pc, plan);
	case X86_INS_JRCXZ:
	case X86_INS_JECXZ:
	case X86_INS_LOOP:
	case X86_INS_LOOPE:
	case X86_INS_LOOPNE:
		return analyze_loop(insn, pc, plan);
	default:
		break;
	}

	if (x86_64_in_group(insn, X86_GRP_BRANCH_RELATIVE)) {
		if (is_jcc_opcode(x))
			return analyze_jcc(insn, pc, plan);
		return reject(plan, "unhandled relative branch");
	}
	if (find_riprel(insn, pc, plan) < 0)
		return 0;
	plan->action = CT_INSN_RELOCATE;
	plan->kind = X86_64_K_COPY;
	if (x86_64_in_group(insn, X86_GRP_RET) || x86_64_in_group(insn, X86_GRP_IRET))
		plan->aux = X86_64_F_NO_JUMP_BACK;
	return 0;
}
