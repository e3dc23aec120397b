/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The counter on a host with no backend of its own (neither x86_64 nor
 * aarch64): CLOCK_MONOTONIC in ns, so calltrap still builds and its tests
 * still run.  The fast path is not offered there.
 */
#include "config.h"

#include "arch/ticks.h"

#if !defined(__x86_64__) && !defined(__aarch64__)
#include <time.h>

uint64_t ct_ticks_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *ct_ticks_name(void)
{
	return "monotonic";
}

unsigned ct_ticks_host_flags(void)
{
	return CT_TICKS_STABLE;
}
#endif
