/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scratch areas: anonymous read+exec mappings that calltrap places inside
 * the tracee, within reach of the code whose instructions they hold
 * (+-2 GiB for x86_64 rel32).  Slots are handed out by a bump allocator and
 * never freed while the address space lives: a thread may be executing in
 * any of them at any time (DESIGN.md "Never unmap a slot page while a
 * thread may be executing in it").
 *
 * The first slot of every area holds `syscall; trap`, a place to run
 * injected system calls that no tracee thread ever executes.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "breakpoints/breakpoints.h"
#include "breakpoints/scratch.h"

#define CT_LOG_DOMAIN "scratch"
#include "util/log.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define SCRATCH_AREA_LEN (256u * 1024u)
#define LOWEST_MAP_ADDR 0x10000ull

static uint64_t dist(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* Every byte of the area within reach of every byte of [lo, hi): the
 * largest distance is between opposite ends. */
static bool area_reaches(const struct ct_bpset *bs, const struct ct_scratch *a, uint64_t lo,
			 uint64_t hi)
{
	uint64_t end = a->addr + a->len, reach = (uint64_t)bs->arch->reach;

	return dist(end, lo) < reach && dist(a->addr, hi) < reach && dist(a->addr, lo) < reach &&
	       dist(end, hi) < reach;
}

/* Where to run an injected syscall: our own slot when we have an area,
 * else (only while every thread is stopped) the thread's own pc. */
/* Borrowed code for an injected `syscall; trap` while every thread is
 * stopped: a few bytes next to the thread's pc (in the same text, restored
 * afterwards), but not at the pc itself: arm64 has already rewound the pc
 * of a thread interrupted in a restartable system call onto its `svc`,
 * and resuming at that very pc makes the kernel rewrite x8 for
 * restart_syscall (arch/arm64/kernel/signal.c, do_signal). */
#define BORROW_DISTANCE 32

static int borrowed_code(const struct ct_bpset *bs, const struct ct_injector *inj, uint64_t *code)
{
	uint64_t pc = bs->arch->pc(inj->regs), cand[2] = { pc + BORROW_DISTANCE,
							    pc - BORROW_DISTANCE };
	uint8_t probe[16];
	size_t len = (size_t)bs->arch->syscall_len + bs->arch->bp_len, i;

	for (i = 0; i < 2; i++) {
		if (ct_pmem_read(bs->mem, cand[i], probe, len) == 0) {
			*code = cand[i];
			return 0;
		}
	}
	return -EFAULT;
}

static int syscall_site(const struct ct_bpset *bs, const struct ct_injector *inj,
			uint64_t *code, bool *write_code)
{
	if (bs->nr_areas) {
		*code = bs->areas[0].addr;
		*write_code = false;
		return 0;
	}
	if (!inj->world_stopped)
		return -EAGAIN;
	*write_code = true;
	return borrowed_code(bs, inj, code);
}

static int area_new(struct ct_bpset *bs, uint64_t lo, uint64_t hi, const struct ct_injector *inj,
		    struct ct_scratch **out)
{
	uint64_t reach = (uint64_t)bs->arch->reach, want_lo, want_hi, gap, mapped, code;
	uint8_t insn[16];
	struct ct_scratch *v;
	bool write_code;
	int ret;

	want_lo = hi > reach + LOWEST_MAP_ADDR ? hi - reach : LOWEST_MAP_ADDR;
	want_hi = lo + reach < lo ? UINT64_MAX : lo + reach;
	gap = bs->find_gap(bs->gap_ctx, lo, want_lo, want_hi, SCRATCH_AREA_LEN);
	if (!gap)
		return -ERANGE;
	ret = syscall_site(bs, inj, &code, &write_code);
	if (ret < 0)
		return ret;
	ret = ct_remote_mmap(inj->tid, bs->arch, bs->mem, inj->regs, code, write_code, gap,
			     SCRATCH_AREA_LEN, PROT_READ | PROT_EXEC,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, &mapped);
	if (ret < 0)
		return ret;
	if (mapped != gap) {
		/* an old kernel took MAP_FIXED_NOREPLACE as a hint */
		ct_remote_munmap(inj->tid, bs->arch, bs->mem, inj->regs, code, write_code, mapped,
				 SCRATCH_AREA_LEN);
		return -ERANGE;
	}
	v = realloc(bs->areas, (bs->nr_areas + 1) * sizeof(*v));
	if (!v) {
		ct_remote_munmap(inj->tid, bs->arch, bs->mem, inj->regs, code, write_code, mapped,
				 SCRATCH_AREA_LEN);
		return -ENOMEM;
	}
	bs->areas = v;
	v = &bs->areas[bs->nr_areas];
	v->addr = mapped;
	v->len = SCRATCH_AREA_LEN;
	v->used = bs->arch->slot_size;
	memcpy(insn, bs->arch->syscall_insn, bs->arch->syscall_len);
	memcpy(insn + bs->arch->syscall_len, bs->arch->bp_insn, bs->arch->bp_len);
	ret = ct_pmem_write(bs->mem, mapped, insn, bs->arch->syscall_len + bs->arch->bp_len);
	if (ret < 0)
		return ret;
	bs->nr_areas++;
	ct_dbg("area %#lx-%#lx for %#lx-%#lx", (unsigned long)mapped,
	       (unsigned long)(mapped + SCRATCH_AREA_LEN), (unsigned long)lo, (unsigned long)hi);
	*out = v;
	return 0;
}

/* Code blocks take whole slots, so that every slot stays at a multiple of
 * slot_size from its area's start (ct_bpset_translate_pc finds a slot by
 * rounding a pc down). */
static uint64_t slot_round(const struct ct_bpset *bs, uint64_t len)
{
	uint64_t n = bs->arch->slot_size;

	return (len + n - 1) / n * n;
}

int ct_bpset_code_alloc(struct ct_bpset *bs, uint64_t lo, uint64_t hi, uint64_t len,
			const struct ct_injector *inj, uint64_t *addr)
{
	struct ct_scratch *a = NULL;
	size_t i;
	int ret;

	if (len == 0 || len > SCRATCH_AREA_LEN - bs->arch->slot_size)
		return -EINVAL;
	len = slot_round(bs, len);
	for (i = 0; i < bs->nr_areas; i++) {
		if (bs->areas[i].len - bs->areas[i].used >= len &&
		    area_reaches(bs, &bs->areas[i], lo, hi)) {
			a = &bs->areas[i];
			break;
		}
	}
	if (!a) {
		ret = area_new(bs, lo, hi, inj, &a);
		if (ret < 0)
			return ret;
	}
	*addr = a->addr + a->used;
	a->used += len;
	return 0;
}

int ct_scratch_alloc(struct ct_bpset *bs, uint64_t lo, uint64_t hi, const struct ct_injector *inj,
		     uint64_t *slot)
{
	return ct_bpset_code_alloc(bs, lo, hi, bs->arch->slot_size, inj, slot);
}

int ct_bpset_syscall_site(const struct ct_bpset *bs, const struct ct_injector *inj,
			  uint64_t *code, bool *write_code)
{
	return syscall_site(bs, inj, code, write_code);
}

const struct ct_scratch *ct_scratch_find(const struct ct_bpset *bs, uint64_t pc)
{
	size_t i;

	for (i = 0; i < bs->nr_areas; i++)
		if (pc >= bs->areas[i].addr && pc < bs->areas[i].addr + bs->areas[i].len)
			return &bs->areas[i];
	return NULL;
}

bool ct_bpset_in_scratch(const struct ct_bpset *bs, uint64_t pc)
{
	return ct_scratch_find(bs, pc) != NULL;
}

int ct_bpset_reserve(struct ct_bpset *bs, uint64_t lo, uint64_t hi, const struct ct_injector *inj)
{
	struct ct_scratch *a;

	return bs->nr_areas ? 0 : area_new(bs, lo, hi, inj, &a);
}

int ct_bpset_unmap_areas(struct ct_bpset *bs, const struct ct_injector *inj)
{
	uint64_t code;
	int ret = 0, r;
	size_t i;

	ret = borrowed_code(bs, inj, &code);
	if (ret < 0)
		return ret;

	for (i = 0; i < bs->nr_areas; i++) {
		r = ct_remote_munmap(inj->tid, bs->arch, bs->mem, inj->regs, code, true,
				     bs->areas[i].addr, bs->areas[i].len);
		if (r < 0 && !ret)
			ret = r;
	}
	free(bs->areas);
	bs->areas = NULL;
	bs->nr_areas = 0;
	return ret;
}
