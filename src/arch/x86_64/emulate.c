/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Instructions the tracer performs itself: only the pc changes. */
#include "config.h"

#include <errno.h>

#include "arch/x86_64/x86_64.h"

int x86_64_emulate(const struct ct_insn_plan *plan, struct ct_regs *r,
		   const struct ct_mem *mem CT_UNUSED)
{
	if (plan->action != CT_INSN_EMULATE)
		return -EINVAL;
	switch (plan->kind) {
	case X86_64_K_NOP:
		x86_64_set_pc(r, plan->pc + plan->len);
		return 0;
	case X86_64_K_JMP:
		x86_64_set_pc(r, plan->target);
		return 0;
	default:
		return -ENOTSUP;
	}
}
