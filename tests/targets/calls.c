/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: nested calls with distinct arguments and return values, all six
 * integer argument registers, negative and 64-bit values, and a recursion 6000
 * frames deep.
 *
 * It prints the exact call/return sequence that `calltrap trace -e add -e mul3
 * -e sum6 -e recurse` must report, one "truth ev" line per event, worked out
 * here independently of the traced functions (which are only checked against
 * it).  Lines are "key=value" words; tests/integration/check_events.py reads
 * them.  Traced functions are noipa so that -O2 keeps real calls with the
 * arguments shown, and recurse() keeps its frames (no tail recursion).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))
#define RECURSE_DEPTH 6000L

TRACED long add(long a, long b);
TRACED long mul3(long a, long b, long c);
TRACED long sum6(long a, long b, long c, long d, long e, long f);
TRACED long recurse(long n);

long add(long a, long b)
{
	asm volatile("");
	return a + b;
}

long mul3(long a, long b, long c)
{
	long s = add(a * b, c);

	asm volatile("" : "+r"(s));
	return s * c;
}

long sum6(long a, long b, long c, long d, long e, long f)
{
	long s = add(a + b + c, d + e + f);

	asm volatile("" : "+r"(s));
	return s;
}

long recurse(long n)
{
	long r;

	if (n <= 1)
		return 1;
	r = recurse(n - 1);
	/* Opaque to the optimizer: no accumulator-style tail recursion. */
	asm volatile("" : "+r"(r));
	return r + n;
}

static int failures;

static void ev_call(const char *func, long depth, const char *args)
{
	printf("truth ev pid=%d tid=%d type=call func=%s depth=%ld args=%s\n", getpid(), gettid(),
	       func, depth, args);
}

static void ev_ret(const char *func, long depth, long ret)
{
	printf("truth ev pid=%d tid=%d type=return func=%s depth=%ld ret=%ld\n", getpid(), gettid(),
	       func, depth, ret);
}

static void check(const char *what, long got, long want)
{
	if (got == want) {
		printf("check %s ok\n", what);
	} else {
		printf("check %s FAIL got=%ld want=%ld\n", what, got, want);
		failures++;
	}
}

int main(void)
{
	long r, n, d;

	printf("truth pid=%d role=main\n", getpid());

	/* add(3, 4) = 7 */
	r = add(3, 4);
	check("add", r, 7);
	ev_call("add", 1, "3,4");
	ev_ret("add", 1, 7);

	/* mul3(2, 3, 4) = add(2 * 3, 4) * 4 = 10 * 4 = 40 */
	r = mul3(2, 3, 4);
	check("mul3", r, 40);
	ev_call("mul3", 1, "2,3,4");
	ev_call("add", 2, "6,4");
	ev_ret("add", 2, 10);
	ev_ret("mul3", 1, 40);

	/* A negative result: the return value is the 64-bit two's complement. */
	r = add(-5, 3);
	check("add-negative", r, -2);
	ev_call("add", 1, "-5,3");
	ev_ret("add", 1, -2);

	/*
	 * All six argument registers; 0x100000000 = 4294967296 needs 64 bits.
	 * add(1 - 2 + 4294967296, 4 + 5 + 6) = add(4294967295, 15) = 4294967310
	 */
	r = sum6(1, -2, 0x100000000L, 4, 5, 6);
	check("sum6", r, 4294967310L);
	ev_call("sum6", 1, "1,-2,4294967296,4,5,6");
	ev_call("add", 2, "4294967295,15");
	ev_ret("add", 2, 4294967310L);
	ev_ret("sum6", 1, 4294967310L);

	/*
	 * recurse(n) = n + recurse(n - 1), recurse(1) = 1, so it returns
	 * n(n+1)/2.  recurse(6000) is at depth 1 and recurse(1) at depth 6000.
	 */
	r = recurse(RECURSE_DEPTH);
	check("recurse", r, RECURSE_DEPTH * (RECURSE_DEPTH + 1) / 2);
	for (d = 1; d <= RECURSE_DEPTH; d++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%ld", RECURSE_DEPTH + 1 - d);
		ev_call("recurse", d, buf);
	}
	for (d = RECURSE_DEPTH; d >= 1; d--) {
		n = RECURSE_DEPTH + 1 - d;
		ev_ret("recurse", d, n * (n + 1) / 2);
	}

	/* After the deep recursion the depth is back to 1. */
	r = add(100, 23);
	check("add-after", r, 123);
	ev_call("add", 1, "100,23");
	ev_ret("add", 1, 123);

	printf("truth exit pid=%d status=%d\n", getpid(), failures ? 1 : 0);
	return failures ? 1 : 0;
}
