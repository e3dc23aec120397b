/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The second unit of tests/targets/dbgsyms.c: a static dbg_same of its own,
 * and the IFUNC dbg_twice whose implementation is in dbgsyms_asm.S. */
#define TRACED __attribute__((noipa, used))

long impl_twice_asm(long);

/* another function than dbgsyms.c's dbg_same, of the same name */
TRACED static int dbg_same(int n)
{
	return n + 100;
}

TRACED int dbg_same_other(int n)
{
	return dbg_same(n) - 1;
}

/* PC-relative: right before relocation too */
static long (*resolve_dbg_twice(void))(long)
{
	return impl_twice_asm;
}

long dbg_twice(long) __attribute__((ifunc("resolve_dbg_twice")));
