/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Breakpoint sites: prepare the displaced instruction, then insert. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "breakpoints/breakpoints.h"
#include "breakpoints/scratch.h"

#define CT_LOG_DOMAIN "site"
#include "util/log.h"

int ct_bpset_init(struct ct_bpset *bs, const struct ct_arch *arch, struct ct_pmem *mem,
		  ct_gap_fn find_gap, void *gap_ctx)
{
	memset(bs, 0, sizeof(*bs));
	bs->arch = arch;
	bs->mem = mem;
	bs->find_gap = find_gap;
	bs->gap_ctx = gap_ctx;
	ct_hashmap_init(&bs->sites);
	ct_hashmap_init(&bs->slots);
	ct_hashmap_init(&bs->patches);
	bs->dis = ct_disasm_new(arch);
	return bs->dis ? 0 : -errno;
}

void ct_bpset_fini(struct ct_bpset *bs)
{
	size_t it = 0;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&bs->sites, &it, &key, &val)) {
		ct_guard_forget(bs->guard, ((struct ct_site *)val)->guard);
		free(val);
	}
	if (bs->guard)
		ct_guard_drop_mm(bs->guard, bs->guard_mm);
	bs->guard = NULL;
	ct_hashmap_fini(&bs->sites);
	ct_hashmap_fini(&bs->slots);
	ct_patch_fini(bs);
	free(bs->areas);
	bs->areas = NULL;
	bs->nr_areas = 0;
	if (bs->dis)
		ct_disasm_free(bs->dis);
	bs->dis = NULL;
}

int ct_bpset_clone(struct ct_bpset *dst, const struct ct_bpset *src, struct ct_pmem *mem)
{
	size_t it = 0;
	uint64_t key;
	void *val;
	int ret;

	ret = ct_bpset_init(dst, src->arch, mem, src->find_gap, src->gap_ctx);
	if (ret < 0)
		return ret;
	if (src->nr_areas) {
		dst->areas = malloc(src->nr_areas * sizeof(*dst->areas));
		if (!dst->areas)
			goto nomem;
		memcpy(dst->areas, src->areas, src->nr_areas * sizeof(*dst->areas));
		dst->nr_areas = src->nr_areas;
	}
	while (ct_hashmap_next(&src->sites, &it, &key, &val)) {
		struct ct_site *s = malloc(sizeof(*s));

		if (!s)
			goto nomem;
		*s = *(struct ct_site *)val;
		s->guard = 0; /* the parent's entry; ct_bpset_guard makes the child's */
		if (ct_hashmap_put(&dst->sites, key, s) < 0) {
			free(s);
			goto nomem;
		}
		if (s->slot && ct_hashmap_put(&dst->slots, s->slot, s) < 0)
			goto nomem;
	}
	if (ct_patch_clone(dst, src) < 0)
		goto nomem;
	return 0;
nomem:
	ct_bpset_fini(dst);
	return -ENOMEM;
}

int ct_bpset_guard(struct ct_bpset *bs, struct ct_guard *g)
{
	size_t it = 0;
	uint64_t key;
	void *val;
	int ret;

	ret = ct_guard_add_mm(g, bs->mem, &bs->guard_mm);
	if (ret < 0)
		return ret;
	bs->guard = g;
	while (ct_hashmap_next(&bs->sites, &it, &key, &val)) {
		struct ct_site *s = val;

		if (s->inserted && !s->guard)
			s->guard = ct_guard_note(g, bs->guard_mm, s->addr, s->orig,
						 bs->arch->bp_len);
	}
	return 0;
}

/* Write the breakpoint.  The guardian hears of it first: were calltrap to
 * die right after the write, it must know what to put back. */
static int insert(struct ct_bpset *bs, struct ct_site *s)
{
	int ret;

	s->guard = ct_guard_note(bs->guard, bs->guard_mm, s->addr, s->orig, bs->arch->bp_len);
	ret = ct_pmem_write(bs->mem, s->addr, bs->arch->bp_insn, bs->arch->bp_len);
	if (ret < 0) {
		ct_guard_forget(bs->guard, s->guard);
		s->guard = 0;
		return ret;
	}
	s->inserted = true;
	return 0;
}

/* Put the original bytes back, and only then retract the guardian's entry. */
static int uninsert(struct ct_bpset *bs, struct ct_site *s)
{
	int ret = ct_pmem_write(bs->mem, s->addr, s->orig, bs->arch->bp_len);

	if (ret < 0)
		return ret;
	ct_guard_forget(bs->guard, s->guard);
	s->guard = 0;
	s->inserted = false;
	return 0;
}

/* Original bytes at addr: as many as can be read, up to max_insn_len (the
 * last instruction of a mapping may end right before unmapped memory). */
