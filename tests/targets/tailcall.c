/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: tail calls, and longjmp re-calling from the same call site.
 *
 *  1. tc_one(x) ends by calling tc_leaf(x + 5); tc_chain(x) ends by calling
 *     tc_mid(2x), which ends by calling tc_leaf(2x + 1): at -O2 these calls
 *     are jumps (tail calls: the callee returns for its caller, with its
 *     value), at -O0 calls.  Either way each callee is nested in its caller
 *     and all return together, with the leaf's value; the calls made by a
 *     jump are marked tail (tail=1 when __OPTIMIZE__, else tail=0).
 *  2. lj_victim(i), called from one call site of a loop, longjmps back to
 *     main each time: the next call starts at the same stack pointer with
 *     the same return address as the abandoned frame, as a tail call would,
 *     yet the frame is abandoned: an unwind, and every call at depth 1.
 *     lj_chain(i) does the same through a tail call to lj_victim: both its
 *     frames at that stack pointer are abandoned.
 *  3. A thread calls th_exit(5), which ends the thread (pthread_exit, an
 *     unwinding of its own): th_exit is unwound.
 *
 * Traced with -e 'tc_*' -e 'lj_*' -e 'th_*', the events must be exactly the
 * "truth ev" lines.  Usage: tailcall [N]   (N rounds, default 3)
 *
 * tailcall dispatch N: tp_ping(N) and tp_pong end by calling each other
 * with N - 1 until 0 (tail calls at -O2: a tail-dispatch loop at one stack
 * pointer); prints "truth dispatch n=N ret=42" and its check.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRACED __attribute__((noinline, used))

#ifdef __OPTIMIZE__
#define TAIL "1"
#else
#define TAIL "0"
#endif

TRACED long tc_leaf(long x);
TRACED long tc_mid(long x);
TRACED long tc_chain(long x);
TRACED long tc_one(long x);
/* noipa: not known never to return, so code that only its return would
 * run follows its call, not the code setjmp's second return runs (a
 * return address that other paths reach at the same stack pointer is
 * another matter) */
__attribute__((noipa, used)) long lj_victim(long x);
TRACED long lj_after(long x);
TRACED long lj_chain(long x);
TRACED long th_exit(long x);
TRACED long tp_ping(long n);
TRACED long tp_pong(long n);

static volatile long sink;
static jmp_buf env;
/* not a local of main: one changed between setjmp and longjmp would be
 * indeterminate after it (and GCC's aarch64 -O2 code did lose it) */
static int failures;

/* untraced: tc_chain keeps x across it, so it has a frame to pop before
 * its jump */
static __attribute__((noipa)) long helper_twice(long x)
{
	sink = x;
	return x * 2;
}

long tc_leaf(long x)
{
	sink = x;
	return x * 3 + 1;
}

long tc_mid(long x)
{
	sink = x;
	return tc_leaf(x + 1);
}

long tc_chain(long x)
{
	long y = helper_twice(x);

	sink = x;
	return tc_mid(y);
}

long tc_one(long x)
{
	sink = x;
	return tc_leaf(x + 5);
}

long lj_victim(long x)
{
	sink = x;
	longjmp(env, (int)x + 1);
}

/* ends by jumping to lj_victim at -O2: two frames at one stack pointer,
 * both abandoned by its longjmp */
long lj_chain(long x)
{
	sink = x;
	return lj_victim(x);
}

long lj_after(long x)
{
	sink = x;
	return x + 7;
}

long th_exit(long x)
{
	sink = x;
	pthread_exit(NULL);
}

long tp_ping(long n)
{
	sink = n;
	if (n == 0)
		return 42;
	return tp_pong(n - 1);
}

long tp_pong(long n)
{
	sink = n;
	if (n == 0)
		return 42;
	return tp_ping(n - 1);
}

