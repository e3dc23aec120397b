/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table of patches calltrap shares with its guardian (guardian.h).
 *
 * One writer (calltrap, single-threaded) and one reader (the guardian),
 * which reads only once the writer is dead, so the protocol has one job:
 * whatever instruction calltrap dies at, every entry the guardian finds
 * live is complete.  An entry is filled while its state says free (the
 * reader skips it) and made live by a release store of its state, after
 * the high-water mark covers it; the reader loads both with acquire.
 * Retracting is a single store of the state.
 *
 * The mapping is MAP_NORESERVE and sized for CT_GUARD_CAPACITY entries,
 * but freed entries are reused before new ones are taken, so only the pages
 * below the high-water mark are ever touched, by either side.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ptrace/guardian.h"

int ct_guardtab_init(struct ct_guardtab *t, uint32_t cap)
{
	void *p;

	memset(t, 0, sizeof(*t));
	t->map_len = sizeof(struct ct_guard_shared) + (size_t)cap * sizeof(struct ct_guard_entry);
	p = mmap(NULL, t->map_len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	t->sh = p;
	t->sh->cap = cap;
	return 0;
}

void ct_guardtab_fini(struct ct_guardtab *t)
{
	if (t->sh)
		munmap(t->sh, t->map_len);
	free(t->free);
	memset(t, 0, sizeof(*t));
}

/* An entry that is free and that the reader will look at only through
 * its state: from the free list, else the next one above the mark. */
static long take_entry(struct ct_guardtab *t)
{
	uint32_t used;

	if (t->nr_free)
		return t->free[--t->nr_free];
	used = atomic_load_explicit(&t->sh->used, memory_order_relaxed);
	if (used == t->sh->cap)
		return -1;
	/* the mark first: an entry made live above it would be missed */
	atomic_store_explicit(&t->sh->used, used + 1, memory_order_release);
	return used;
}

uint32_t ct_guardtab_note(struct ct_guardtab *t, uint32_t mm, uint64_t addr, const void *orig,
			  size_t len)
{
	struct ct_guard_entry *e;
	long i;

	if (!len || len > CT_GUARD_MAX_LEN)
		return 0;
	i = take_entry(t);
	if (i < 0)
		return 0;
	e = &t->sh->e[i];
	e->mm = mm;
	e->addr = addr;
	e->len = (uint8_t)len;
	memcpy(e->orig, orig, len);
	atomic_store_explicit(&e->state, CT_GUARD_LIVE, memory_order_release);
	return (uint32_t)i + 1;
}

void ct_guardtab_forget(struct ct_guardtab *t, uint32_t handle)
{
	uint32_t i = handle - 1;

	if (!handle)
		return;
	atomic_store_explicit(&t->sh->e[i].state, CT_GUARD_FREE, memory_order_release);
	if (t->nr_free == t->cap_free) {
		size_t ncap = t->cap_free ? t->cap_free * 2 : 256;
		uint32_t *v = realloc(t->free, ncap * sizeof(*v));

		if (!v)
			return; /* the entry stays unused: harmless */
		t->free = v;
		t->cap_free = ncap;
	}
	t->free[t->nr_free++] = i;
}

size_t ct_guardtab_scan(const struct ct_guard_shared *sh,
			void (*fn)(void *ctx, const struct ct_guard_entry *e), void *ctx)
{
	struct ct_guard_shared *w = (struct ct_guard_shared *)sh; /* atomics are not const */
	uint32_t used = atomic_load_explicit(&w->used, memory_order_acquire), i;
	size_t n = 0;

	if (used > sh->cap)
		used = sh->cap;
	for (i = 0; i < used; i++) {
		struct ct_guard_entry copy;

		if (atomic_load_explicit(&w->e[i].state, memory_order_acquire) != CT_GUARD_LIVE)
			continue;
		atomic_init(&copy.state, CT_GUARD_LIVE);
		copy.mm = sh->e[i].mm;
		copy.addr = sh->e[i].addr;
		copy.len = sh->e[i].len;
		if (copy.len > CT_GUARD_MAX_LEN)
			continue;
		memcpy(copy.orig, sh->e[i].orig, copy.len);
		fn(ctx, &copy);
		n++;
	}
	return n;
}
