/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The counter calibration: records carry raw ticks (arch/ticks.h), calltrap
 * converts them to CLOCK_MONOTONIC ns, the session's clock, with the
 * struct ct_fp_clock kept in the shared area's header.
 *
 * calltrap measures the counter against CLOCK_MONOTONIC over a short window
 * (ct_fp_clock_calibrate, a few ms): each end is a (ticks, ns) pair read
 * between two clock_gettime calls, the tightest of a few tries; the ns of
 * a pair is the midpoint, so each end is off by at most half its bracket,
 * and the rate's error is at most (bracket_a + bracket_b) / 2 / window
 * (typically under 100 ns over 5 ms: 20 ppm).  error_ppb records that
 * bound.  The conversion is ns = ns_base + ((ticks - tick_base) * mult >>
 * 32), rounded to the nearest ns, in signed 128-bit arithmetic (no
 * overflow for any delta, any counter from 1 MHz to 10 GHz; mult's own
 * rounding adds under 1 ns per second).
 */
#ifndef CT_FASTPATH_CLOCK_H
#define CT_FASTPATH_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "fastpath/ring.h"

#define CT_FP_CLOCK_SHIFT 32

/* One reading of the counter between two CLOCK_MONOTONIC readings. */
struct ct_tick_pair {
	uint64_t ticks;
	uint64_t ns;       /* midpoint of the bracket */
	uint64_t width_ns; /* the bracket */
};

/* Pure: the calibration from two pairs (b later than a).  0, or -EINVAL
 * when the pairs give no rate (no time or no ticks between them). */
int ct_fp_clock_from_pairs(struct ct_fp_clock *c, const struct ct_tick_pair *a,
			   const struct ct_tick_pair *b, unsigned flags);
/* Pure: ticks to CLOCK_MONOTONIC ns (earlier ticks than tick_base too). */
uint64_t ct_fp_clock_ns(const struct ct_fp_clock *c, uint64_t ticks);
/* Pure: a duration in ns as ticks (the heartbeat's timeout). */
uint64_t ct_fp_clock_ticks(const struct ct_fp_clock *c, uint64_t ns);
/* Pure: one line for --stats, e.g. "tsc 2994.371 MHz (+-12 ppm),
 * constant, nonstop" or with ", UNSTABLE: ..." when it is not. */
void ct_fp_clock_format(const struct ct_fp_clock *c, const char *counter, char *buf,
			size_t size);

/* Measure this host's counter over about window_ns.  0 or -errno. */
int ct_fp_clock_calibrate(struct ct_fp_clock *c, uint64_t window_ns);

#endif
