/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the breakpoints of an address space go: the entry sites of the
 * functions the patterns select, kept in step with that selection, and the
 * internal sites that tell us when the set of modules changes (mm.c): the
 * dynamic linker's r_brk (_dl_debug_state, called before and after every
 * change of the library list, see <link.h>) and the program's entry point
 * (start-up finished: every initial library is mapped and relocated, so
 * IFUNC resolvers can run).  A library dlopen'ed later is relocated only
 * after the hit that finds it, so its selected IFUNCs get a third kind of
 * internal breakpoint, on their resolvers (module_relocated).
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/fast.h"
#include "session/internal.h"

#define CT_LOG_DOMAIN "mm"
#include "util/log.h"

/* How far back arch->check_site looks (aarch64: 32 instructions). */
#define CHECK_SITE_WINDOW 128

int ct_mm_check_site(struct ct_session *s, struct ct_mm *mm, uint64_t addr)
{
	struct ct_modrt *m = ct_mm_module_at(mm, addr);
	const struct ct_symbol *fn;
	uint8_t code[CHECK_SITE_WINDOW];
	uint64_t start;
	const char *why = NULL;
	int ret;

	if (!s->arch->check_site || !m)
		return 0;
	fn = ct_elf_symbol_at(m->m.elf, addr - m->m.bias);
	if (!fn)
		return 0;
	start = fn->value + m->m.bias;
	if (addr - start > CHECK_SITE_WINDOW)
		start = addr - CHECK_SITE_WINDOW;
	if (addr == start || ct_bpset_read_orig(&mm->bps, start, code, addr - start) < 0)
		return 0;
	ret = s->arch->check_site(code, addr - start, start, addr, &why);
	if (ret == -ENOTSUP) {
		ct_warn("%s: no breakpoint in %s at %#lx: %s", m->m.name,
			fn->demangled && !s->opts.no_demangle ? fn->demangled : fn->name,
			(unsigned long)addr, why ? why : "refused");
		return ret;
	}
	return 0;
}

static int add_site(struct ct_session *s, struct ct_mm *mm, struct ct_modrt *m, uint64_t addr,
		    unsigned kind, struct ct_func *f, const struct ct_injector *inj)
{
	const char *why;
	int ret;

	ret = ct_site_add(&mm->bps, addr, kind, f, m->m.lo, m->m.hi, inj, &why);
	if (ret == -ENOTSUP || ret == -EINVAL) {
		ct_warn("%s: cannot trace %s at %#lx: %s", m->m.name, f ? f->name : "(internal)",
			(unsigned long)addr, why ? why : strerror(-ret));
		if (f)
			f->refused = true;
		return 0;
	}
	if (ct_remote_refusal(ret) && mm->bps.nr_areas) {
		/* a module out of reach of our scratch pages: it goes untraced */
		ct_mm_seccomp_warn(s, mm, ret);
		if (f)
			f->refused = true;
		return 0;
	}
	if (ct_remote_refusal(ret)) {
		ct_session_set_error(s, "%s mmap, which calltrap needs to inject",
				     ct_remote_refusal(ret));
		return ret;
	}
	if (ret < 0 && ret != -ESRCH)
		ct_session_set_error(s, "placing a breakpoint in %s at %#lx: %s", m->m.name,
				     (unsigned long)addr, strerror(-ret));
	return ret;
}

/* Run an IFUNC resolver in inj's thread with args; f->addr is then the
 * implementation it returned, which must lie in the code of a module (a
 * resolver that read unrelocated data would return rubbish, and a
 * breakpoint must never go there). */
static int resolve_ifunc(struct ct_session *s, struct ct_mm *mm, struct ct_func *f,
			 uint64_t resolver, const struct ct_injector *inj, const uint64_t *args,
			 unsigned nargs)
{
	const struct ct_modrt *home;
	uint64_t impl = 0;
	int ret;

	ret = ct_bpset_call(&mm->bps, inj, resolver, args, nargs, &impl);
	if (ret == -ESRCH)
		return ret;
	if (ret < 0) {
		ct_warn("cannot resolve IFUNC %s: %s", f->name, strerror(-ret));
		return ret;
	}
	s->stats.stops_internal++;
	home = ct_mm_module_at(mm, impl);
	if (!home || impl < home->m.text_lo || impl >= home->m.text_hi) {
		ct_warn("cannot resolve IFUNC %s: its resolver returned %#lx, in no module's code",
			f->name, (unsigned long)impl);
		return -EFAULT;
	}
	f->addr = impl;
	return 0;
}

