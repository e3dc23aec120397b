/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The C reference producer: the ring protocol of ring.h, step by step, as
 * the emitted trampolines run it (x86_64: emit_produce() in
 * src/arch/x86_64/tramp.c, the same steps in the same order; the record's
 * fields per kind are ring.h's struct ct_fp_record).  The shared words are plain
 * uint64_t (machine code writes them by offset), accessed with GCC's
 * __atomic builtins and the C11 orders: on x86_64 the acquire loads and
 * release stores compile to plain movs and the relaxed read-modify-writes
 * to locked instructions (a trampoline may use unlocked ones: only the
 * thread's own signal handlers race with them); on aarch64 they are
 * ldar/stlr and ldadd.
 */
#include "config.h"

#include "arch/ticks.h"
#include "fastpath/fastpath.h"

#define LOAD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define INC(p) __atomic_fetch_add((p), 1, __ATOMIC_RELAXED)
#define DEC(p) __atomic_fetch_sub((p), 1, __ATOMIC_RELAXED)

static inline void hook(const struct ct_fp_hooks *h, enum ct_fp_point p)
{
	if (h && h->at)
		h->at(h->ctx, p);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#else
	__asm__ volatile("" ::: "memory");
#endif
}

uint64_t ct_fp_lookup(const void *base, uint64_t tp)
{
	const struct ct_fp_header *hdr = base;
	uint32_t n = hdr->nr_slots;
	const struct ct_fp_slot *table =
		(const struct ct_fp_slot *)((const char *)base + hdr->table_offset);
	uint64_t i = ct_fp_hash(tp, n);
	for (uint32_t probes = 0; probes < n; probes++, i = (i + 1) & (n - 1)) {
		uint64_t t = LOAD_ACQ(&table[i].thread_pointer);
		if (t == tp)
			return LOAD(&table[i].ring_offset);
		if (t == CT_FP_TP_EMPTY)
			break;
	}
	return 0;
}

/* calltrap alive: its last beat is younger than the timeout.  Signed, so a
 * beat a little ahead of this CPU's counter counts as fresh. */
static bool tracer_alive(struct ct_fp_header *hdr)
{
	uint64_t beat = LOAD(&hdr->tracer_heartbeat);
	if (beat == 0)
		return false;
	return (int64_t)(ct_ticks_now() - beat) < (int64_t)LOAD(&hdr->heartbeat_timeout);
}

/* Step 6 for the outermost producer (depth held at 1 on entry). */
static void publish(struct ct_fp_ring *ring, const struct ct_fp_hooks *h)
{
	for (;;) {
		uint64_t r = LOAD(&ring->reserve);
		hook(h, CT_FP_AT_PUBLISH_LOAD);
		STORE_REL(&ring->head, r);
		DEC(&ring->depth);
		hook(h, CT_FP_AT_UNDEPTH);
		if (LOAD(&ring->reserve) == r)
			return;
		/* a handler reserved after our load and, nested, did not
		 * publish: take the depth back (every handler that ran has
		 * returned, so it is 0 again) and publish once more */
		INC(&ring->depth);
	}
}

enum ct_fp_outcome ct_fp_produce(void *base, uint64_t tp, const struct ct_fp_event *ev,
				 const struct ct_fp_hooks *h)
{
	struct ct_fp_header *hdr = base;

	/* 1. the thread's ring */
	uint64_t off = ct_fp_lookup(base, tp);
	if (off == 0) {
		__atomic_fetch_add(&hdr->unregistered, 1, __ATOMIC_RELAXED);
		return CT_FP_UNREGISTERED;
	}
	struct ct_fp_ring *ring = (struct ct_fp_ring *)((char *)base + off);
	struct ct_fp_record *recs = (struct ct_fp_record *)(ring + 1);
	uint64_t mask = ring->mask;

	/* 2. nesting */
	uint64_t d = INC(&ring->depth);
	hook(h, CT_FP_AT_DEPTH);

	/* 3. room, or wait while calltrap is alive and can drain */
	enum ct_fp_outcome out = CT_FP_WRITTEN;
	bool waited = false;
	for (;;) {
		/* one tail for both questions: re-read, a tail that calltrap
		 * moved up to head meanwhile would pass for a deadlock */
		uint64_t tail = LOAD_ACQ(&ring->tail);
		if (LOAD(&ring->reserve) - tail <= mask)
			break;
		hook(h, CT_FP_AT_FULL);
		if (LOAD_ACQ(&ring->head) == tail || !tracer_alive(hdr)) {
			out = CT_FP_DROPPED;
			break;
		}
		if (!waited) {
			INC(&ring->waits);
			waited = true;
		}
		hook(h, CT_FP_AT_WAIT);
		cpu_relax();
	}
	if (out == CT_FP_DROPPED) {
		INC(&ring->drops);
	} else {
		/* 4. reserve */
		uint64_t i = INC(&ring->reserve);
		struct ct_fp_record *rec = &recs[i & mask];
		/* 5. write */
		rec->kind_flags = ev->kind_flags;
		rec->func_id = ev->func_id;
		rec->tsc = ct_ticks_now();
		rec->sp = ev->sp;
		hook(h, CT_FP_AT_MID_RECORD);
		rec->pc = ev->pc;
		for (int k = 0; k < CT_FP_NR_ARGS; k++)
			rec->a[k] = ev->a[k];
	}

	/* 6. publish (outermost) or leave it to the producer we interrupted */
	if (d == 0)
		publish(ring, h);
	else
		DEC(&ring->depth);
	return out;
}
