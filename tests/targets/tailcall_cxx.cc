/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: a throw/catch loop re-calling from the same call site, and
 * a tail call made after a catch.
 *
 *  1. ex_victim(i), called from one call site of a loop in main, throws;
 *     main catches: the next call starts at the same stack pointer with
 *     the same return address as the abandoned frame, as a tail call
 *     would, yet the frame is abandoned: an unwind, every call at depth 1.
 *  2. ex_catch_tail(i) calls ex_victim(i) and catches what it throws, then
 *     ends by calling ex_leaf (a jump at -O2): ex_victim is unwound,
 *     ex_catch_tail is not; ex_leaf nested in it, both returning its value.
 *
 * Traced with -e 'ex_*', the events must be exactly the "truth ev" lines.
 * Usage: tailcall_cxx [N]   (N rounds, default 3)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TRACED __attribute__((noinline, used))

#ifdef __OPTIMIZE__
#define TAIL "1"
#else
#define TAIL "0"
#endif

extern "C" {
/* noipa: not known always to throw, so its return address is not the
 * landing pad of the catch (see tailcall.c's lj_victim) */
__attribute__((noipa, used)) long ex_victim(long x);
TRACED long ex_leaf(long x);
TRACED long ex_catch_tail(long x);
}

static volatile long sink;

long ex_victim(long x)
{
	sink = x;
	throw x + 100;
}

long ex_leaf(long x)
{
	sink = x;
	return x * 5;
}

long ex_catch_tail(long x)
{
	long r;

	try {
		r = ex_victim(x);
		sink = r;
	} catch (long v) {
		r = v;
	}
	sink = r;
	return ex_leaf(r + 1);
}

static void ev(const char *type, const char *func, int depth, const char *key, long val,
	       const char *more)
{
	printf("truth ev pid=%d tid=%d type=%s func=%s depth=%d", getpid(), gettid(), type, func,
	       depth);
	if (key)
		printf(" %s=%ld", key, val);
	printf("%s\n", more ? more : "");
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3, failures = 0;
	volatile int i;
	long r;

	printf("truth pid=%d role=main\n", getpid());
	/* one call site, one stack pointer: each call after a catch */
	for (i = 0; i < n; i++) {
		try {
			ex_victim(i);
			failures++;
		} catch (long v) {
			if (v != i + 100)
				failures++;
		}
		ev("call", "ex_victim", 1, "args", i, " tail=0");
		ev("unwind", "ex_victim", 1, NULL, 0, NULL);
	}
	for (i = 0; i < n; i++) {
		r = ex_catch_tail(i);
		if (r != (i + 101) * 5)
			failures++;
		ev("call", "ex_catch_tail", 1, "args", i, " tail=0");
		ev("call", "ex_victim", 2, "args", i, " tail=0");
		ev("unwind", "ex_victim", 2, NULL, 0, NULL);
		ev("call", "ex_leaf", 2, "args", i + 101, " tail=" TAIL);
		ev("return", "ex_leaf", 2, "ret", r, NULL);
		ev("return", "ex_catch_tail", 1, "ret", r, NULL);
	}
	printf("check tailcall_cxx %s\n", failures ? "FAIL" : "ok");
	printf("truth exit pid=%d status=%d\n", getpid(), failures ? 1 : 0);
	return failures ? 1 : 0;
}
