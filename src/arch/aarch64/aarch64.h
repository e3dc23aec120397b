/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aarch64 backend internals: the NT_PRSTATUS layout, the A64 encoding
 * helpers, the instruction kinds decode.c hands to relocate.c and
 * emulate.c, and the hooks the table in arch.c points at.  Nothing outside
 * src/arch/aarch64/ includes this file; everyone else goes through
 * ct_arch_aarch64.
 */
#ifndef CT_ARCH_AARCH64_H
#define CT_ARCH_AARCH64_H

#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"

/* struct user_pt_regs from <asm/ptrace.h>, declared here so that this
 * backend builds (and its tests run) on any host.  regs.c checks it
 * against the host header on aarch64. */
struct aarch64_user_regs {
	uint64_t x[31]; /* x29 is the frame pointer, x30 the link register */
	uint64_t sp;
	uint64_t pc;
	uint64_t pstate;
};

/* Indices in struct ct_regs.w[]. */
#define AARCH64_W_X(n) (n)
#define AARCH64_W_LR 30
#define AARCH64_W_SP (offsetof(struct aarch64_user_regs, sp) / sizeof(uint64_t))
#define AARCH64_W_PC (offsetof(struct aarch64_user_regs, pc) / sizeof(uint64_t))
#define AARCH64_W_PSTATE (offsetof(struct aarch64_user_regs, pstate) / sizeof(uint64_t))
#define AARCH64_NR_WORDS (sizeof(struct aarch64_user_regs) / sizeof(uint64_t))

/* PSTATE bits (the kernel's PSR_*_BIT and PSR_BTYPE_MASK). */
#define AARCH64_PSTATE_N (1ull << 31)
#define AARCH64_PSTATE_Z (1ull << 30)
#define AARCH64_PSTATE_C (1ull << 29)
#define AARCH64_PSTATE_V (1ull << 28)
#define AARCH64_PSTATE_BTYPE (3ull << 10)

/* Register 31 as an operand: the zero register, except where it means sp. */
#define AARCH64_ZR 31

/* Register names as --regs and jsonl show them: x0..x30, sp, pc, pstate. */
#define AARCH64_NR_REGS 34
extern const struct ct_reg_desc aarch64_reg_desc[AARCH64_NR_REGS];

/* Every A64 instruction is one little-endian word. */
#define AARCH64_INSN_LEN 4

/* Encodings the backend writes. */
#define AARCH64_INSN_B 0x14000000u   /* b, imm26 in bits 25:0 */
#define AARCH64_INSN_BRK0 0xd4200000u /* brk #0 */
#define AARCH64_INSN_SVC0 0xd4000001u /* svc #0 */
#define AARCH64_B_RANGE (1ll << 27)    /* b reaches [pc - 128 MiB, pc + 128 MiB) */

