/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fast path's shared rings (src/fastpath/ring.h): the layout, the
 * thread table, the reference producer against the consumer in one and
 * in 8 threads, the full-ring wait, the dead-tracer drop, and producers
 * nested by a signal handler raised at each step of the protocol. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <cmocka.h>

#include "arch/ticks.h"
#include "fastpath/fastpath.h"

/* ASan, and the emulated aarch64 guest of CI, are many times slower */
#if defined(__SANITIZE_ADDRESS__) || defined(__aarch64__)
#define PER_THREAD 100000u
#else
#define PER_THREAD 1000000u
#endif
#define NR_PRODUCERS 8
#define TP(n) (UINT64_C(0x7f3a12340000) + (uint64_t)(n) * 0x2000)

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A bound for waiting on another thread: generous, never a sleep. */
#define DEADLINE_NS (20ull * 1000000000u)

static struct ct_fp_event event(uint32_t id, uint64_t seq)
{
	struct ct_fp_event ev = {
		.kind_flags = (seq & 1 ? CT_FP_RETURN : CT_FP_CALL) | (uint32_t)(seq & 0x7f) << 16,
		.func_id = id,
		.sp = 0x7ffc00000000ull - seq * 16,
		.pc = 0x401000 + id * 0x100 + (seq & 0xff),
	};
	for (int k = 0; k < CT_FP_NR_ARGS; k++)
		ev.a[k] = seq * 1000003u + (uint64_t)k + ((uint64_t)id << 48);
	return ev;
}

/* Is r exactly event(id, seq), every field (a torn record fails)? */
static bool is_event(const struct ct_fp_record *r, uint32_t id, uint64_t seq)
{
	struct ct_fp_event ev = event(id, seq);
	if (r->kind_flags != ev.kind_flags || r->func_id != id || r->sp != ev.sp ||
	    r->pc != ev.pc || r->tsc == 0)
		return false;
	for (int k = 0; k < CT_FP_NR_ARGS; k++)
		if (r->a[k] != ev.a[k])
			return false;
	return true;
}

struct collect {
	uint32_t n, cap;
	struct ct_fp_record rec[64];
};

static void collect_fn(void *ctx, uint32_t ring, const struct ct_fp_record *r)
{
	(void)ring;
	struct collect *c = ctx;
	if (c->n < 64)
		c->rec[c->n] = *r;
	c->n++;
}

static void make_area(struct ct_fp_area *a, uint32_t slots, uint32_t rings, uint32_t cap)
{
	struct ct_fp_geometry g = { slots, rings, cap };
	assert_int_equal(ct_fp_area_create(a, &g), 0);
	ct_fp_set_heartbeat_timeout(a, INT64_MAX); /* alive for ever, unless a test says */
	ct_fp_heartbeat(a, ct_ticks_now());
}

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

/* --- full ring --------------------------------------------------------- */

struct waiter {
	void *base;
	unsigned n;          /* events to produce */
	int waiting;         /* set at the first wait (atomic) */
	int done;            /* atomic */
	unsigned written, dropped;
};

static void waiting_hook(void *ctx, enum ct_fp_point p)
{
	struct waiter *w = ctx;
	if (p == CT_FP_AT_WAIT) {
		__atomic_store_n(&w->waiting, 1, __ATOMIC_RELEASE);
		sched_yield();
	}
}

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct ct_fp_hooks h = { waiting_hook, w };
	for (unsigned s = 0; s < w->n; s++) {
		struct ct_fp_event ev = event(7, s);
		if (ct_fp_produce(w->base, TP(7), &ev, &h) == CT_FP_WRITTEN)
			w->written++;
		else
			w->dropped++;
	}
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static bool wait_flag(int *flag)
{
	uint64_t t0 = mono_ns();
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (mono_ns() - t0 > DEADLINE_NS)
			return false;
		sched_yield();
	}
	return true;
}