static int read_code(const struct ct_bpset *bs, uint64_t addr, uint8_t *buf, size_t *len)
{
	size_t n;

	for (n = bs->arch->max_insn_len; n >= bs->arch->bp_len; n--) {
		if (ct_pmem_read(bs->mem, addr, buf, n) == 0) {
			*len = n;
			return 0;
		}
	}
	return -EFAULT;
}

static int prepare_slot(struct ct_bpset *bs, struct ct_site *s, uint64_t lo, uint64_t hi,
			const struct ct_injector *inj)
{
	uint8_t code[128];
	struct ct_codebuf cb;
	int ret;

	ret = ct_scratch_alloc(bs, lo, hi, inj, &s->slot);
	if (ret < 0)
		return ret;
	ct_codebuf_init(&cb, code, bs->arch->slot_size, s->slot);
	if (bs->arch->relocate_mem) {
		struct ct_mem mem = ct_pmem_as_mem(bs->mem);

		ret = bs->arch->relocate_mem(&s->plan, &cb, &mem);
	} else {
		ret = bs->arch->relocate(&s->plan, &cb);
	}
	if (ret < 0)
		return ret;
	ret = ct_pmem_write(bs->mem, s->slot, code, cb.len);
	if (ret < 0)
		return ret;
	return ct_hashmap_put(&bs->slots, s->slot, s);
}

static void note_lr_slot(struct ct_bpset *bs, uint64_t addr, struct ct_func *func)
{
	uint8_t head[16];

	if (!bs->arch->lr_slot)
		return;
	func->has_lr_slot = ct_bpset_read_orig(bs, addr, head, sizeof(head)) == 0 &&
			    bs->arch->lr_slot(head, sizeof(head), &func->lr_slot_off) == 0;
}

/* A retired site again: its plan and slot still hold, as long as the code
 * under it is the code it was prepared for. */
static int reinsert(struct ct_bpset *bs, struct ct_site *s, const char **why)
{
	uint8_t code[16];
	int ret;

	ret = ct_pmem_read(bs->mem, s->addr, code, s->plan.len);
	if (ret < 0)
		return ret;
	if (memcmp(code, s->plan.bytes, s->plan.len) != 0) {
		*why = "the code changed since it was traced";
		return -ENOTSUP;
	}
	return insert(bs, s);
}

int ct_site_add(struct ct_bpset *bs, uint64_t addr, unsigned kind, struct ct_func *func,
		uint64_t lo, uint64_t hi, const struct ct_injector *inj, const char **why)
{
	struct ct_site *s = ct_site_at(bs, addr);
	uint8_t code[16];
	size_t len;
	int ret;

	*why = NULL;
	if (ct_patch_covering(bs, addr)) {
		*why = "a jump of the fast path is there";
		return -ENOTSUP;
	}
	if (s) {
		if (!s->inserted) {
			ret = reinsert(bs, s, why);
			if (ret < 0)
				return ret;
		}
		if ((kind & CT_SITE_ENTRY) && func && !(s->kinds & CT_SITE_ENTRY))
			note_lr_slot(bs, addr, func);
		s->kinds |= kind;
		if (kind & CT_SITE_ENTRY)
			s->func = func;
		return 0;
	}
	ret = read_code(bs, addr, code, &len);
	if (ret < 0)
		return ret;
	if ((kind & CT_SITE_ENTRY) && func)
		note_lr_slot(bs, addr, func);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->addr = addr;
	s->kinds = kind;
	s->func = kind & CT_SITE_ENTRY ? func : NULL;
	ret = ct_disasm_prepare(bs->dis, code, len, addr, &s->plan);
	if (ret == 0 && s->plan.action == CT_INSN_REJECT)
		ret = -ENOTSUP;
	if (ret < 0) {
		*why = s->plan.why ? s->plan.why : "instruction not decodable";
		goto fail;
	}
	if (s->plan.action == CT_INSN_RELOCATE || s->plan.action == CT_INSN_STEP) {
		ret = prepare_slot(bs, s, lo, hi, inj);
		if (ret < 0)
			goto fail;
	}
	memcpy(s->orig, code, bs->arch->bp_len);
	ret = ct_hashmap_put(&bs->sites, addr, s);
	if (ret < 0)
		goto fail_slot;
	/* Last: the tracee can hit it from now on. */
	ret = insert(bs, s);
	if (ret < 0) {
		ct_hashmap_del(&bs->sites, addr);
		goto fail_slot;
	}
	return 0;

fail_slot:
	if (s->slot)
		ct_hashmap_del(&bs->slots, s->slot);
fail:
	free(s);
	return ret;
}

