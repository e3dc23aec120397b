/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Load-exclusive / store-exclusive sequences.  A breakpoint between an
 * ldxr and its stxr traps into the kernel, and the exception return clears
 * the exclusive monitor: the store then fails every time and the retry loop
 * never ends.  One instruction cannot tell whether it sits inside such a
 * sequence, so this looks back from the site over the function's bytes, as
 * the kernel's is_probed_address_atomic() does for kprobes: the nearest
 * exclusive access decides.  A load-exclusive means "inside"; a
 * store-exclusive or clrex means "after".  An unconditional branch ends the
 * search too: the code after it is not reached by falling through from the
 * load.  Conditional branches do not: the compare-and-swap loop's "values
 * differ" exit (b.ne) sits between the load and the store.  ARM recommends
 * at most 128 bytes between the two, so the search stops after 32 words.
 */
#include "config.h"

#include <errno.h>

#include "arch/aarch64/aarch64.h"

#define MAX_EXCLUSIVE_WORDS 32

/*
 * Load/store exclusive: size 001000 o2 L o1 Rs o0 Rt2 Rn Rt with o2 = 0.
 * o1 = 1 is a pair (ldxp/stxp) only with size 1x; with size 0x it is casp.
 * ldar/stlr/cas have o2 = 1 and are single, complete accesses.
 */
static bool is_exclusive(uint32_t w)
{
	if ((w & 0x3f800000) != 0x08000000)
		return false;
	return !(w & 0x00200000) || (w & 0x80000000);
}

bool aarch64_is_load_exclusive(uint32_t w)
{
	return is_exclusive(w) && (w & 0x00400000);
}

bool aarch64_is_store_exclusive(uint32_t w)
{
	return is_exclusive(w) && !(w & 0x00400000);
}

static bool is_clrex(uint32_t w)
{
	return (w & 0xfffff0ff) == 0xd503305f;
}

/* b, bl, and every branch (register): br, blr, ret, eret and variants. */
static bool is_unconditional_branch(uint32_t w)
{
	return (w & 0x7c000000) == 0x14000000 || (w & 0xfe000000) == 0xd6000000;
}

int aarch64_check_site(const uint8_t *code, size_t len, uint64_t code_addr, uint64_t site,
		       const char **why)
{
	uint64_t off, stop;

	if (why)
		*why = NULL;
	if (site < code_addr || site - code_addr > len || (site - code_addr) % AARCH64_INSN_LEN)
		return -EINVAL;
	off = site - code_addr;
	stop = off > MAX_EXCLUSIVE_WORDS * AARCH64_INSN_LEN ?
		       off - MAX_EXCLUSIVE_WORDS * AARCH64_INSN_LEN : 0;
	while (off > stop) {
		uint32_t w;

		off -= AARCH64_INSN_LEN;
		w = aarch64_get_insn(code + off);
		if (aarch64_is_store_exclusive(w) || is_clrex(w) || is_unconditional_branch(w))
			return 0;
		if (aarch64_is_load_exclusive(w)) {
			if (why)
				*why = "inside an exclusive load/store sequence";
			return -ENOTSUP;
		}
	}
	return 0;
}