/* A full ring makes the producer wait until calltrap drains: no loss. */
static void test_full_ring_waits(void **state)
{
	(void)state;
	struct ct_fp_area a;
	make_area(&a, 16, 1, 8);
	assert_int_equal(ct_fp_register(&a, TP(7)), 0);
	struct waiter w = { .base = a.base, .n = 20 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, waiter_main, &w), 0);
	assert_true(wait_flag(&w.waiting));
	struct ct_fp_ring *r = ct_fp_ring_at(a.base, 0);
	/* it waits with the ring full, its 9th event not reserved */
	assert_int_equal(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE), 0);
	assert_int_equal(__atomic_load_n(&r->reserve, __ATOMIC_RELAXED), 8);
	struct collect col = { 0 };
	uint64_t total = 0, t0 = mono_ns();
	while (total < 20 && mono_ns() - t0 < DEADLINE_NS) {
		total += ct_fp_drain(&a, 0, collect_fn, &col);
		sched_yield();
	}
	assert_true(wait_flag(&w.done));
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(total, 20);
	for (unsigned i = 0; i < 20; i++)
		assert_true(is_event(&col.rec[i], 7, i));
	assert_int_equal(w.written, 20);
	assert_int_equal(w.dropped, 0);
	struct ct_fp_counters cnt;
	ct_fp_counters(&a, &cnt);
	assert_true(cnt.waits >= 1);
	assert_int_equal(cnt.drops, 0);
	ct_fp_area_destroy(&a);
}

struct drain_on_wait {
	struct ct_fp_area *a;
	bool waited;
};

static void discard_fn(void *ctx, uint32_t ring, const struct ct_fp_record *r)
{
	(void)ctx, (void)ring, (void)r;
}

static void drain_on_wait_hook(void *ctx, enum ct_fp_point p)
{
	struct drain_on_wait *d = ctx;
	if (p == CT_FP_AT_WAIT) {
		d->waited = true;
		ct_fp_drain(d->a, 0, discard_fn, NULL);
	}
}

/* A stale heartbeat: a full ring drops and counts, without waiting (a
 * wait would be for ever here: the hook notes it and drains). */
static void test_stale_heartbeat_drops(void **state)
{
	(void)state;
	struct ct_fp_area a;
	struct drain_on_wait dw = { &a, false };
	struct ct_fp_hooks hooks = { drain_on_wait_hook, &dw };
	make_area(&a, 16, 1, 8);
	assert_int_equal(ct_fp_register(&a, TP(7)), 0);
	ct_fp_set_heartbeat_timeout(&a, 1000);
	ct_fp_heartbeat(&a, 1); /* ages ago, in ticks */
	unsigned written = 0, dropped = 0;
	uint64_t t0 = mono_ns();
	for (unsigned s = 0; s < 12; s++) {
		struct ct_fp_event ev = event(7, s);
		if (ct_fp_produce(a.base, TP(7), &ev, &hooks) == CT_FP_WRITTEN)
			written++;
		else
			dropped++;
	}
	assert_true(mono_ns() - t0 < DEADLINE_NS);
	assert_false(dw.waited);
	assert_int_equal(written, 8);
	assert_int_equal(dropped, 4);
	struct ct_fp_counters cnt;
	ct_fp_counters(&a, &cnt);
	assert_int_equal(cnt.drops, 4);
	assert_int_equal(cnt.waits, 0);
	/* the 8 that fitted are whole and in order; room again: written */
	struct collect col = { 0 };
	assert_int_equal(ct_fp_drain(&a, 0, collect_fn, &col), 8);
	for (unsigned i = 0; i < 8; i++)
		assert_true(is_event(&col.rec[i], 7, i));
	struct ct_fp_event ev = event(7, 100);
	assert_int_equal(ct_fp_produce(a.base, TP(7), &ev, NULL), CT_FP_WRITTEN);
	ct_fp_area_destroy(&a);
}

/* calltrap drains the whole ring just after the producer saw it full:
 * the producer must not take the empty ring for a nested deadlock
 * (head == tail) and drop; it finds room. */
