/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_64 backend internals: the NT_PRSTATUS layout, the instruction kinds
 * decode.c hands to relocate.c and emulate.c, and the hooks the table in
 * arch.c points at.  Nothing outside src/arch/x86_64/ includes this file;
 * everyone else goes through ct_arch_x86_64.
 */
#ifndef CT_ARCH_X86_64_H
#define CT_ARCH_X86_64_H

#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"

/* struct user_regs_struct from <sys/user.h>, declared here so that this
 * backend builds (and its tests run) on any host, as strace does for its
 * personalities.  regs.c checks it against the host header on x86_64. */
struct x86_64_user_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};

/* Index of a register in struct ct_regs.w[]. */
#define X86_64_W(field) (offsetof(struct x86_64_user_regs, field) / sizeof(uint64_t))
#define X86_64_NR_WORDS (sizeof(struct x86_64_user_regs) / sizeof(uint64_t))

/* Register names as --regs and jsonl show them, in the usual order. */
#define X86_64_NR_REGS 27
extern const struct ct_reg_desc x86_64_reg_desc[X86_64_NR_REGS];

/* plan->kind: how decode.c classified an instruction. */
enum x86_64_kind {
	X86_64_K_COPY = 1, /* copied; a rip-relative disp32 (disp_size 4) re-encoded */
	X86_64_K_NOP,      /* EMULATE: pc += len (nop forms, endbr64) */
	X86_64_K_JMP,      /* EMULATE: pc = target (jmp rel8/rel32) */
	X86_64_K_JCC,      /* jcc rel8/rel32; cond = condition nibble */
	X86_64_K_LOOP,     /* jrcxz/jecxz/loop/loope/loopne: prefixes+opcode, then rel8 */
	X86_64_K_CALL_REL, /* call rel32 */
	X86_64_K_CALL_IND, /* call r/m (FF /2); reg = offset of ModRM in bytes[] */
};

/* plan->aux flags */
#define X86_64_F_NO_JUMP_BACK 0x1u /* ret, jmp r/m: control never falls through */

/* regs.c */
uint64_t x86_64_pc(const struct ct_regs *r);
void x86_64_set_pc(struct ct_regs *r, uint64_t pc);
uint64_t x86_64_sp(const struct ct_regs *r);
void x86_64_record_regs(struct ct_regs *r, bool is_return, uint64_t pc, uint64_t sp,
			const uint64_t a[6]);
uint64_t x86_64_thread_pointer(const struct ct_regs *r);
uint64_t x86_64_arg(const struct ct_regs *r, unsigned n);
uint64_t x86_64_retval(const struct ct_regs *r);
uint64_t x86_64_bp_addr(const struct ct_regs *r);
uint64_t x86_64_trap_rewind(const struct ct_regs *r);
int x86_64_return_addr(const struct ct_regs *r, const struct ct_mem *mem, uint64_t *ra);
uint64_t x86_64_sp_after_return(uint64_t entry_sp);
void x86_64_cancel_syscall_restart(struct ct_regs *r);
void x86_64_set_syscall(struct ct_regs *r, long nr, const uint64_t args[6]);
long x86_64_syscall_ret(const struct ct_regs *r);
int x86_64_setup_call(struct ct_regs *r, const struct ct_mem *mem, uint64_t fn,
		      uint64_t ret_addr, const uint64_t *args, unsigned nargs);
/* Little-endian 8-byte accesses through a ct_mem, whatever the host. */
int x86_64_read_u64(const struct ct_mem *mem, uint64_t addr, uint64_t *val);
int x86_64_write_u64(const struct ct_mem *mem, uint64_t addr, uint64_t val);

/* decode.c */
/* Is the decoded instruction (with detail) in capstone group? */
bool x86_64_in_group(const cs_insn *insn, uint8_t group);
int x86_64_analyze(const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan);

/* relocate.c */
int x86_64_relocate(const struct ct_insn_plan *plan, struct ct_codebuf *cb);
int x86_64_emit_jump(struct ct_codebuf *cb, uint64_t to);
int x86_64_relocate_inline(const struct ct_insn_plan *plan, struct ct_codebuf *cb, bool *ends);
int x86_64_step_fixup(const struct ct_insn_plan *plan, uint64_t slot, struct ct_regs *r,
		      const struct ct_mem *mem);

/* emulate.c */
int x86_64_emulate(const struct ct_insn_plan *plan, struct ct_regs *r, const struct ct_mem *mem);

/* abi.c */
int x86_64_abi_locate(const struct ct_sig *sig, struct ct_vloc *params, struct ct_vloc *ret);

/* patchsite.c */
int x86_64_patch_site(const uint8_t *code, size_t len, uint64_t addr, struct ct_patch_site *site);

/* tramp.c */
int x86_64_tramp_entry(const struct ct_patch_site *site, const uint8_t *code,
		       const struct ct_tramp_ctx *ctx, struct ct_codebuf *cb);
int x86_64_tramp_exit(const struct ct_patch_site *site, size_t exit_index, const uint8_t *code,
		      const struct ct_tramp_ctx *ctx, struct ct_codebuf *cb);
int x86_64_patch_jump(uint64_t at, uint64_t to, size_t len, uint8_t *out);
#define X86_64_TRAMP_MAX_SIZE 2048
/* offsetof(struct user, u_debugreg) (<sys/user.h>; checked in regs.c) */
#define X86_64_DEBUGREG_USER_OFFSET 848

/* callsite.c */
bool x86_64_return_site(const uint8_t *code, size_t len, size_t at);

#endif