int ct_site_remove(struct ct_bpset *bs, uint64_t addr, unsigned kind)
{
	struct ct_site *s = ct_site_at(bs, addr);
	int ret;

	if (!s)
		return -ENOENT;
	if (!(s->kinds & ~kind) && s->inserted) {
		ret = uninsert(bs, s);
		if (ret < 0)
			return ret;
	}
	s->kinds &= ~kind;
	if (kind & CT_SITE_ENTRY)
		s->func = NULL;
	return 0;
}

int ct_site_displace(const struct ct_bpset *bs, const struct ct_site *site, struct ct_regs *regs)
{
	struct ct_mem mem;

	switch (site->plan.action) {
	case CT_INSN_EMULATE:
		mem = ct_pmem_as_mem(bs->mem);
		return bs->arch->emulate(&site->plan, regs, &mem);
	case CT_INSN_RELOCATE:
	case CT_INSN_STEP:
		bs->arch->set_pc(regs, site->slot);
		return 0;
	default:
		return -EINVAL;
	}
}

int ct_bpset_read_orig(const struct ct_bpset *bs, uint64_t addr, uint8_t *buf, size_t len)
{
	uint64_t a;
	int ret = ct_pmem_read(bs->mem, addr, buf, len);

	if (ret < 0)
		return ret;
	for (a = addr; a < addr + len; a++) {
		const struct ct_site *s = ct_site_at(bs, a);
		size_t i;

		if (!s || !s->inserted)
			continue;
		for (i = 0; i < bs->arch->bp_len && a + i < addr + len; i++)
			buf[a - addr + i] = s->orig[i];
	}
	ct_patch_overlay(bs, addr, buf, len);
	return 0;
}

int ct_bpset_remove_all(struct ct_bpset *bs)
{
	size_t it = 0;
	uint64_t key;
	void *val;
	int ret = 0, r;

	while (ct_hashmap_next(&bs->sites, &it, &key, &val)) {
		struct ct_site *s = val;

		if (!s->inserted)
			continue;
		r = uninsert(bs, s);
		if (r < 0 && !ret)
			ret = r;
	}
	r = ct_patch_remove_all(bs);
	return ret ? ret : r;
}

int ct_bpset_forget(struct ct_bpset *bs, uint64_t lo, uint64_t hi)
{
	uint64_t *keys = NULL, key;
	size_t it = 0, n = 0, cap = 0, i;
	void *val;

	/* the keys first: deleting moves entries under the iteration */
	while (ct_hashmap_next(&bs->sites, &it, &key, &val)) {
		if (key < lo || key >= hi)
			continue;
		if (n == cap) {
			uint64_t *nk = realloc(keys, (cap = cap ? cap * 2 : 64) * sizeof(*keys));

			if (!nk) {
				free(keys);
				return -ENOMEM;
			}
			keys = nk;
		}
		keys[n++] = key;
	}
	for (i = 0; i < n; i++) {
		struct ct_site *s = ct_hashmap_del(&bs->sites, keys[i]);

		if (s->slot)
			ct_hashmap_del(&bs->slots, s->slot);
		ct_guard_forget(bs->guard, s->guard);
		free(s);
	}
	free(keys);
	return ct_patch_forget(bs, lo, hi);
}

uint64_t ct_bpset_slot_resume(const struct ct_bpset *bs, uint64_t pc)
{
	const struct ct_scratch *a = ct_scratch_find(bs, pc);
	const struct ct_site *s;

	if (!a)
		return 0;
	s = ct_hashmap_get(&bs->slots,
			   a->addr + (pc - a->addr) / bs->arch->slot_size * bs->arch->slot_size);
	return s ? s->addr + s->plan.len : 0;
}

int ct_bpset_translate_pc(const struct ct_bpset *bs, uint64_t pc, uint64_t *orig)
{
	const struct ct_scratch *a = ct_scratch_find(bs, pc);
	uint64_t base;
	struct ct_site *s;
	uint8_t copy[16];

	if (!a)
		return -EINVAL;
	base = a->addr + (pc - a->addr) / bs->arch->slot_size * bs->arch->slot_size;
	s = ct_hashmap_get(&bs->slots, base);
	if (!s)
		return -EINVAL;
	if (pc == base) {
		*orig = s->addr;
		return 0;
	}
	/* Right after a verbatim copy (e.g. a syscall that was interrupted
	 * there): the same place after the original instruction. */
	if (pc == base + s->plan.len && ct_pmem_read(bs->mem, base, copy, s->plan.len) == 0 &&
	    memcmp(copy, s->plan.bytes, s->plan.len) == 0) {
		*orig = s->addr + s->plan.len;
		return 0;
	}
	return -EAGAIN;
}
