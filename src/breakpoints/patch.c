/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path's patches: a jump written over whole instructions at a
 * function's entry or exit, to its trampoline.  The set keeps them beside
 * its breakpoints so that everything calltrap wrote into a process's code
 * is known in one place: ct_bpset_read_orig sees through them, detach puts
 * their bytes back (ct_bpset_remove_all), a fork's copy knows them, an
 * unmapped module forgets them.
 *
 * Two rules keep them safe.  A patch is written and removed only while
 * every thread of the address space is stopped with its pc outside it
 * (the caller sees to it): a thread must never run half a jump.  And the
 * guardian is not told: it writes while the threads run, and a jump put
 * back byte by byte under a running thread could be executed torn.  If
 * calltrap dies, the patches stay and the trampolines run on; they find
 * calltrap's heartbeat stale and stop recording (ring.h).
 *
 * No breakpoint may go inside a patch, and no patch over a breakpoint:
 * each would write over the other's bytes.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "breakpoints/breakpoints.h"

const struct ct_patch *ct_patch_covering(const struct ct_bpset *bs, uint64_t addr)
{
	/* every breakpoint placed asks: without the fast path, no lookup */
	if (!bs->patches.n)
		return NULL;
	for (unsigned back = 0; back < CT_PATCH_MAX_LEN && back <= addr; back++) {
		const struct ct_patch *p = ct_hashmap_get(&bs->patches, addr - back);

		if (p && addr < p->addr + p->len)
			return p;
	}
	return NULL;
}

/* Does [addr, addr + len) hold a breakpoint or a patch? */
static bool range_busy(const struct ct_bpset *bs, uint64_t addr, size_t len)
{
	for (uint64_t a = addr; a < addr + len; a++) {
		const struct ct_site *s = ct_site_at(bs, a);

		if ((s && s->inserted) || ct_patch_covering(bs, a))
			return true;
	}
	/* a breakpoint that starts before and reaches in (bp_len > 1) */
	for (unsigned back = 1; back < bs->arch->bp_len && back <= addr; back++) {
		const struct ct_site *s = ct_site_at(bs, addr - back);

		if (s && s->inserted)
			return true;
	}
	return false;
}

int ct_patch_insert(struct ct_bpset *bs, uint64_t addr, const uint8_t *bytes, size_t len,
		    struct ct_func *func)
{
	struct ct_patch *p;
	int ret;

	if (len == 0 || len > CT_PATCH_MAX_LEN)
		return -EINVAL;
	if (range_busy(bs, addr, len))
		return -EBUSY;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->addr = addr;
	p->len = (uint8_t)len;
	p->func = func;
	ret = ct_pmem_read(bs->mem, addr, p->orig, len);
	if (ret == 0)
		ret = ct_hashmap_put(&bs->patches, addr, p);
	if (ret == 0) {
		ret = ct_pmem_write(bs->mem, addr, bytes, len);
		if (ret < 0)
			ct_hashmap_del(&bs->patches, addr);
	}
	if (ret < 0)
		free(p);
	return ret;
}

int ct_patch_remove(struct ct_bpset *bs, uint64_t addr)
{
	struct ct_patch *p = ct_hashmap_get(&bs->patches, addr);
	int ret;

	if (!p)
		return -ENOENT;
	ret = ct_pmem_write(bs->mem, addr, p->orig, p->len);
	if (ret < 0)
		return ret;
	ct_hashmap_del(&bs->patches, addr);
	free(p);
	return 0;
}

/* The addresses of the patches in [lo, hi), taken before deleting (which
 * moves entries under an iteration); *n of them, or -ENOMEM. */
static int patches_in(const struct ct_bpset *bs, uint64_t lo, uint64_t hi, uint64_t **keys,
		      size_t *n)
{
	size_t it = 0, cap = 0;
	uint64_t key;
	void *val;

	*keys = NULL;
	*n = 0;
	while (ct_hashmap_next(&bs->patches, &it, &key, &val)) {
		if (key < lo || key >= hi)
			continue;
		if (*n == cap) {
			uint64_t *nk = realloc(*keys, (cap = cap ? cap * 2 : 64) * sizeof(**keys));

			if (!nk) {
				free(*keys);
				*keys = NULL;
				return -ENOMEM;
			}
			*keys = nk;
		}
		(*keys)[(*n)++] = key;
	}
	return 0;
}

int ct_patch_remove_all(struct ct_bpset *bs)
{
	uint64_t *keys;
	size_t n, i;
	int ret, r;

	ret = patches_in(bs, 0, UINT64_MAX, &keys, &n);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		r = ct_patch_remove(bs, keys[i]);
		if (r < 0) {
			/* the process is gone, or its memory cannot be written:
			 * nothing can be put back there; forget it */
			if (!ret)
				ret = r;
			free(ct_hashmap_del(&bs->patches, keys[i]));
		}
	}
	free(keys);
	return ret;
}

void ct_patch_overlay(const struct ct_bpset *bs, uint64_t addr, uint8_t *buf, size_t len)
{
	if (!bs->patches.n)
		return;
	for (uint64_t a = addr; a < addr + len; a++) {
		const struct ct_patch *p = ct_hashmap_get(&bs->patches, a);

		if (p)
			for (size_t i = 0; i < p->len && a + i < addr + len; i++)
				buf[a - addr + i] = p->orig[i];
	}
	/* one that starts before addr and reaches in */
	for (unsigned back = 1; back < CT_PATCH_MAX_LEN && back <= addr; back++) {
		const struct ct_patch *p = ct_hashmap_get(&bs->patches, addr - back);

		if (p)
			for (size_t i = back; i < p->len && i - back < len; i++)
				buf[i - back] = p->orig[i];
	}
}

int ct_patch_clone(struct ct_bpset *dst, const struct ct_bpset *src)
{
	size_t it = 0;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&src->patches, &it, &key, &val)) {
		struct ct_patch *p = malloc(sizeof(*p));

		if (!p)
			return -ENOMEM;
		*p = *(const struct ct_patch *)val;
		if (ct_hashmap_put(&dst->patches, key, p) < 0) {
			free(p);
			return -ENOMEM;
		}
	}
	return 0;
}

int ct_patch_forget(struct ct_bpset *bs, uint64_t lo, uint64_t hi)
{
	uint64_t *keys;
	size_t n, i;
	int ret = patches_in(bs, lo, hi, &keys, &n);

	for (i = 0; ret == 0 && i < n; i++)
		free(ct_hashmap_del(&bs->patches, keys[i]));
	free(keys);
	return ret;
}

void ct_patch_fini(struct ct_bpset *bs)
{
	size_t it = 0;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&bs->patches, &it, &key, &val))
		free(val);
	ct_hashmap_fini(&bs->patches);
}
