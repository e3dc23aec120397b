/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's cycle counter, read by calltrap itself (calibration, the fast
 * path's heartbeat) and, in the same units, by the injected trampolines:
 * x86_64 `rdtsc`, aarch64 `isb; mrs cntvct_el0`.  Unlike struct ct_arch
 * this is the running host's counter, not a table for any ISA; the pure
 * parts (cpuinfo flags) are built and tested on every host.
 */
#ifndef CT_ARCH_TICKS_H
#define CT_ARCH_TICKS_H

#include <stdint.h>

/* The counter's rate does not follow the CPU's frequency (x86 constant_tsc). */
#define CT_TICKS_CONSTANT 1u
/* It keeps counting in deep idle states (x86 nonstop_tsc). */
#define CT_TICKS_NONSTOP 2u
#define CT_TICKS_STABLE (CT_TICKS_CONSTANT | CT_TICKS_NONSTOP)

/* The counter now (on a host without one: CLOCK_MONOTONIC ns). */
uint64_t ct_ticks_now(void);
/* CT_TICKS_* of this host's counter. */
unsigned ct_ticks_host_flags(void);
/* The counter's name for people: "tsc", "cntvct". */
const char *ct_ticks_name(void);

/* Pure: CT_TICKS_* from the text of x86_64 /proc/cpuinfo (the flags of
 * its first processor). */
unsigned x86_64_tsc_flags(const char *cpuinfo);

#endif