static void drain_all_hook(void *ctx, enum ct_fp_point p)
{
	struct drain_on_wait *d = ctx;
	if (p == CT_FP_AT_FULL && !d->waited) {
		d->waited = true;
		ct_fp_drain(d->a, 0, discard_fn, NULL);
	}
}

static void test_drained_while_full(void **state)
{
	(void)state;
	struct ct_fp_area a;
	make_area(&a, 16, 1, 8);
	assert_int_equal(ct_fp_register(&a, TP(7)), 0);
	for (unsigned s = 0; s < 8; s++) {
		struct ct_fp_event ev = event(7, s);
		assert_int_equal(ct_fp_produce(a.base, TP(7), &ev, NULL), CT_FP_WRITTEN);
	}
	struct drain_on_wait dw = { &a, false };
	struct ct_fp_hooks hooks = { drain_all_hook, &dw };
	struct ct_fp_event ev = event(7, 8);
	assert_int_equal(ct_fp_produce(a.base, TP(7), &ev, &hooks), CT_FP_WRITTEN);
	assert_true(dw.waited);
	struct ct_fp_counters cnt;
	ct_fp_counters(&a, &cnt);
	assert_int_equal(cnt.drops, 0);
	struct collect col = { 0 };
	assert_int_equal(ct_fp_drain(&a, 0, collect_fn, &col), 1);
	assert_true(is_event(&col.rec[0], 7, 8));
	ct_fp_area_destroy(&a);
}

/* calltrap leaves while a producer waits: it stops waiting and drops. */
static void test_leave_releases_waiter(void **state)
{
	(void)state;
	struct ct_fp_area a;
	make_area(&a, 16, 1, 8);
	assert_int_equal(ct_fp_register(&a, TP(7)), 0);
	struct waiter w = { .base = a.base, .n = 10 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, waiter_main, &w), 0);
	assert_true(wait_flag(&w.waiting));
	ct_fp_leave(&a);
	assert_true(wait_flag(&w.done));
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.written, 8);
	assert_int_equal(w.dropped, 2);
	struct ct_fp_counters cnt;
	ct_fp_counters(&a, &cnt);
	assert_int_equal(cnt.drops, 2);
	assert_int_equal(cnt.waits, 1);
	ct_fp_area_destroy(&a);
}

/* --- nesting: a signal handler produces in the middle of a produce ----- */

struct nest {
	void *base;
	enum ct_fp_point at;
	bool fired;
	unsigned nested_n;      /* events the handler produces */
	unsigned nested_written, nested_dropped;
	uint64_t head_in_handler; /* what calltrap could drain at that moment */
	bool nested_waited;
};
static struct nest *g_nest; /* the signal handler's only way in */

/* A handler that waits could wait for ever (nobody drains in these
 * tests): note it and let calltrap "leave", so the failure is finite. */
static void nested_wait_hook(void *ctx, enum ct_fp_point p)
{
	struct nest *n = ctx;
	if (p == CT_FP_AT_WAIT) {
		n->nested_waited = true;
		struct ct_fp_header *h = n->base;
		__atomic_store_n(&h->tracer_heartbeat, 0, __ATOMIC_RELEASE);
	}
}

static void nest_handler(int sig)
{
	(void)sig;
	struct nest *n = g_nest;
	struct ct_fp_hooks hooks = { nested_wait_hook, n };
	for (unsigned i = 0; i < n->nested_n; i++) {
		struct ct_fp_event ev = event(2, 500 + i);
		if (ct_fp_produce(n->base, TP(3), &ev, &hooks) == CT_FP_WRITTEN)
			n->nested_written++;
		else
			n->nested_dropped++;
	}
	const struct ct_fp_header *h = n->base;
	const struct ct_fp_ring *r =
		(const struct ct_fp_ring *)((const char *)n->base + h->rings_offset);
	n->head_in_handler = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
}

static void nest_hook(void *ctx, enum ct_fp_point p)
{
	struct nest *n = ctx;
	if (p == n->at && !n->fired) {
		n->fired = true;
		raise(SIGUSR1); /* delivered before raise returns */
	}
}

