/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Counter calibration against CLOCK_MONOTONIC (the why is in clock.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "arch/ticks.h"
#include "fastpath/clock.h"

#define NS_PER_SEC UINT64_C(1000000000)

int ct_fp_clock_from_pairs(struct ct_fp_clock *c, const struct ct_tick_pair *a,
			   const struct ct_tick_pair *b, unsigned flags)
{
	if (b->ticks <= a->ticks || b->ns <= a->ns)
		return -EINVAL;
	unsigned __int128 dt = b->ticks - a->ticks, dns = b->ns - a->ns;
	/* round to nearest */
	unsigned __int128 mult = ((dns << CT_FP_CLOCK_SHIFT) + dt / 2) / dt;
	if (mult == 0 || mult > UINT64_MAX)
		return -EINVAL;
	*c = (struct ct_fp_clock){
		.mult = (uint64_t)mult,
		.shift = CT_FP_CLOCK_SHIFT,
		.flags = flags,
		.tick_base = b->ticks,
		.ns_base = b->ns,
		.ticks_per_sec = (uint64_t)((dt * NS_PER_SEC + dns / 2) / dns),
		.error_ppb = (uint64_t)(((unsigned __int128)(a->width_ns + b->width_ns) *
					 NS_PER_SEC / 2 + dns / 2) / dns),
	};
	return 0;
}

uint64_t ct_fp_clock_ns(const struct ct_fp_clock *c, uint64_t ticks)
{
	__int128 delta = (__int128)(int64_t)(ticks - c->tick_base) * (__int128)c->mult;
	/* to the nearest ns; adding a constant before the arithmetic
	 * (flooring) shift keeps the conversion monotonic across tick_base */
	delta += (__int128)1 << (c->shift - 1);
	return c->ns_base + (uint64_t)(int64_t)(delta >> c->shift);
}

uint64_t ct_fp_clock_ticks(const struct ct_fp_clock *c, uint64_t ns)
{
	if (c->mult == 0)
		return 0;
	unsigned __int128 t = (((unsigned __int128)ns << c->shift) + c->mult / 2) / c->mult;
	return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}

void ct_fp_clock_format(const struct ct_fp_clock *c, const char *counter, char *buf,
			size_t size)
{
	uint64_t khz = (c->ticks_per_sec + 500) / 1000;
	uint64_t ppm = (c->error_ppb + 999) / 1000;
	const char *why = "";
	if (!(c->flags & CT_TICKS_CONSTANT))
		why = ", UNSTABLE: the rate follows the CPU frequency, durations are unreliable";
	else if (!(c->flags & CT_TICKS_NONSTOP))
		why = ", UNSTABLE: stops in deep idle states, durations are unreliable";
	snprintf(buf, size, "%s %llu.%03llu MHz (+-%llu ppm)%s%s%s", counter,
		 (unsigned long long)(khz / 1000), (unsigned long long)(khz % 1000),
		 (unsigned long long)ppm, c->flags & CT_TICKS_CONSTANT ? ", constant" : "",
		 c->flags & CT_TICKS_NONSTOP ? ", nonstop" : "", why);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* The tightest of a few brackets: a preemption inside one only widens it. */
static void read_pair(struct ct_tick_pair *p)
{
	p->width_ns = UINT64_MAX;
	for (int i = 0; i < 16; i++) {
		uint64_t before = mono_ns();
		uint64_t ticks = ct_ticks_now();
		uint64_t after = mono_ns();
		if (after - before < p->width_ns)
			*p = (struct ct_tick_pair){ ticks, before + (after - before) / 2,
						    after - before };
	}
}

int ct_fp_clock_calibrate(struct ct_fp_clock *c, uint64_t window_ns)
{
	struct ct_tick_pair a, b;
	read_pair(&a);
	struct timespec rest = { (time_t)(window_ns / NS_PER_SEC),
				 (long)(window_ns % NS_PER_SEC) };
	while (nanosleep(&rest, &rest) != 0) {
		if (errno != EINTR)
			return -errno;
	}
	read_pair(&b);
	return ct_fp_clock_from_pairs(c, &a, &b, ct_ticks_host_flags());
}