/* The resolver of m's IFUNC funcs[i]: that of the symbol ct_elf_symbol
 * prefers for its name; 0 when there is none. */
static uint64_t ifunc_resolver(const struct ct_modrt *m, size_t i)
{
	const struct ct_symbol *sym = ct_elf_symbol(m->m.elf, m->m.elf->syms[i].name);

	return sym ? sym->value + m->m.bias : 0;
}

/*
 * May m's IFUNC resolvers run?  Only once the dynamic linker relocated m:
 * before, a resolver reads an unrelocated GOT (libm's faults).  Modules
 * mapped during start-up are relocated when it ends (ct_mm_startup_done).
 * A library dlopen'ed later is found at the RT_CONSISTENT r_brk hit, which
 * glibc signals before relocating it; it is relocated once the maps show
 * its RELRO read-only (ct_module_relocated).  Until then its IFUNCs are
 * resolved when the program itself runs their resolvers (ct_mm_resolver_hit).
 */
static bool module_relocated(struct ct_mm *mm, struct ct_modrt *m)
{
	struct ct_maps maps;

	if (m->relocated)
		return true;
	if (ct_maps_read(mm->pid, &maps) < 0)
		return false;
	m->relocated = ct_module_relocated(&m->m, &maps) == 1;
	ct_maps_fini(&maps);
	return m->relocated;
}

static bool func_of(const struct ct_modrt *m, const struct ct_func *f)
{
	return f >= m->funcs && f < m->funcs + m->nr_funcs;
}

static bool is_ifunc(const struct ct_modrt *m, const struct ct_func *f)
{
	return m->m.elf->syms[f - m->funcs].type == CT_SYM_IFUNC;
}

/* Entry sites of m's functions that are no longer selected: an alias at the
 * same address that is still selected takes the site over, else the site
 * loses its entry kind (a return site at the same address stays). */
