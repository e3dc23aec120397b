/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address spaces: which modules are mapped, which of their functions the
 * patterns select, and the two internal breakpoints that tell us when the
 * set of modules changes: the dynamic linker's r_brk (_dl_debug_state,
 * called before and after every change of the library list, see <link.h>;
 * each hit rescans /proc/PID/maps) and the program's entry point (start-up
 * finished: every initial library is mapped and relocated, so IFUNC
 * resolvers can run).  A library dlopen'ed later is relocated only after
 * the hit that finds it, so its selected IFUNCs get a third kind of
 * internal breakpoint, on their resolvers (module_relocated).
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session/internal.h"

#define CT_LOG_DOMAIN "mm"
#include "util/log.h"

static uint64_t find_gap(void *ctx, uint64_t near, uint64_t lo, uint64_t hi, uint64_t len)
{
	struct ct_mm *mm = ctx;
	struct ct_maps maps;
	uint64_t gap;

	if (ct_maps_read(mm->pid, &maps) < 0)
		return 0;
	gap = ct_maps_find_gap(&maps, near, lo, hi, len);
	ct_maps_fini(&maps);
	return gap;
}

static struct ct_mm *mm_alloc(pid_t pid)
{
	struct ct_mm *mm = calloc(1, sizeof(*mm));
	int ret;

	if (!mm)
		return NULL;
	mm->refs = 1;
	mm->pid = pid;
	ct_hashmap_init(&mm->not_ra);
	ret = ct_pmem_open(&mm->mem, pid);
	if (ret < 0) {
		free(mm);
		errno = -ret;
		return NULL;
	}
	return mm;
}

static struct ct_mm *mm_fail(struct ct_mm *mm, int err)
{
	ct_hashmap_fini(&mm->not_ra);
	ct_pmem_close(&mm->mem);
	free(mm);
	errno = -err;
	return NULL;
}

/* Under the session's guardian, if it has one.  Without it (the guardian
 * died: it said so) tracing goes on. */
static void mm_guard(struct ct_session *s, struct ct_mm *mm)
{
	int ret;

	if (!s->guard)
		return;
	ret = ct_bpset_guard(&mm->bps, s->guard);
	if (ret < 0)
		ct_dbg("process %d: no guardian: %s", (int)mm->pid, strerror(-ret));
}

struct ct_mm *ct_mm_new(struct ct_session *s, pid_t pid)
{
	struct ct_mm *mm = mm_alloc(pid);
	int ret;

	if (!mm)
		return NULL;
	ret = ct_bpset_init(&mm->bps, s->arch, &mm->mem, find_gap, mm);
	if (ret < 0)
		return mm_fail(mm, ret);
	mm_guard(s, mm);
	return mm;
}

struct ct_mm *ct_mm_fork(struct ct_session *s, const struct ct_mm *parent, pid_t pid)
{
	struct ct_mm *mm = mm_alloc(pid);
	int ret;

	if (!mm)
		return NULL;
	ret = ct_bpset_clone(&mm->bps, &parent->bps, &mm->mem);
	if (ret < 0)
		return mm_fail(mm, ret);
	mm->bps.gap_ctx = mm;
	mm->mods = malloc((parent->nr_mods + 1) * sizeof(*mm->mods));
	if (!mm->mods) {
		ct_bpset_fini(&mm->bps);
		return mm_fail(mm, -ENOMEM);
	}
	memcpy(mm->mods, parent->mods, parent->nr_mods * sizeof(*mm->mods));
	mm->nr_mods = parent->nr_mods;
	mm->has_rbrk = parent->has_rbrk;
	mm->started = parent->started;
	mm->checked_patterns = parent->checked_patterns;
	/* its copy of our breakpoints is there since the fork */
	mm_guard(s, mm);
	return mm;
}

void ct_mm_put(struct ct_session *s, struct ct_mm *mm)
{
	(void)s;
	if (!mm || --mm->refs > 0)
		return;
	ct_bpset_fini(&mm->bps);
	ct_hashmap_fini(&mm->not_ra);
	ct_pmem_close(&mm->mem);
	free(mm->mods);
	free(mm);
}

struct ct_modrt *ct_mm_module_at(const struct ct_mm *mm, uint64_t addr)
{
	size_t i;

	for (i = 0; i < mm->nr_mods; i++)
		if (!mm->mods[i]->gone && addr >= mm->mods[i]->m.lo && addr < mm->mods[i]->m.hi)
			return mm->mods[i];
	return NULL;
}

int ct_mm_reach_range(struct ct_session *s, struct ct_mm *mm, uint64_t addr, uint64_t *lo,
		      uint64_t *hi)
{
	struct ct_modrt *m = ct_mm_module_at(mm, addr);
	struct ct_maps maps;
	size_t i;
	int ret;

	(void)s;
	if (m) {
		*lo = m->m.lo;
		*hi = m->m.hi;
		return 0;
	}
	/* code outside any ELF module (JIT, vdso): its own mapping */
	ret = ct_maps_read(mm->pid, &maps);
	if (ret < 0)
		return ret;
	ret = -EFAULT;
	for (i = 0; i < maps.n; i++) {
		if (addr >= maps.v[i].start && addr < maps.v[i].end) {
			*lo = maps.v[i].start;
			*hi = maps.v[i].end;
			ret = 0;
			break;
		}
	}
	ct_maps_fini(&maps);
	return ret;
}

