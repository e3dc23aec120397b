/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to src/breakpoints: slot allocation in scratch areas. */
#ifndef CT_SCRATCH_H
#define CT_SCRATCH_H

#include "breakpoints/breakpoints.h"

/* A slot within reach of [lo, hi), mapping a new area if needed. */
int ct_scratch_alloc(struct ct_bpset *bs, uint64_t lo, uint64_t hi, const struct ct_injector *inj,
		     uint64_t *slot);
const struct ct_scratch *ct_scratch_find(const struct ct_bpset *bs, uint64_t pc);

#endif
