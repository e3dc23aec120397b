/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fast path's shared rings (src/fastpath/ring.h): the layout, the
 * thread table, and the reference producer against the consumer in one
 * thread and in 8 (through a second mapping of the area).  The waits, the
 * drops and the nesting: test_fp_wait.c. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "fp_util.h"

/* the emulated aarch64 guest of CI is many times slower (ASan here is
 * not: 8 x 1,000,000 take about half a second under it) */
#if defined(__aarch64__)
#define PER_THREAD 100000u
#else
#define PER_THREAD 1000000u
#endif
#define NR_PRODUCERS 8

static void test_layout(void **state)
{
	(void)state;
	struct ct_fp_area a;
	make_area(&a, 64, 4, 256);
	const struct ct_fp_header *h = a.base;
	assert_int_equal(h->magic, CT_FP_MAGIC);
	assert_int_equal(memcmp(&h->magic, "CTPRING1", 8), 0);
	assert_int_equal(h->version, CT_FP_VERSION);
	assert_int_equal(h->header_size, 256);
	assert_int_equal(h->record_size, 80);
	assert_int_equal(h->ring_header_size, 128);
	assert_int_equal(h->slot_size, 16);
	assert_int_equal(h->nr_slots, 64);
	assert_int_equal(h->table_offset, 256);
	assert_int_equal(h->rings_offset, 256 + 64 * 16);
	assert_int_equal(h->ring_stride, 128 + 256 * 80);
	assert_int_equal(h->ring_capacity, 256);
	assert_int_equal(h->area_size, a.size);
	assert_int_equal(a.size % 4096, 0);
	assert_true(h->rings_offset + 4 * h->ring_stride <= a.size);
	for (uint32_t k = 0; k < 4; k++) {
		struct ct_fp_ring *r = ct_fp_ring_at(a.base, k);
		assert_int_equal(((char *)r - (char *)a.base) % 64, 0);
		assert_int_equal(r->mask, 255);
		assert_int_equal(r->head | r->tail | r->reserve | r->depth, 0);
	}
	/* the offsets machine code will use, read back through raw bytes */
	ct_fp_heartbeat(&a, 0x1122334455667788ull);
	uint64_t v;
	memcpy(&v, (char *)a.base + CT_FP_HDR_HEARTBEAT, 8);
	assert_int_equal(v, 0x1122334455667788ull);
	/* the calibration sits at 128, as the header says */
	struct ct_fp_clock clk = { .mult = 0xabcdef, .shift = 32, .tick_base = 77 };
	ct_fp_set_clock(&a, &clk);
	memcpy(&v, (char *)a.base + 128, 8);
	assert_int_equal(v, 0xabcdef);
	/* a header that is not ours, or not all there, is refused */
	assert_int_equal(ct_fp_area_check(a.base, a.size), 0);
	assert_int_equal(ct_fp_area_check(a.base, a.size - 4096), -EINVAL);
	struct ct_fp_header *wh = a.base;
	wh->record_size = 88;
	assert_int_equal(ct_fp_area_check(a.base, a.size), -EINVAL);
	wh->record_size = 80;
	wh->version = CT_FP_VERSION + 1;
	assert_int_equal(ct_fp_area_check(a.base, a.size), -EINVAL);
	wh->version = CT_FP_VERSION;
	wh->ring_stride += 64;
	assert_int_equal(ct_fp_area_check(a.base, a.size), -EINVAL);
	ct_fp_area_destroy(&a);

	struct ct_fp_geometry bad[] = { { 63, 4, 256 }, { 64, 4, 100 }, { 64, 33, 256 },
					{ 64, 0, 256 }, { 64, 4, 1 } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ct_fp_area_size(&bad[i]), 0);
		assert_int_equal(ct_fp_area_create(&a, &bad[i]), -EINVAL);
	}
}

/* thread pointers that all probe from the same slot of a 16-slot table */
static unsigned colliding(uint64_t *tp, unsigned n)
{
	unsigned got = 0;
	uint64_t want = ct_fp_hash(TP(0), 16);
	for (uint64_t i = 0; got < n; i++)
		if (ct_fp_hash(TP(i), 16) == want)
			tp[got++] = TP(i);
	return got;
}

