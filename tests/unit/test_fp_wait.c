/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fast path's rings when they are full or nested (src/fastpath/ring.h,
 * the reference producer): a full ring waits for calltrap's drain and
 * loses nothing, a dead calltrap (stale heartbeat, or gone while a thread
 * waits) makes it drop and count instead, and a signal handler raised at
 * each step of a produce keeps every record whole and published. */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fp_util.h"

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
		cmocka_unit_test(test_full_ring_waits),
		cmocka_unit_test(test_stale_heartbeat_drops),
		cmocka_unit_test(test_drained_while_full),
		cmocka_unit_test(test_leave_releases_waiter),
		cmocka_unit_test(test_nested_points),
		cmocka_unit_test(test_nested_full_ring_drops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
