/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_target: call small() N times and print how long the loop took.
 *
 * The time is taken with CLOCK_MONOTONIC around the loop only, so the cost of
 * starting the program and of a tracer inserting its breakpoints is left out:
 * the per-call cost of a tracer is (traced loop_ns - untraced loop_ns) / N.
 * Nothing is printed per call, so output costs nothing either.
 *
 * Built with -DBENCH_INT3, small() executes a breakpoint instruction (x86
 * int3, aarch64 brk #0) at its start and just before it returns: two SIGTRAP
 * stops per call, which bench/ptrace_floor.c resumes and nothing else (on
 * aarch64 it also moves the pc past the brk, which does not advance it).
 * That is the floor for a tracer with one stop per event.
 *
 * Prints one line: "loop_ns=<ns> calls=<N> sum=<checksum>".
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#define BENCH_TRAP "int3"
#elif defined(__aarch64__)
#define BENCH_TRAP "brk #0"
#elif defined(BENCH_INT3)
#error "BENCH_INT3: no breakpoint instruction known for this architecture"
#endif

int small(int x);

/* Global, so ltrace -x and calltrap -e find it in .symtab under its own name. */
__attribute__((noinline)) int small(int x)
{
#ifdef BENCH_INT3
	__asm__ volatile(BENCH_TRAP ::: "memory");
#endif
	/*
	 * An opaque asm keeps small() from being pure: otherwise -O2 may fold
	 * or drop calls even though it is noinline.
	 */
	__asm__ volatile("" : "+r"(x) : : "memory");
	x = 2 * x + 1;
#ifdef BENCH_INT3
	__asm__ volatile(BENCH_TRAP ::: "memory");
#endif
	return x;
}

static int parse_count(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno)
		return -errno;
	if (end == s || *end || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	uint64_t sum = 0;
	long n, i;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s N\n", argv[0]);
		return 2;
	}
	err = parse_count(argv[1], &n);
	if (err) {
		fprintf(stderr, "%s: bad count '%s': %s\n", argv[0], argv[1], strerror(-err));
		return 2;
	}

	if (clock_gettime(CLOCK_MONOTONIC, &t0)) {
		fprintf(stderr, "%s: clock_gettime: %s\n", argv[0], strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++)
		sum += (unsigned int)small((int)i);
	if (clock_gettime(CLOCK_MONOTONIC, &t1)) {
		fprintf(stderr, "%s: clock_gettime: %s\n", argv[0], strerror(errno));
		return 1;
	}

	/* The sum is printed so the calls have an observable result. */
	if (printf("loop_ns=%" PRId64 " calls=%ld sum=%" PRIu64 "\n", ts_ns(&t1) - ts_ns(&t0), n,
		   sum) < 0 || fflush(stdout)) {
		fprintf(stderr, "%s: write: %s\n", argv[0], strerror(errno));
		return 1;
	}
	return 0;
}