static void test_table(void **state)
{
	(void)state;
	struct ct_fp_area a;
	make_area(&a, 16, 8, 4);
	uint64_t tp[9];
	colliding(tp, 9);
	assert_int_equal(ct_fp_register(&a, 0), -EINVAL);
	assert_int_equal(ct_fp_register(&a, 1), -EINVAL);
	int ring[8];
	for (int i = 0; i < 8; i++) {
		ring[i] = ct_fp_register(&a, tp[i]);
		assert_int_equal(ring[i], i);
	}
	assert_int_equal(ct_fp_register(&a, tp[3]), -EEXIST);
	/* the table holds at most half its slots */
	assert_int_equal(ct_fp_register(&a, TP(999)), -ENOSPC);
	for (int i = 0; i < 8; i++)
		assert_int_equal(ct_fp_lookup(a.base, tp[i]),
				 (uint64_t)((char *)ct_fp_ring_at(a.base, (uint32_t)i) -
					    (char *)a.base));
	assert_int_equal(ct_fp_lookup(a.base, TP(999)), 0);

	/* a tombstone in the middle of the chain: the rest are still found */
	struct collect c = { 0 };
	assert_int_equal(ct_fp_unregister(&a, tp[2], collect_fn, &c), 0);
	assert_int_equal(ct_fp_unregister(&a, tp[2], collect_fn, &c), -ENOENT);
	assert_int_equal(ct_fp_lookup(a.base, tp[2]), 0);
	for (int i = 3; i < 8; i++)
		assert_int_not_equal(ct_fp_lookup(a.base, tp[i]), 0);
	/* a thread whose chain has no tombstone would take a fresh slot:
	 * live + tombstones would pass half the table */
	if (ct_fp_hash(TP(999), 16) != ct_fp_hash(tp[0], 16))
		assert_int_equal(ct_fp_register(&a, TP(999)), -ENOSPC);
	/* one on the chain reuses the tombstone, and the freed ring */
	assert_int_equal(ct_fp_register(&a, tp[8]), 2);
	assert_int_equal(ct_fp_lookup(a.base, tp[8]),
			 (uint64_t)((char *)ct_fp_ring_at(a.base, 2) - (char *)a.base));
	for (int i = 0; i < 8; i++)
		if (i != 2)
			assert_int_not_equal(ct_fp_lookup(a.base, tp[i]), 0);
	/* draining at unregister hands on what the thread left */
	struct ct_fp_event ev = event(4, 0);
	assert_int_equal(ct_fp_produce(a.base, tp[8], &ev, NULL), CT_FP_WRITTEN);
	c = (struct collect){ 0 };
	assert_int_equal(ct_fp_unregister(&a, tp[8], collect_fn, &c), 0);
	assert_int_equal(c.n, 1);
	assert_true(is_event(&c.rec[0], 4, 0));
	ct_fp_area_destroy(&a);
}

/* The traced program can write the shared area: nothing it writes there
 * sends calltrap outside it (before, the drain took the mask and the ring
 * layout from the shared bytes). */