/* Outer event(1, 0) with a handler producing nested_n events at point
 * `at`; returns the drained records in c. */
static void run_nested(enum ct_fp_point at, uint32_t cap, unsigned nested_n, struct collect *c,
		       struct nest *n, struct ct_fp_counters *cnt)
{
	struct ct_fp_area a;
	make_area(&a, 16, 1, cap);
	assert_int_equal(ct_fp_register(&a, TP(3)), 0);
	*n = (struct nest){ .base = a.base, .at = at, .nested_n = nested_n };
	g_nest = n;
	struct sigaction sa = { .sa_handler = nest_handler }, old;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	struct ct_fp_hooks h = { nest_hook, n };
	struct ct_fp_event ev = event(1, 0);
	assert_int_equal(ct_fp_produce(a.base, TP(3), &ev, &h), CT_FP_WRITTEN);
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
	assert_true(n->fired);
	struct ct_fp_ring *r = ct_fp_ring_at(a.base, 0);
	/* everything reserved is published, nothing in flight */
	assert_int_equal(r->head, r->reserve);
	assert_int_equal(r->depth, 0);
	*c = (struct collect){ 0 };
	ct_fp_drain(&a, 0, collect_fn, c);
	ct_fp_counters(&a, cnt);
	ct_fp_area_destroy(&a);
}

static void test_nested_points(void **state)
{
	(void)state;
	static const struct {
		enum ct_fp_point at;
		bool nested_first;      /* the handler reserved before the outer one */
		uint64_t head_in_handler; /* published when the handler returns */
	} cases[] = {
		/* the outer producer holds depth: the handler publishes nothing
		 * (a published slot 0 would be the outer's unwritten record) */
		{ CT_FP_AT_DEPTH, true, 0 },
		{ CT_FP_AT_MID_RECORD, false, 0 },
		{ CT_FP_AT_PUBLISH_LOAD, false, 0 }, /* the outer re-publishes */
		{ CT_FP_AT_UNDEPTH, false, 3 },      /* the handler is outermost */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct collect c;
		struct nest n;
		struct ct_fp_counters cnt;
		run_nested(cases[i].at, 64, 2, &c, &n, &cnt);
		assert_int_equal(n.nested_written, 2);
		assert_int_equal(n.head_in_handler, cases[i].head_in_handler);
		assert_int_equal(c.n, 3);
		unsigned o = cases[i].nested_first ? 2 : 0, f = cases[i].nested_first ? 0 : 1;
		assert_true(is_event(&c.rec[o], 1, 0));
		assert_true(is_event(&c.rec[f], 2, 500));
		assert_true(is_event(&c.rec[f + 1], 2, 501));
		assert_int_equal(cnt.drops + cnt.pending, 0);
	}
}

/* A handler on a ring that its interrupted producer filled with a reserved,
 * unpublished record: it cannot wait (calltrap could not drain it: a
 * deadlock), so it drops and counts; the outer record stays whole. */
static void test_nested_full_ring_drops(void **state)
{
	(void)state;
	struct collect c;
	struct nest n;
	struct ct_fp_counters cnt;
	run_nested(CT_FP_AT_MID_RECORD, 2, 3, &c, &n, &cnt);
	assert_false(n.nested_waited);
	assert_int_equal(cnt.waits, 0);
	assert_int_equal(n.nested_written, 1);
	assert_int_equal(n.nested_dropped, 2);
	assert_int_equal(cnt.drops, 2);
	assert_int_equal(c.n, 2);
	assert_true(is_event(&c.rec[0], 1, 0));
	assert_true(is_event(&c.rec[1], 2, 500));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_single_wraparound),
		cmocka_unit_test(test_eight_threads),
		cmocka_unit_test(test_full_ring_waits),
		cmocka_unit_test(test_stale_heartbeat_drops),
		cmocka_unit_test(test_drained_while_full),
		cmocka_unit_test(test_leave_releases_waiter),
		cmocka_unit_test(test_nested_points),
		cmocka_unit_test(test_nested_full_ring_drops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
