/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/targets/libifunc.so, loaded at run time by the ifunc target.
 * twice(x) = 2 * x is an IFUNC whose resolver is right only in a relocated
 * library: it reads ifunc_variant through the GOT (R_*_GLOB_DAT: 0 before
 * relocation, so the resolver faults) and picks the implementation from a
 * table of function pointers (R_*_RELATIVE: link-time addresses before).
 * glibc finds a dlopen'ed library (RT_CONSISTENT) before it relocates it,
 * so a tracer that runs the resolver then gets nothing, or rubbish.
 */
#include "config.h"

#define TRACED __attribute__((noipa, used))

TRACED static long twice_add(long x)
{
	asm volatile("");
	return x + x;
}

TRACED static long twice_mul(long x)
{
	asm volatile("");
	return x * 2;
}

/* default visibility and -fPIC: reached through the GOT */
__attribute__((visibility("default"))) int ifunc_variant = 1;

static long (*const impls[2])(long) = { twice_add, twice_mul };

static long (*resolve_twice(void))(long)
{
	return impls[ifunc_variant & 1];
}

__attribute__((visibility("default"))) long twice(long x) __attribute__((ifunc("resolve_twice")));
