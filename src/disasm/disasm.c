/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capstone, one instruction at a time.  Each ct_disasm owns its own capstone
 * handle and instruction buffer (no global state), with detail on: the
 * arch's analyze() needs operands, groups and encoding offsets.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/disasm.h"

struct ct_disasm {
	const struct ct_arch *arch;
	csh handle;
	cs_insn *insn;
};

struct ct_disasm *ct_disasm_new(const struct ct_arch *arch)
{
	struct ct_disasm *d;

	if (!arch) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->arch = arch;
	if (cs_open((cs_arch)arch->cs_arch, (cs_mode)arch->cs_mode, &d->handle) != CS_ERR_OK) {
		free(d);
		errno = ENOTSUP;
		return NULL;
	}
	/* detail must be on before cs_malloc, which sizes the buffer for it */
	if (cs_option(d->handle, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK)
		goto fail;
	d->insn = cs_malloc(d->handle);
	if (!d->insn)
		goto fail;
	return d;

fail:
	cs_close(&d->handle);
	free(d);
	errno = ENOMEM;
	return NULL;
}

void ct_disasm_free(struct ct_disasm *d)
{
	if (!d)
		return;
	if (d->insn)
		cs_free(d->insn, 1);
	cs_close(&d->handle);
	free(d);
}

static bool decode(struct ct_disasm *d, const uint8_t *code, size_t len, uint64_t pc)
{
	const uint8_t *p = code;
	size_t n = len;
	uint64_t addr = pc;

	return cs_disasm_iter(d->handle, &p, &n, &addr, d->insn);
}

int ct_disasm_prepare(struct ct_disasm *d, const uint8_t *code, size_t len, uint64_t pc,
		      struct ct_insn_plan *plan)
{
	int ret;

	memset(plan, 0, sizeof(*plan));
	plan->pc = pc;
	if (!decode(d, code, len, pc)) {
		plan->action = CT_INSN_REJECT;
		plan->why = "instruction does not decode";
		return -EINVAL;
	}
	ret = d->arch->analyze(d->insn, pc, plan);
	if (ret < 0) {
		plan->action = CT_INSN_REJECT;
		if (!plan->why)
			plan->why = "instruction not supported";
		return ret;
	}
	return plan->action == CT_INSN_REJECT ? -ENOTSUP : 0;
}

int ct_disasm_text(struct ct_disasm *d, const uint8_t *code, size_t len, uint64_t pc, char *buf,
		   size_t bufsz)
{
	if (!decode(d, code, len, pc))
		return -EINVAL;
	if (d->insn->op_str[0])
		snprintf(buf, bufsz, "%s %s", d->insn->mnemonic, d->insn->op_str);
	else
		snprintf(buf, bufsz, "%s", d->insn->mnemonic);
	return 0;
}
