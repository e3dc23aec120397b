/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The counter calibration: the conversion math with fixed numbers (any
 * host), the x86_64 cpuinfo flags, and one real calibration of this host. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "arch/ticks.h"
#include "fastpath/clock.h"

/* 3 GHz: 3e9 ticks in 1 s */
static void test_from_pairs_3ghz(void **state)
{
	(void)state;
	struct ct_tick_pair a = { 1000000, 5000000000u, 40 }, b = { 3001000000u, 6000000000u, 60 };
	struct ct_fp_clock c;
	assert_int_equal(ct_fp_clock_from_pairs(&c, &a, &b, CT_TICKS_STABLE), 0);
	assert_int_equal(c.shift, 32);
	/* 2^32 / 3 = 1431655765.33 -> 1431655765 */
	assert_int_equal(c.mult, 1431655765u);
	assert_int_equal(c.ticks_per_sec, 3000000000u);
	/* (40 + 60) / 2 ns over 1 s = 50 ppb */
	assert_int_equal(c.error_ppb, 50);
	assert_int_equal(ct_fp_clock_ns(&c, b.ticks), 6000000000u);
	assert_int_equal(ct_fp_clock_ns(&c, a.ticks), 5000000000u);
	/* 3000 ticks after b: 1000 ns (exact up to the rounding of mult) */
	assert_int_equal(ct_fp_clock_ns(&c, b.ticks + 3000), 6000001000u);
	/* one tick before b floors to one ns before */
	assert_int_equal(ct_fp_clock_ns(&c, b.ticks - 3), 5999999999u);
	/* an hour later, still within a ns per ~1.5 s of rounding error */
	uint64_t hour = ct_fp_clock_ns(&c, b.ticks + 3600ull * 3000000000u);
	assert_true(hour >= 6000000000u + 3600ull * 1000000000u - 1000);
	assert_true(hour <= 6000000000u + 3600ull * 1000000000u);
	assert_int_equal(ct_fp_clock_ticks(&c, 1000000), 3000000);
}

/* a slow counter (aarch64 cntvct at 24 MHz): ticks longer than a ns */
static void test_from_pairs_24mhz(void **state)
{
	(void)state;
	struct ct_tick_pair a = { 0x100000000ull, 1000, 0 }, b = { 0x100000000ull + 240000, 10001000, 0 };
	struct ct_fp_clock c;
	assert_int_equal(ct_fp_clock_from_pairs(&c, &a, &b, CT_TICKS_STABLE), 0);
	assert_int_equal(c.ticks_per_sec, 24000000u);
	/* 125/3 ns per tick */
	assert_int_equal(ct_fp_clock_ns(&c, b.ticks + 24), 10001000u + 1000);
	assert_int_equal(ct_fp_clock_ns(&c, b.ticks - 24), 10001000u - 1000);
	assert_int_equal(ct_fp_clock_ticks(&c, 1000000000u), 24000000u);
}

static void test_from_pairs_invalid(void **state)
{
	(void)state;
	struct ct_tick_pair a = { 100, 100, 0 }, same = { 100, 200, 0 }, back = { 200, 50, 0 };
	struct ct_fp_clock c;
	assert_int_equal(ct_fp_clock_from_pairs(&c, &a, &same, 0), -EINVAL);
	assert_int_equal(ct_fp_clock_from_pairs(&c, &a, &back, 0), -EINVAL);
}

static void test_format(void **state)
{
	(void)state;
	struct ct_fp_clock c = { .ticks_per_sec = 2994371234u, .error_ppb = 12300,
				 .flags = CT_TICKS_STABLE };
	char buf[200];
	ct_fp_clock_format(&c, "tsc", buf, sizeof(buf));
	assert_string_equal(buf, "tsc 2994.371 MHz (+-13 ppm), constant, nonstop");
	c.flags = CT_TICKS_CONSTANT;
	ct_fp_clock_format(&c, "tsc", buf, sizeof(buf));
	assert_string_equal(buf, "tsc 2994.371 MHz (+-13 ppm), constant, UNSTABLE: stops in "
				 "deep idle states, durations are unreliable");
	c.flags = 0;
	ct_fp_clock_format(&c, "tsc", buf, sizeof(buf));
	assert_non_null(strstr(buf, "UNSTABLE: the rate follows the CPU frequency"));
}

static void test_cpuinfo_flags(void **state)
{
	(void)state;
	const char *both = "processor\t: 0\nvendor_id\t: GenuineIntel\n"
			   "flags\t\t: fpu vme tsc constant_tsc rep_good nopl nonstop_tsc cpuid\n"
			   "processor\t: 1\nflags\t\t: fpu\n";
	assert_int_equal(x86_64_tsc_flags(both), CT_TICKS_STABLE);
	/* the words themselves, not substrings of others */
	assert_int_equal(x86_64_tsc_flags("flags : tsc constant_tsc_x xnonstop_tsc\n"), 0);
	assert_int_equal(x86_64_tsc_flags("flags : constant_tsc\n"), CT_TICKS_CONSTANT);
	assert_int_equal(x86_64_tsc_flags("flags\t: nonstop_tsc"), CT_TICKS_NONSTOP);
	assert_int_equal(x86_64_tsc_flags("processor : 0\n"), 0);
	assert_int_equal(x86_64_tsc_flags(""), 0);
}

/* This host, for real: 5 ms against CLOCK_MONOTONIC. */
static void test_calibrate_host(void **state)
{
	(void)state;
	struct ct_fp_clock c;
	assert_int_equal(ct_fp_clock_calibrate(&c, 5000000), 0);
	/* a TSC runs at 100s of MHz to GHz; an aarch64 generic timer at 1
	 * MHz to 1 GHz (62.5 MHz under qemu, 24-25 MHz on many boards) */
	assert_true(c.ticks_per_sec >= 1000000u);
	assert_true(c.ticks_per_sec <= 10000000000u);
	/* converting now lands near CLOCK_MONOTONIC now (within 50 ms: loaded host) */
	struct timespec ts;
	uint64_t t = ct_ticks_now();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t mono = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	uint64_t conv = ct_fp_clock_ns(&c, t);
	assert_true(conv <= mono + 1000000 && conv + 50000000 >= mono);
	char buf[200];
	ct_fp_clock_format(&c, ct_ticks_name(), buf, sizeof(buf));
	print_message("calibration: %s\n", buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_pairs_3ghz),
		cmocka_unit_test(test_from_pairs_24mhz),
		cmocka_unit_test(test_from_pairs_invalid),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_cpuinfo_flags),
		cmocka_unit_test(test_calibrate_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
