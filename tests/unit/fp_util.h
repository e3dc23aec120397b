/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers of the fast path's ring tests (test_fp_ring.c, test_fp_wait.c):
 * deterministic events whose every field is checked, a collector, an area
 * whose calltrap is alive for ever unless a test says otherwise.
 * Include after <cmocka.h>. */
#ifndef CT_TEST_FP_UTIL_H
#define CT_TEST_FP_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "arch/ticks.h"
#include "fastpath/fastpath.h"

#define TP(n) (UINT64_C(0x7f3a12340000) + (uint64_t)(n) * 0x2000)

static inline uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A bound for waiting on another thread: generous, never a sleep. */
#define DEADLINE_NS (20ull * 1000000000u)

static inline struct ct_fp_event event(uint32_t id, uint64_t seq)
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
static inline bool is_event(const struct ct_fp_record *r, uint32_t id, uint64_t seq)
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

static inline void collect_fn(void *ctx, uint32_t ring, const struct ct_fp_record *r)
{
	(void)ring;
	struct collect *c = ctx;
	if (c->n < 64)
		c->rec[c->n] = *r;
	c->n++;
}

static inline void make_area(struct ct_fp_area *a, uint32_t slots, uint32_t rings, uint32_t cap)
{
	struct ct_fp_geometry g = { slots, rings, cap };
	assert_int_equal(ct_fp_area_create(a, &g), 0);
	ct_fp_set_heartbeat_timeout(a, INT64_MAX); /* alive for ever, unless a test says */
	ct_fp_heartbeat(a, ct_ticks_now());
}

#endif
