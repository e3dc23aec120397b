/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capstone decoding of one instruction and the arch-free "prepare" driver:
 * decode, then let the arch classify (relocate | emulate | step | reject). */
#ifndef CT_DISASM_H
#define CT_DISASM_H

#include "arch/arch.h"

struct ct_disasm;

/* NULL with errno set on failure. */
struct ct_disasm *ct_disasm_new(const struct ct_arch *arch);
void ct_disasm_free(struct ct_disasm *d);

/* Decode the instruction at `pc` whose bytes start at code[0] (len bytes
 * available) and fill plan.  0; -EINVAL if it does not decode; -ENOTSUP if
 * the arch cannot classify it (plan->why says why).
 * On 0, plan->action is RELOCATE, EMULATE or STEP (STEP with plan->why).
 * On any error plan->action is REJECT and plan->why is set, so a caller may
 * test either the return value or the action. */
int ct_disasm_prepare(struct ct_disasm *d, const uint8_t *code, size_t len, uint64_t pc,
		      struct ct_insn_plan *plan);

/* "mnemonic operands" of the instruction at pc, for messages.  0 or -EINVAL. */
int ct_disasm_text(struct ct_disasm *d, const uint8_t *code, size_t len, uint64_t pc,
		   char *buf, size_t bufsz);

#endif
