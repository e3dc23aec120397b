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

/*
 * A local IFUNC whose resolver has a side effect, as glibc's own
 * __x86_cacheinfo (its resolver is the cache set-up): the dynamic linker
 * runs it once, for the module's own IRELATIVE reference; no tracer may
 * run it again (ifunc_local_runs tells).
 */
static int local_runs;

TRACED static long plus_one_impl(long x)
{
	asm volatile("");
	return x + 1;
}

static long (*resolve_plus_one(void))(long)
{
	local_runs++;
	return plus_one_impl;
}

static long plus_one(long x) __attribute__((ifunc("resolve_plus_one"), used));

__attribute__((visibility("default"), noipa)) long ifunc_local_call(long x)
{
	return plus_one(x);
}

__attribute__((visibility("default"), noipa)) int ifunc_local_runs(void)
{
	return local_runs;
}
