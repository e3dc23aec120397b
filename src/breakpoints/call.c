/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Calling a function of the tracee (an IFUNC resolver) from a stopped
 * thread.  The function may start under one of our breakpoints (a resolver
 * we watch, or a function we trace): the call then begins past it, at the
 * displaced instruction, exactly as a thread that hit the breakpoint goes
 * on, so it never traps on our own breakpoint.
 */
#include "config.h"

#include <errno.h>

#include "breakpoints/breakpoints.h"

int ct_bpset_call(const struct ct_bpset *bs, const struct ct_injector *inj, uint64_t fn,
		  const uint64_t *args, unsigned nargs, uint64_t *retp)
{
	const struct ct_arch *arch = bs->arch;
	struct ct_mem mem = ct_pmem_as_mem(bs->mem);
	const struct ct_site *site = ct_site_at(bs, fn);
	struct ct_regs r = *inj->regs;
	uint64_t trap;
	int ret;

	if (!bs->nr_areas)
		return -EAGAIN;
	if (site && site->inserted && site->plan.action == CT_INSN_STEP)
		return -ENOTSUP; /* its copy runs only single-stepped */
	/* the first slot of the first area is `syscall; trap` */
	trap = bs->areas[0].addr + arch->syscall_len;
	arch->cancel_syscall_restart(&r);
	ret = arch->setup_call(&r, &mem, fn, trap, args, nargs);
	if (ret == 0 && site && site->inserted)
		ret = ct_site_displace(bs, site, &r);
	if (ret == 0)
		ret = ct_remote_run(inj->tid, arch, inj->regs, &r, trap);
	if (ret == 0)
		*retp = arch->retval(&r);
	return ret;
}
