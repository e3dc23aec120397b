/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: C++ exceptions thrown through traced frames.
 *
 * For i = 1 .. 9, main calls level1(i) -> level2(i) -> thrower(i).  When i is
 * a multiple of 3, thrower throws; level2 holds a Guard whose destructor runs
 * in level2's cleanup landing pad and calls cleanup_hook(i), a traced call
 * made while thrower's frame is already dead; the exception is caught in
 * main.  The unwinder walks the real stack, so a tracer that rewrote return
 * addresses would break it: stdout must be identical with and without
 * calltrap.  The traced functions are extern "C" so their names are plain.
 *
 * Traced with -e level1 -e level2 -e thrower -e cleanup_hook the events must
 * be exactly the "truth ev" lines: thrower's frame is unwound before
 * cleanup_hook is called (same depth), level2 and level1 are unwound before
 * the next level1 call.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))

extern "C" {
TRACED long thrower(long x);
TRACED long level2(long x);
TRACED long level1(long x);
TRACED long cleanup_hook(long x);
}

struct Thrown {
	long code;
};

static long cleanups;

long cleanup_hook(long x)
{
	asm volatile("");
	cleanups += x;
	return x + 1000;
}

struct Guard {
	long x;
	bool armed;
	~Guard()
	{
		if (armed)
			cleanup_hook(x);
	}
};

long thrower(long x)
{
	asm volatile("");
	if (x % 3 == 0)
		throw Thrown{x * 11};
	return x * 2;
}

long level2(long x)
{
	Guard g{x, true};
	long r = thrower(x);

	asm volatile("" : "+r"(r));
	/* Only a throw runs the guard's cleanup_hook. */
	g.armed = false;
	return r + 1;
}

long level1(long x)
{
	long r = level2(x);

	asm volatile("" : "+r"(r));
	return r + 1;
}

static void ev(const char *type, const char *func, int depth, const char *key, long val)
{
	printf("truth ev pid=%d tid=%d type=%s func=%s depth=%d", getpid(), gettid(), type, func,
	       depth);
	if (key)
		printf(" %s=%ld", key, val);
	printf("\n");
}

int main()
{
	long sum = 0, caught = 0, i;
	int failures = 0;

	printf("truth pid=%d role=main\n", getpid());
	for (i = 1; i <= 9; i++) {
		try {
			sum += level1(i);
			printf("returned %ld\n", i);
		} catch (const Thrown &t) {
			caught++;
			sum += t.code;
			printf("caught %ld code %ld\n", i, t.code);
		}
		ev("call", "level1", 1, "args", i);
		ev("call", "level2", 2, "args", i);
		ev("call", "thrower", 3, "args", i);
		if (i % 3 == 0) {
			ev("unwind", "thrower", 3, NULL, 0);
			ev("call", "cleanup_hook", 3, "args", i);
			ev("return", "cleanup_hook", 3, "ret", i + 1000);
			ev("unwind", "level2", 2, NULL, 0);
			ev("unwind", "level1", 1, NULL, 0);
		} else {
			ev("return", "thrower", 3, "ret", 2 * i);
			ev("return", "level2", 2, "ret", 2 * i + 1);
			ev("return", "level1", 1, "ret", 2 * i + 2);
		}
	}
	/*
	 * Returns: i = 1,2,4,5,7,8 give 2i + 2 -> 4+6+10+12+16+18 = 66.
	 * Throws: i = 3,6,9 give 11i -> 33+66+99 = 198.  Total 264.
	 * Cleanups ran for 3 + 6 + 9 = 18.
	 */
	printf("checksum %ld caught %ld cleanups %ld\n", sum, caught, cleanups);
	if (sum == 264 && caught == 3 && cleanups == 18) {
		printf("check exceptions ok\n");
	} else {
		printf("check exceptions FAIL\n");
		failures++;
	}
	printf("truth exit pid=%d status=%d\n", getpid(), failures ? 1 : 0);
	return failures ? 1 : 0;
}