static int dispatch(long n)
{
	long r = tp_ping(n);

	printf("truth dispatch n=%ld ret=%ld\n", n, r);
	printf("check dispatch %s\n", r == 42 ? "ok" : "FAIL");
	return r == 42 ? 0 : 1;
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

static void *exiting_thread(void *arg)
{
	(void)arg;
	printf("truth thread pid=%d tid=%d parent=%d\n", getpid(), gettid(), getpid());
	ev("call", "th_exit", 1, "args", 5, " tail=0");
	ev("unwind", "th_exit", 1, NULL, 0, NULL);
	fflush(stdout);
	th_exit(5);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	volatile int i;
	long r;

	if (argc > 2 && !strcmp(argv[1], "dispatch"))
		return dispatch(atol(argv[2]));
	printf("truth pid=%d role=main\n", getpid());
	for (i = 0; i < n; i++) {
		r = tc_one(i);
		if (r != (i + 5) * 3 + 1) {
			printf("check tc_one(%d) FAIL got=%ld\n", i, r);
			failures++;
		}
		ev("call", "tc_one", 1, "args", i, " tail=0");
		ev("call", "tc_leaf", 2, "args", i + 5, " tail=" TAIL);
		ev("return", "tc_leaf", 2, "ret", r, NULL);
		ev("return", "tc_one", 1, "ret", r, NULL);

		r = tc_chain(i);
		if (r != (2 * i + 1) * 3 + 1) {
			printf("check tc_chain(%d) FAIL got=%ld\n", i, r);
			failures++;
		}
		ev("call", "tc_chain", 1, "args", i, " tail=0");
		ev("call", "tc_mid", 2, "args", 2 * i, " tail=" TAIL);
		ev("call", "tc_leaf", 3, "args", 2 * i + 1, " tail=" TAIL);
		ev("return", "tc_leaf", 3, "ret", r, NULL);
		ev("return", "tc_mid", 2, "ret", r, NULL);
		ev("return", "tc_chain", 1, "ret", r, NULL);
	}
	/* one call site, one stack pointer: each call after a longjmp */
	for (i = 0; i < n; i++) {
		int rc = setjmp(env);

		if (rc == 0) {
			lj_victim(i);
			failures++;
			printf("check lj_victim-returned FAIL\n");
		}
		if (rc != i + 1) {
			printf("check setjmp(%d) FAIL rc=%d\n", i, rc);
			failures++;
		}
		ev("call", "lj_victim", 1, "args", i, " tail=0");
		ev("unwind", "lj_victim", 1, NULL, 0, NULL);
	}
	/* the same after a tail call: both frames at that stack pointer end */
	for (i = 0; i < n; i++) {
		int rc = setjmp(env);

		if (rc == 0) {
			lj_chain(i);
			failures++;
			printf("check lj_chain-returned FAIL\n");
		}
		if (rc != i + 1) {
			printf("check setjmp-chain(%d) FAIL rc=%d\n", i, rc);
			failures++;
		}
		ev("call", "lj_chain", 1, "args", i, " tail=0");
		ev("call", "lj_victim", 2, "args", i, " tail=" TAIL);
		ev("unwind", "lj_victim", 2, NULL, 0, NULL);
		ev("unwind", "lj_chain", 1, NULL, 0, NULL);
	}
	{
		pthread_t th;

		fflush(stdout);
		if (pthread_create(&th, NULL, exiting_thread, NULL) || pthread_join(th, NULL)) {
			printf("check thread FAIL\n");
			failures++;
		}
	}
	r = lj_after(1);
	if (r != 8) {
		printf("check lj_after FAIL got=%ld\n", r);
		failures++;
	}
	ev("call", "lj_after", 1, "args", 1, " tail=0");
	ev("return", "lj_after", 1, "ret", 8, NULL);
	printf("check tailcall %s\n", failures ? "FAIL" : "ok");
	printf("truth exit pid=%d status=%d\n", getpid(), failures ? 1 : 0);
	return failures ? 1 : 0;
}
