/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address spaces: which modules are mapped, and which of their functions
 * the patterns select.  The set of modules is read from /proc/PID/maps at
 * the exec (or attach) and again at every hit of the dynamic linker's
 * r_brk; entries.c places the breakpoints that follow from it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/fast.h"
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
	size_t i;
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
	for (i = 0; i < mm->nr_mods; i++)
		mm->mods[i]->refs++;
	mm->has_rbrk = parent->has_rbrk;
	mm->started = parent->started;
	/* its copy of the rings' mapping is the parent's own memory */
	mm->fast_shared = parent->fast ? parent->fast->remote : 0;
	mm->fast_size = parent->fast ? parent->fast->area.size : 0;
	if (parent->fast) {
		mm->fast_hdr = parent->fast->area.layout;
		mm->fast_pending = ct_fast_fork_tables(parent->fast);
		mm->fast_name = parent->fast->name;
	}
	/* its copy of our breakpoints is there since the fork */
	mm_guard(s, mm);
	return mm;
}

void ct_mm_put(struct ct_session *s, struct ct_mm *mm)
{
	size_t i;

	if (!mm || --mm->refs > 0)
		return;
	ct_fast_leave(s, mm, NULL);
	ct_fast_free(mm->fast_pending);
	ct_bpset_fini(&mm->bps);
	ct_hashmap_fini(&mm->not_ra);
	ct_pmem_close(&mm->mem);
	for (i = 0; i < mm->nr_mods; i++)
		ct_modrt_put(s, mm->mods[i]);
	free(mm->mods);
	free(mm);
}

struct ct_modrt *ct_mm_module_at(const struct ct_mm *mm, uint64_t addr)
{
	size_t i;

	for (i = 0; i < mm->nr_mods; i++)
		if (addr >= mm->mods[i]->m.lo && addr < mm->mods[i]->m.hi)
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

/* name is a ct_func's (demangled for a C++ function, unless no_demangle):
 * the patterns see its symbol-table name too. */
bool ct_mm_wanted(struct ct_session *s, const struct ct_modrt *m, const char *name)
{
	const char *sym = ct_elf_mangled(m->m.elf, name);
	const struct ct_modnames mod = ct_modrt_names(m);
	bool want = s->opts.patterns &&
		    ct_patterns_match_sym(s->opts.patterns, &mod, m->is_main, name, sym);
	size_t i;

	/* a cold part is its function's code, never called: no frame */
	if (ct_sym_cold_parent(sym))
		return false;

	for (i = 0; i < s->nr_edits; i++)
		if (s->edits[i].add != want &&
		    ct_patterns_match_sym(&s->edits[i].one, &mod, m->is_main, name, sym))
			want = s->edits[i].add;
	return want;
}

/* A module newly found in mm's maps: *out, taking mod over; on failure
 * mod is still the caller's. */
static int mm_adopt(struct ct_session *s, struct ct_mm *mm, struct ct_module *mod,
		    struct ct_modrt **out)
{
	struct ct_modrt **v = realloc(mm->mods, (mm->nr_mods + 1) * sizeof(*v));
	struct ct_modrt *m;

	if (!v)
		return -ENOMEM;
	mm->mods = v;
	m = ct_modrt_new(s, mm->pid, mod);
	if (!m)
		return -errno;
	mm->mods[mm->nr_mods++] = m;
	*out = m;
	return 0;
}

/* A module unmapped by dlclose (mm->mods[j]): forget its sites without
 * touching the memory, which may already hold another library, and let
 * the module go. */
static int mm_forget(struct ct_session *s, struct ct_mm *mm, size_t j)
{
	struct ct_modrt *m = mm->mods[j];
	size_t it = 0;
	uint64_t key;
	void *val;
	int ret;

	/* An IFUNC of m resolved to code of another module: that code stays,
	 * the name goes.  Hits pass through silently (the bytes cannot be
	 * restored while threads run). */
	while (ct_hashmap_next(&mm->bps.sites, &it, &key, &val)) {
		struct ct_site *site = val;

		if ((key < m->m.lo || key >= m->m.hi) && site->func && site->func->owner == m) {
			site->func = NULL;
			site->kinds &= ~(unsigned)(CT_SITE_ENTRY | CT_SITE_RESOLVER);
		}
	}
	ret = ct_bpset_forget(&mm->bps, m->m.lo, m->m.hi);
	if (ret < 0)
		return ret;
	memmove(&mm->mods[j], &mm->mods[j + 1], (mm->nr_mods - j - 1) * sizeof(*mm->mods));
	mm->nr_mods--;
	ct_modrt_put(s, m);
	return 0;
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
	ret = ct_modules_from_maps(mm->pid, &maps, s->elf_cache, &mods, &nr);
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
			if (mm->mods[j]->m.lo == mods[i].lo &&
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
			ct_module_fini(&mods[i]);
			goto out_rest;
		}
		ct_dbg("module %s at %#lx bias %#lx: %zu functions", m->m.name,
		       (unsigned long)m->m.lo, (unsigned long)m->m.bias, m->nr_funcs);
		ret = ct_mm_arm_module(s, mm, m, inj);
		if (ret == 0)
			ret = ct_mm_arm_internal(s, mm, m, inj);
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
	/* only modules known before this scan can have gone; from the last,
	 * as each leaves the array */
	for (j = old_nr; j-- > 0;) {
		if (!seen[j]) {
			ret = mm_forget(s, mm, j);
			if (ret < 0)
				goto out;
		}
	}
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
		mm->mods[i]->relocated = true;
		ret = ct_mm_arm_module(s, mm, mm->mods[i], &inj);
		if (ret < 0)
			return ret;
	}
	/* A pattern that selected nothing yet is not an error here: it stays
	 * pending for the libraries loaded later, in this process or another
	 * (dlopen, exec), and is named once the session ends
	 * (ct_session_end_notes). */
	return 0;
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