static inline uint32_t aarch64_get_insn(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Bits hi..lo of w, as an unsigned field. */
static inline uint32_t aarch64_bits(uint32_t w, unsigned hi, unsigned lo)
{
	return (w >> lo) & (uint32_t)((1ull << (hi - lo + 1)) - 1);
}

/* Sign-extend the low `bits` bits of v. */
static inline int64_t aarch64_sext(uint64_t v, unsigned bits)
{
	uint64_t m = 1ull << (bits - 1);

	v &= (1ull << bits) - 1;
	return (int64_t)((v ^ m) - m);
}

/* plan->kind: how decode.c classified an instruction. */
enum aarch64_kind {
	AARCH64_K_COPY = 1, /* RELOCATE: copied verbatim, then b back */
	AARCH64_K_LDR_FP_LIT, /* RELOCATE: ldr s/d/q literal from a copy of the
			       * literal in the slot; aux = size 4|8|16, reg = Rt */
	AARCH64_K_NOP,      /* EMULATE: pc += 4 (nop, bti, prfm literal) */
	AARCH64_K_B,        /* EMULATE: b/bl to target; aux & F_LINK for bl */
	AARCH64_K_BCOND,    /* EMULATE: b.cond to target; cond = condition */
	AARCH64_K_CBZ,      /* EMULATE: cbz/cbnz reg; aux F_SF, F_NONZERO */
	AARCH64_K_TBZ,      /* EMULATE: tbz/tbnz reg, bit `cond`; aux F_NONZERO */
	AARCH64_K_ADR,      /* EMULATE: reg = target (adr, adrp) */
	AARCH64_K_LDR_LIT,  /* EMULATE: reg = [target]; aux size 4|8, F_SIGNED */
	AARCH64_K_BR,       /* EMULATE: br/blr/ret reg; aux & F_LINK for blr */
};

/* plan->aux flags (above the size, which takes the low byte) */
#define AARCH64_F_LINK 0x100u    /* writes x30 = pc + 4 */
#define AARCH64_F_SF 0x200u      /* 64-bit register operand */
#define AARCH64_F_NONZERO 0x400u /* cbnz, tbnz: branch when not zero */
#define AARCH64_F_SIGNED 0x800u  /* ldrsw */
#define AARCH64_AUX_SIZE(aux) ((aux) & 0xffu)

/* regs.c */
uint64_t aarch64_pc(const struct ct_regs *r);
void aarch64_set_pc(struct ct_regs *r, uint64_t pc);
uint64_t aarch64_sp(const struct ct_regs *r);
uint64_t aarch64_arg(const struct ct_regs *r, unsigned n);
uint64_t aarch64_retval(const struct ct_regs *r);
uint64_t aarch64_bp_addr(const struct ct_regs *r);
uint64_t aarch64_trap_rewind(const struct ct_regs *r);
int aarch64_return_addr(const struct ct_regs *r, const struct ct_mem *mem, uint64_t *ra);
uint64_t aarch64_sp_after_return(uint64_t entry_sp);
void aarch64_cancel_syscall_restart(struct ct_regs *r);
void aarch64_set_syscall(struct ct_regs *r, long nr, const uint64_t args[6]);
long aarch64_syscall_ret(const struct ct_regs *r);
int aarch64_setup_call(struct ct_regs *r, const struct ct_mem *mem, uint64_t fn,
		       uint64_t ret_addr, const uint64_t *args, unsigned nargs);
/* General register n as an operand where 31 is the zero register. */
uint64_t aarch64_xreg(const struct ct_regs *r, unsigned n);
/* Write general register n; 31 (the zero register) discards the value. */
void aarch64_set_xreg(struct ct_regs *r, unsigned n, uint64_t v);
/* Forget PSTATE.BTYPE, as the kernel's arm64_skip_faulting_instruction does
 * when it moves a pc: a guarded page would fault on the next instruction. */
void aarch64_clear_btype(struct ct_regs *r);

/* decode.c */
int aarch64_analyze(const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan);

/* relocate.c */
int aarch64_relocate(const struct ct_insn_plan *plan, struct ct_codebuf *cb);
int aarch64_relocate_mem(const struct ct_insn_plan *plan, struct ct_codebuf *cb,
			 const struct ct_mem *mem);
int aarch64_emit_jump(struct ct_codebuf *cb, uint64_t to);
int aarch64_step_fixup(const struct ct_insn_plan *plan, uint64_t slot, struct ct_regs *r,
		       const struct ct_mem *mem);

/* emulate.c */
int aarch64_emulate(const struct ct_insn_plan *plan, struct ct_regs *r, const struct ct_mem *mem);
/* ConditionHolds() of the ARM ARM for a 4-bit condition and a pstate. */
bool aarch64_cond_holds(unsigned cond, uint64_t pstate);

/* exclusive.c */
int aarch64_lr_slot(const uint8_t *code, size_t len, int32_t *off);
int aarch64_check_site(const uint8_t *code, size_t len, uint64_t code_addr, uint64_t site,
		       const char **why);
bool aarch64_is_load_exclusive(uint32_t w);
bool aarch64_is_store_exclusive(uint32_t w);

/* abi.c */
int aarch64_abi_locate(const struct ct_sig *sig, struct ct_vloc *params, struct ct_vloc *ret);

/* callsite.c */
bool aarch64_return_site(const uint8_t *code, size_t len, size_t at);

#endif
