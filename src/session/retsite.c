/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Return breakpoints, at the address a traced call will return to.
 *
 * At a function's entry the word at [sp] (x86_64) or x30 (aarch64) is the
 * return address only when the function was entered by a call.  A part
 * entered by a jump (gcc's *.cold fragments, a tail call from a frame that
 * reloaded x30) finds any value there: a pointer to data, to the stack, to
 * the middle of an instruction.  A breakpoint written there would corrupt
 * the program's data (an int3 byte in ld.so's _rtld_global) or its code.
 * So a return site goes only where a call instruction of executable code
 * ends exactly, or at the signal return trampoline where a handler returns
 * (arch->return_site); anything else is not a return address
 * and the frame's return cannot be seen (it is unwound when its stack is
 * left, like a frame abandoned by longjmp).
 *
 * Deciding costs a read of the maps outside modules, so the addresses found
 * not to be return addresses are remembered until the mappings change.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "session/internal.h"

#define CT_LOG_DOMAIN "stop"
#include "util/log.h"

/* Remembered "not a return address" words per address space, at most:
 * garbage words can be many and different; past this the set starts over. */
#define NOT_RA_MAX 4096

void ct_return_site_forget(struct ct_mm *mm)
{
	ct_hashmap_fini(&mm->not_ra);
	ct_hashmap_init(&mm->not_ra);
}

/* Is addr inside executable code?  [*lo, *hi): that code, so that the
 * bytes around addr are read without crossing into another mapping.  A
 * module's executable segments answer without a read of the maps; the maps
 * answer for everything else, including what lies in a module's address
 * range without being its file (the aarch64 vdso can sit between ld.so's
 * segments). */
static bool code_at(struct ct_mm *mm, uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	const struct ct_modrt *m = ct_mm_module_at(mm, addr);
	struct ct_maps maps;
	bool code = false;
	size_t i;

	if (m) {
		const struct ct_elf *elf = m->m.elf;
		uint64_t vaddr = addr - m->m.bias;

		for (i = 0; i < elf->nr_loads; i++) {
			const struct ct_elf_load *l = &elf->loads[i];

			if ((l->flags & PF_X) && vaddr >= l->vaddr && vaddr - l->vaddr < l->filesz) {
				*lo = l->vaddr + m->m.bias;
				*hi = *lo + l->filesz;
				return true;
			}
		}
	}
	if (ct_maps_read(mm->pid, &maps) < 0)
		return false;
	for (i = 0; i < maps.n; i++) {
		if (addr >= maps.v[i].start && addr < maps.v[i].end) {
			code = maps.v[i].prot & PROT_EXEC;
			*lo = maps.v[i].start;
			*hi = maps.v[i].end;
			break;
		}
	}
	ct_maps_fini(&maps);
	return code;
}

static bool is_return_address(struct ct_session *s, struct ct_mm *mm, uint64_t ra)
{
	const struct ct_arch *arch = s->arch;
	uint8_t code[64];
	uint64_t lo, hi, before, after;

	if (ra % arch->insn_align || !code_at(mm, ra, &lo, &hi))
		return false;
	before = ra - lo < arch->return_site_before ? ra - lo : arch->return_site_before;
	after = hi - ra < arch->return_site_after ? hi - ra : arch->return_site_after;
	if (before + after > sizeof(code) ||
	    ct_bpset_read_orig(&mm->bps, ra - before, code, before + after) < 0)
		return false;
	return arch->return_site(code, before + after, before);
}

int ct_return_site_ensure(struct ct_session *s, struct ct_thread *t, uint64_t ra,
			  const struct ct_regs *regs)
{
	struct ct_mm *mm = t->proc->mm;
	struct ct_site *site = ct_site_at(&mm->bps, ra);
	struct ct_injector inj = { .tid = t->tid, .regs = regs, .world_stopped = false };
	const char *why;
	uint64_t lo, hi;
	int ret;

	if (site && (site->kinds & CT_SITE_RETURN))
		return 0;
	if (ct_hashmap_get(&mm->not_ra, ra))
		return -ENOENT;
	if (!is_return_address(s, mm, ra)) {
		ct_dbg("%#lx is not a return address: no breakpoint there", (unsigned long)ra);
		if (mm->not_ra.n >= NOT_RA_MAX)
			ct_return_site_forget(mm);
		/* a cache: a failed insert only costs a later check */
		(void)ct_hashmap_put(&mm->not_ra, ra, (void *)1);
		return -ENOENT;
	}
	ret = ct_mm_check_site(s, mm, ra);
	if (ret < 0)
		return ret;
	ret = ct_mm_reach_range(s, mm, ra, &lo, &hi);
	if (ret == 0)
		ret = ct_site_add(&mm->bps, ra, CT_SITE_RETURN, NULL, lo, hi, &inj, &why);
	if (ct_remote_refusal(ret))
		ct_mm_seccomp_warn(s, mm, ret);
	else if (ret < 0 && ret != -ESRCH)
		ct_dbg("no return breakpoint at %#lx: %s", (unsigned long)ra,
		       ret == -ENOTSUP && why ? why : strerror(-ret));
	return ret;
}