static void test_scribbled(void **state)
{
	(void)state;
	struct ct_fp_area a;
	make_area(&a, 16, 4, 8);
	assert_int_equal(ct_fp_register(&a, TP(1)), 0);
	struct ct_fp_event ev = event(7, 0);
	assert_int_equal(ct_fp_produce(a.base, TP(1), &ev, NULL), CT_FP_WRITTEN);
	/* the layout scribbled over: calltrap goes by its own copy */
	struct ct_fp_header *hdr = a.base;
	hdr->rings_offset = UINT64_C(1) << 40;
	hdr->ring_stride = UINT64_C(1) << 40;
	hdr->nr_rings = 1u << 30;
	hdr->nr_slots = 1u << 30;
	struct collect c = { 0 };
	struct ct_fp_ring *r0 = (struct ct_fp_ring *)((char *)a.base + a.layout.rings_offset);
	r0->mask = UINT64_MAX;
	assert_int_equal(ct_fp_drain(&a, 0, collect_fn, &c), 1);
	assert_true(is_event(&c.rec[0], 7, 0));
	/* more published than a ring holds: nothing handed on, nothing read
	 * beyond it */
	r0->head = r0->tail + 1000000;
	c = (struct collect){ 0 };
	assert_int_equal(ct_fp_drain(&a, 0, collect_fn, &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(ct_fp_drain(&a, 1u << 20, collect_fn, &c), 0);
	/* registering and unregistering still stay inside */
	assert_int_equal(ct_fp_register(&a, TP(2)), 1);
	assert_int_equal(ct_fp_unregister(&a, TP(2), collect_fn, &c), 0);
	ct_fp_area_destroy(&a);
}

/* One thread: exact records, in order, each once, across many wraps of a
 * small ring; the producer publishes on every call. */
static void test_single_wraparound(void **state)
{
	(void)state;
	struct ct_fp_area a;
	make_area(&a, 16, 2, 8);
	assert_int_equal(ct_fp_register(&a, TP(1)), 0);
	uint64_t seq = 0, want = 0;
	for (unsigned round = 0; round < 200; round++) {
		unsigned n = 1 + round % 8;
		for (unsigned i = 0; i < n; i++) {
			struct ct_fp_event ev = event(5, seq++);
			assert_int_equal(ct_fp_produce(a.base, TP(1), &ev, NULL), CT_FP_WRITTEN);
		}
		struct collect c = { 0 };
		assert_int_equal(ct_fp_drain(&a, 0, collect_fn, &c), n);
		for (unsigned i = 0; i < n; i++)
			assert_true(is_event(&c.rec[i], 5, want++));
		assert_int_equal(ct_fp_drain(&a, 0, collect_fn, &c), 0);
	}
	struct ct_fp_ring *r = ct_fp_ring_at(a.base, 0);
	assert_int_equal(r->head, seq);
	assert_true(seq > 8 * 50);
	struct ct_fp_counters cnt;
	ct_fp_counters(&a, &cnt);
	assert_int_equal(cnt.drops + cnt.waits + cnt.unregistered + cnt.pending, 0);

	/* a thread with no ring: counted, nothing written */
	struct ct_fp_event ev = event(5, 0);
	assert_int_equal(ct_fp_produce(a.base, TP(2), &ev, NULL), CT_FP_UNREGISTERED);
	ct_fp_counters(&a, &cnt);
	assert_int_equal(cnt.unregistered, 1);
	ct_fp_area_destroy(&a);
}

/* --- 8 producers, one consumer ---------------------------------------- */

struct producer {
	void *base; /* the area through a second mapping */
	uint32_t id;
	uint64_t dropped;
};

/* Yield while waiting: 8 spinning producers on 2 CPUs would otherwise
 * starve the consumer for whole time slices. */
static void yield_hook(void *ctx, enum ct_fp_point p)
{
	(void)ctx;
	if (p == CT_FP_AT_WAIT)
		sched_yield();
}

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	struct ct_fp_hooks h = { yield_hook, NULL };
	for (uint64_t s = 0; s < PER_THREAD; s++) {
		struct ct_fp_event ev = event(p->id, s);
		if (ct_fp_produce(p->base, TP(p->id), &ev, &h) != CT_FP_WRITTEN)
			p->dropped++;
	}
	return NULL;
}

struct per_thread_check {
	uint64_t next[NR_PRODUCERS];
	uint64_t bad;
};

static void check_fn(void *ctx, uint32_t ring, const struct ct_fp_record *r)
{
	struct per_thread_check *c = ctx;
	/* ring k was registered for producer k */
	if (r->func_id != ring || !is_event(r, ring, c->next[ring]))
		c->bad++;
	else
		c->next[ring]++;
}

static void test_eight_threads(void **state)
{
	(void)state;
	struct ct_fp_area a;
	make_area(&a, 32, NR_PRODUCERS, 4096);
	/* the producers see the area at another address, as the tracee will */
	void *second = mmap(NULL, a.size, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
	assert_true(second != MAP_FAILED);
	assert_ptr_not_equal(second, a.base);
	assert_int_equal(ct_fp_area_check(second, a.size), 0);
	struct producer p[NR_PRODUCERS];
	pthread_t th[NR_PRODUCERS];
	for (uint32_t i = 0; i < NR_PRODUCERS; i++) {
		assert_int_equal(ct_fp_register(&a, TP(i)), (int)i);
		p[i] = (struct producer){ second, i, 0 };
	}
	uint64_t t0 = mono_ns();
	for (uint32_t i = 0; i < NR_PRODUCERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, producer_main, &p[i]), 0);
	struct per_thread_check c = { { 0 }, 0 };
	uint64_t total = 0, want = (uint64_t)NR_PRODUCERS * PER_THREAD;
	while (total < want && mono_ns() - t0 < DEADLINE_NS) {
		size_t got = 0;
		for (uint32_t i = 0; i < NR_PRODUCERS; i++)
			got += ct_fp_drain(&a, i, check_fn, &c);
		total += got;
		ct_fp_heartbeat(&a, ct_ticks_now());
		if (got == 0)
			sched_yield();
	}
	for (uint32_t i = 0; i < NR_PRODUCERS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (uint32_t i = 0; i < NR_PRODUCERS; i++)
		total += ct_fp_drain(&a, i, check_fn, &c);
	uint64_t dt = mono_ns() - t0;
	print_message("%u x %u records in %.3f s (%.1f ns per record)\n", NR_PRODUCERS,
		      PER_THREAD, dt / 1e9, (double)dt / (double)want);
	assert_int_equal(c.bad, 0);
	assert_int_equal(total, want);
	for (uint32_t i = 0; i < NR_PRODUCERS; i++) {
		assert_int_equal(p[i].dropped, 0);
		assert_int_equal(c.next[i], PER_THREAD);
	}
	struct ct_fp_counters cnt;
	ct_fp_counters(&a, &cnt);
	assert_int_equal(cnt.drops, 0);
	assert_int_equal(cnt.pending, 0);
	print_message("full-ring waits: %llu\n", (unsigned long long)cnt.waits);
	assert_int_equal(munmap(second, a.size), 0);
	ct_fp_area_destroy(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_scribbled),
		cmocka_unit_test(test_single_wraparound),
		cmocka_unit_test(test_eight_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