static int module_unarm(struct ct_session *s, struct ct_mm *mm, struct ct_modrt *m)
{
	size_t it = 0, i;
	uint64_t key;
	void *val;
	int ret;

	/* the fast path's functions no longer selected lose their jumps */
	for (i = 0; i < m->nr_funcs; i++) {
		if (!m->funcs[i].fast || m->funcs[i].selected)
			continue;
		ret = ct_fast_unarm(s, mm, &m->funcs[i]);
		if (ret < 0) {
			ct_session_set_error(s, "removing the jumps of %s: %s", m->funcs[i].name,
					     strerror(-ret));
			return ret;
		}
	}
	it = 0;
	while (ct_hashmap_next(&mm->bps.sites, &it, &key, &val)) {
		struct ct_site *site = val;
		struct ct_func *alt = NULL;

		if (!(site->kinds & CT_SITE_ENTRY) || !site->func || !func_of(m, site->func) ||
		    site->func->selected)
			continue;
		for (i = 0; i < m->nr_funcs && !alt; i++)
			if (m->funcs[i].selected && !m->funcs[i].refused &&
			    m->funcs[i].addr == site->addr)
				alt = &m->funcs[i];
		if (alt) {
			/* the same code: what was learnt about it holds */
			alt->has_lr_slot = site->func->has_lr_slot;
			alt->lr_slot_off = site->func->lr_slot_off;
			site->func = alt;
			continue;
		}
		ret = ct_site_remove(&mm->bps, site->addr, CT_SITE_ENTRY);
		if (ret < 0 && ret != -ESRCH) {
			ct_session_set_error(s, "removing the breakpoint of %s: %s", site->func ?
					     site->func->name : "?", strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* Place the entry sites of a module's selected functions that have none.
 * An IFUNC is resolved first, by running its resolver now when the module
 * is relocated (module_relocated), else through a site on the resolver,
 * hit when the program runs it; never before start-up is done.  Aliases
 * share an address: one site, for the first name. */
int ct_mm_arm_module(struct ct_session *s, struct ct_mm *mm, struct ct_modrt *m,
		     const struct ct_injector *inj)
{
	uint64_t last = 0, hwcap = 0;
	int relocated = -1; /* module_relocated(), asked once */
	size_t i;
	int ret;

	for (i = 0; i < m->nr_funcs; i++) {
		struct ct_func *f = &m->funcs[i];
		const struct ct_site *site;
		bool ifunc = is_ifunc(m, f);

		if (!f->selected || f->refused || f->fast)
			continue;
		if (!ifunc && f->addr == last)
			continue;
		if (!ifunc)
			last = f->addr;
		if (!f->addr) {
			uint64_t resolver = ifunc_resolver(m, i);

			if (!mm->started)
				continue;
			/* A local IFUNC is called only through its module's own
			 * IRELATIVE slot, which the dynamic linker filled, and its
			 * resolver may do more than choose (glibc's __x86_cacheinfo
			 * is the cache set-up): it never runs again for us.  Its
			 * implementation is traced by its own name. */
			if (!resolver || !m->m.elf->syms[i].global) {
				f->refused = true;
				continue;
			}
			if (relocated < 0)
				relocated = module_relocated(mm, m);
			if (!relocated) {
				ret = add_site(s, mm, m, resolver, CT_SITE_RESOLVER, f, inj);
				if (ret < 0)
					return ret;
				continue;
			}
			/* glibc's aarch64 resolvers take the hwcap as first
			 * argument (x86_64 ones take none) */
			if (!hwcap)
				ct_proc_auxv(mm->pid, AT_HWCAP, &hwcap);
			ret = resolve_ifunc(s, mm, f, resolver, inj, &hwcap, 1);
			if (ret == -ESRCH)
				return ret;
			if (ret < 0) {
				f->refused = true;
				continue;
			}
		}
		/* placed already (by this name, or an alias's; a resolved IFUNC
		 * names the site of its implementation) */
		site = ct_site_at(&mm->bps, f->addr);
		if (site && site->inserted && (site->kinds & CT_SITE_ENTRY) && site->func &&
		    site->func->selected && (site->func == f || !ifunc))
			continue;
		ret = add_site(s, mm, m, f->addr, CT_SITE_ENTRY, f, inj);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int ct_mm_sync(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj)
{
	size_t i;
	int ret;

	for (i = 0; i < mm->nr_mods; i++) {
		struct ct_modrt *m = mm->mods[i];

		ret = module_unarm(s, mm, m);
		if (ret == 0)
			ret = ct_mm_arm_module(s, mm, m, inj);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int ct_mm_arm_internal(struct ct_session *s, struct ct_mm *mm, struct ct_modrt *m,
		       const struct ct_injector *inj)
{
	const struct ct_symbol *brk = ct_elf_symbol(m->m.elf, "_dl_debug_state");
	int ret = 0;

	if (brk && !mm->has_rbrk) {
		mm->has_rbrk = true;
		ret = add_site(s, mm, m, brk->value + m->m.bias, CT_SITE_RBRK, NULL, inj);
	}
	if (ret == 0 && m->is_main && !mm->started)
		ret = add_site(s, mm, m, m->m.elf->entry + m->m.bias, CT_SITE_START, NULL, inj);
	if (ret == 0)
		ret = ct_mm_arm_nonlocal(s, mm, m, inj);
	return ret;
}

/* The program runs an IFUNC resolver of a module that was not relocated
 * when its IFUNCs were selected: whatever the resolver reads is ready now,
 * or the program's own call would fail.  Run it first, with the arguments
 * of that call (glibc's on aarch64: hwcap and __ifunc_arg_t), for every
 * pending IFUNC it resolves, then place their entry sites before the
 * program can get the implementation's address. */
int ct_mm_resolver_hit(struct ct_session *s, struct ct_mm *mm, struct ct_thread *t,
		       const struct ct_site *site, const struct ct_regs *regs)
{
	struct ct_injector inj = { .tid = t->tid, .regs = regs, .world_stopped = false };
	struct ct_modrt *m = ct_mm_module_at(mm, site->addr);
	uint64_t args[2], impl = 0;
	bool mine = false, called = false;
	size_t i;
	int ret;

	if (!m)
		return 0;
	args[0] = s->arch->arg(regs, 0);
	args[1] = s->arch->arg(regs, 1);
	for (i = 0; i < m->nr_funcs; i++) {
		struct ct_func *f = &m->funcs[i];

		if (!f->selected || f->refused || !is_ifunc(m, f) ||
		    ifunc_resolver(m, i) != site->addr)
			continue;
		mine = true;
		/* resolved already: by an alias, or in the address space this
		 * one was forked from (they share the functions, not the sites) */
		if (f->addr)
			continue;
		/* aliases share the resolver: one call for all */
		if (!called) {
			called = true;
			ret = resolve_ifunc(s, mm, f, site->addr, &inj, args, 2);
			if (ret == -ESRCH)
				return ret;
			impl = f->addr;
		}
		f->addr = impl;
		f->refused = !impl;
	}
	return mine ? ct_mm_arm_module(s, mm, m, &inj) : 0;
}
