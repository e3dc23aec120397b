/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aarch64 generic timer: the virtual count (cntvct_el0) runs at the fixed
 * frequency of cntfrq_el0 and keeps counting in low-power states (the
 * architecture requires both), so it is always CT_TICKS_STABLE.  The `isb`
 * keeps the read from being hoisted before earlier instructions.
 */
#include "config.h"

#include "arch/ticks.h"

#ifdef __aarch64__
uint64_t ct_ticks_now(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

const char *ct_ticks_name(void)
{
	return "cntvct";
}

unsigned ct_ticks_host_flags(void)
{
	return CT_TICKS_STABLE;
}
#endif