void ct_mm_seccomp_warn(struct ct_session *s, struct ct_mm *mm, int err)
{
	(void)s;
	if (mm->seccomp_warned)
		return;
	mm->seccomp_warned = true;
	ct_warn("process %d: %s mmap, which calltrap needs to inject for code out of reach of "
		"its first scratch pages: that code is not traced",
		(int)mm->pid, ct_remote_refusal(err));
}

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

/* name is a ct_func's (demangled for a C++ function, unless no_demangle):
 * the patterns see its symbol-table name too. */
bool ct_mm_wanted(struct ct_session *s, const struct ct_modrt *m, const char *name)
{
	const char *sym = ct_elf_mangled(m->m.elf, name);
	bool want = s->opts.patterns &&
		    ct_patterns_match_sym(s->opts.patterns, m->m.name, m->is_main, name, sym);
	size_t i;

	for (i = 0; i < s->nr_edits; i++)
		if (s->edits[i].add != want &&
		    ct_patterns_match_sym(&s->edits[i].one, m->m.name, m->is_main, name, sym))
			want = s->edits[i].add;
	return want;
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

	(void)s;
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
static int module_arm(struct ct_session *s, struct ct_mm *mm, struct ct_modrt *m,
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

		if (!f->selected || f->refused)
			continue;
		if (!ifunc && f->addr == last)
			continue;
		if (!ifunc)
			last = f->addr;
		if (!f->addr) {
			uint64_t resolver = ifunc_resolver(m, i);

			if (!mm->started)
				continue;
			if (!resolver) {
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

		if (m->gone)
			continue;
		ret = module_unarm(s, mm, m);
		if (ret == 0)
			ret = module_arm(s, mm, m, inj);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The functions of a newly mapped module, and which the patterns select.
 * C++ names are demangled here, once per symbol: events name a function by
 * ct_func.name. */
static int module_select(struct ct_session *s, struct ct_modrt *m)
{
	const struct ct_elf *elf = m->m.elf;
	size_t i;
	int ret;

	if (!s->opts.no_demangle) {
		ret = ct_elf_demangle(m->m.elf);
		if (ret < 0)
			return ret;
	}
	m->funcs = calloc(elf->nr_syms ? elf->nr_syms : 1, sizeof(*m->funcs));
	if (!m->funcs)
		return -ENOMEM;
	for (i = 0; i < elf->nr_syms; i++) {
		const struct ct_symbol *sym = &elf->syms[i];
		struct ct_func *f = &m->funcs[i];

		f->name = sym->demangled && !s->opts.no_demangle ? sym->demangled : sym->name;
		f->module = m->m.name;
		f->addr = sym->type == CT_SYM_IFUNC ? 0 : sym->value + m->m.bias;
		f->size = sym->type == CT_SYM_IFUNC ? 0 : sym->size;
		f->selected = ct_mm_wanted(s, m, f->name);
	}
	m->nr_funcs = elf->nr_syms;
	return 0;
}

static bool is_main_exe(pid_t pid, const char *path)
{
	char link[64], exe[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	return strcmp(exe, path) == 0;
}

static int mm_adopt(struct ct_session *s, struct ct_mm *mm, struct ct_module *mod,
		    struct ct_modrt **out)
{
	struct ct_modrt *m = calloc(1, sizeof(*m)), **v;

	if (!m)
		return -ENOMEM;
	m->m = *mod;
	m->is_main = is_main_exe(mm->pid, mod->path);
	v = realloc(s->all_mods, (s->nr_all_mods + 1) * sizeof(*v));
	if (!v)
		goto nomem;
	s->all_mods = v;
	s->all_mods[s->nr_all_mods++] = m;
	v = realloc(mm->mods, (mm->nr_mods + 1) * sizeof(*v));
	if (!v) {
		s->nr_all_mods--;
		goto nomem;
	}
	mm->mods = v;
	mm->mods[mm->nr_mods++] = m;
	*out = m;
	return module_select(s, m);
nomem:
	free(m);
	return -ENOMEM;
}

/* A module unmapped by dlclose: forget its sites without touching the
 * memory, which may already hold another library. */
static void mm_forget(struct ct_mm *mm, struct ct_modrt *m)
{
	m->gone = true;
	ct_bpset_forget(&mm->bps, m->m.lo, m->m.hi);
}

static int arm_internal(struct ct_session *s, struct ct_mm *mm, struct ct_modrt *m,
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
	return ret;
}

int ct_mm_scan(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj)
{
	struct ct_module *mods = NULL;
	struct ct_maps maps;
	size_t nr = 0, i, j, old_nr = mm->nr_mods;
	bool *seen;
	int ret;

	/* what was not code may be now */
	ct_return_site_forget(mm);
	ret = ct_maps_read(mm->pid, &maps);
	if (ret < 0)
		return ret;
	ret = ct_modules_from_maps(mm->pid, &maps, &mods, &nr);
	ct_maps_fini(&maps);
	if (ret < 0)
		return ret;
	seen = calloc(old_nr + 1, sizeof(*seen));
	if (!seen) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr; i++) {
		struct ct_modrt *m = NULL;

		for (j = 0; j < old_nr; j++) {
			if (!mm->mods[j]->gone && mm->mods[j]->m.lo == mods[i].lo &&
			    strcmp(mm->mods[j]->m.path, mods[i].path) == 0) {
				seen[j] = true;
				break;
			}
		}
		if (j < old_nr) {
			ct_module_fini(&mods[i]);
			continue;
		}
		ret = mm_adopt(s, mm, &mods[i], &m);
		if (ret < 0) {
			if (!m)
				ct_module_fini(&mods[i]);
			goto out_rest;
		}
		ct_dbg("module %s at %#lx bias %#lx: %zu functions", m->m.name,
		       (unsigned long)m->m.lo, (unsigned long)m->m.bias, m->nr_funcs);
		ret = module_arm(s, mm, m, inj);
		if (ret == 0)
			ret = arm_internal(s, mm, m, inj);
		if (ret < 0)
			goto out_rest;
	}
	/* the first scratch area, while nothing else runs */
	if (inj->world_stopped && !mm->bps.nr_areas && mm->nr_mods) {
		struct ct_modrt *m = mm->mods[0];

		for (j = 0; j < mm->nr_mods; j++)
			if (mm->mods[j]->is_main)
				m = mm->mods[j];
		ret = ct_bpset_reserve(&mm->bps, m->m.lo, m->m.hi, inj);
		if (ct_remote_refusal(ret))
			ct_session_set_error(s, "%s mmap, which calltrap needs to inject",
					     ct_remote_refusal(ret));
		if (ret < 0)
			goto out_rest_done;
	}
	/* only modules known before this scan can have gone */
	for (j = 0; j < old_nr; j++)
		if (!seen[j] && !mm->mods[j]->gone)
			mm_forget(mm, mm->mods[j]);
	free(seen);
	free(mods);
	return 0;
out_rest_done:
	i = nr;
out_rest:
	for (i++; i < nr; i++)
		ct_module_fini(&mods[i]);
out:
	free(seen);
	free(mods);
	return ret;
}

static char *pattern_text(const struct ct_pattern *p, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", p->module ? p->module : "", p->module ? ":" : "", p->glob);
	return buf;
}

/* Include patterns must select something once start-up is done, unless
 * they name a module that is not loaded (yet: dlopen may bring it). */
static int check_patterns(struct ct_session *s, struct ct_mm *mm)
{
	struct ct_patterns *pats = s->opts.patterns;
	char buf[256];
	size_t i, j;

	if (mm->checked_patterns || !pats)
		return 0;
	mm->checked_patterns = true;
	for (i = 0; i < pats->n; i++) {
		const struct ct_pattern *p = &pats->v[i];
		bool module_loaded = !p->module;

		if (p->exclude || p->matched)
			continue;
		for (j = 0; j < mm->nr_mods && !module_loaded; j++)
			module_loaded = !mm->mods[j]->gone &&
					 fnmatch(p->module, mm->mods[j]->m.name, 0) == 0;
		if (module_loaded) {
			ct_session_set_error(s, "pattern '%s' matches no function",
					     pattern_text(p, buf, sizeof(buf)));
			return -ENOENT;
		}
	}
	return 0;
}

int ct_mm_startup_done(struct ct_session *s, struct ct_mm *mm, struct ct_thread *t,
		       const struct ct_regs *regs)
{
	struct ct_injector inj = { .tid = t->tid, .regs = regs, .world_stopped = false };
	size_t i;
	int ret;

	if (mm->started)
		return 0;
	mm->started = true;
	/* the IFUNCs now; every other selected function has its site */
	for (i = 0; i < mm->nr_mods; i++) {
		if (mm->mods[i]->gone)
			continue;
		mm->mods[i]->relocated = true;
		ret = module_arm(s, mm, mm->mods[i], &inj);
		if (ret < 0)
			return ret;
	}
	return check_patterns(s, mm);
}

/* Rescanning on every r_brk hit, not only at RT_CONSISTENT, costs a read
 * of /proc/PID/maps per dlopen/dlclose and needs no r_debug address: at
 * RT_ADD/RT_DELETE the list is simply unchanged yet. */
int ct_mm_rbrk_hit(struct ct_session *s, struct ct_mm *mm, struct ct_thread *t,
		   const struct ct_regs *regs)
{
	struct ct_injector inj = { .tid = t->tid, .regs = regs, .world_stopped = false };

	return ct_mm_scan(s, mm, &inj);
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
	return mine ? module_arm(s, mm, m, &inj) : 0;
}
