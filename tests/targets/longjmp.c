/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: frames abandoned by longjmp.
 *
 *  1. main -> outer(1) -> middle(2) -> inner(3), inner longjmps back to main:
 *     outer, middle and inner never return and must be reported as unwind
 *     events (innermost first), and the calls of after() that follow start
 *     again at depth 1 and pair with their own returns.
 *  2. catcher(10), a traced function, calls setjmp itself; jump_mid(10) ->
 *     jump_inner(11) longjmps back into catcher, which then returns 122
 *     normally: two unwinds, then catcher's own return at depth 1.
 *  3. The chain of 1 again as outer(5), from the same call site (the stack
 *     pointers repeat exactly), then after(4).
 *
 * Traced with -e outer -e middle -e inner -e catcher -e jump_mid -e jump_inner
 * -e after, the event sequence must be exactly the "truth ev" lines.
 */
#include "config.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))

TRACED long inner(long x);
TRACED long middle(long x);
TRACED long outer(long x);
TRACED long jump_inner(long x);
TRACED long jump_mid(long x);
TRACED long catcher(long x);
TRACED long after(long k);

static jmp_buf env_main;
static jmp_buf env_catch;

long inner(long x)
{
	longjmp(env_main, (int)x);
}

long middle(long x)
{
	long r = inner(x + 1);

	asm volatile("" : "+r"(r));
	return r + 1;
}

long outer(long x)
{
	long r = middle(x + 1);

	asm volatile("" : "+r"(r));
	return r + 1;
}

long jump_inner(long x)
{
	longjmp(env_catch, (int)(x * 2));
}

long jump_mid(long x)
{
	long r = jump_inner(x + 1);

	asm volatile("" : "+r"(r));
	return r + 1;
}

long catcher(long x)
{
	int rc = setjmp(env_catch);

	if (rc == 0) {
		jump_mid(x);
		return -1;
	}
	return rc + 100;
}

long after(long k)
{
	asm volatile("");
	return k * k;
}

static int failures;

static void ev(const char *type, const char *func, int depth, const char *extra)
{
	printf("truth ev pid=%d tid=%d type=%s func=%s depth=%d%s%s\n", getpid(), gettid(), type,
	       func, depth, extra ? " " : "", extra ? extra : "");
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

/* Chain 1 (and 3): outer(x) -> middle(x+1) -> inner(x+2) -> longjmp(x+2). */
static void ev_chain(long x)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "args=%ld", x);
	ev("call", "outer", 1, buf);
	snprintf(buf, sizeof(buf), "args=%ld", x + 1);
	ev("call", "middle", 2, buf);
	snprintf(buf, sizeof(buf), "args=%ld", x + 2);
	ev("call", "inner", 3, buf);
	ev("unwind", "inner", 3, NULL);
	ev("unwind", "middle", 2, NULL);
	ev("unwind", "outer", 1, NULL);
}

static void ev_after(long k)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "args=%ld", k);
	ev("call", "after", 1, buf);
	snprintf(buf, sizeof(buf), "ret=%ld", k * k);
	ev("return", "after", 1, buf);
}

int main(void)
{
	volatile int round;
	volatile long x;
	int rc;
	long r;

	printf("truth pid=%d role=main\n", getpid());

	for (round = 0; round < 2; round++) {
		x = round == 0 ? 1 : 5;
		rc = setjmp(env_main);
		if (rc == 0) {
			outer(x);
			printf("check outer-returned FAIL\n");
			return 1;
		}
		/* inner(x + 2) longjmps with its argument. */
		check("longjmp", rc, x + 2);
		ev_chain(x);
		if (round == 1) {
			check("after-4", after(4), 16);
			ev_after(4);
			break;
		}
		check("after-1", after(1), 1);
		check("after-2", after(2), 4);
		check("after-3", after(3), 9);
		ev_after(1);
		ev_after(2);
		ev_after(3);

		/* 2: catcher(10) -> jump_mid(10) -> jump_inner(11) -> longjmp(22) */
		r = catcher(10);
		check("catcher", r, 122);
		ev("call", "catcher", 1, "args=10");
		ev("call", "jump_mid", 2, "args=10");
		ev("call", "jump_inner", 3, "args=11");
		ev("unwind", "jump_inner", 3, NULL);
		ev("unwind", "jump_mid", 2, NULL);
		ev("return", "catcher", 1, "ret=122");
	}

	printf("truth exit pid=%d status=%d\n", getpid(), failures ? 1 : 0);
	return failures ? 1 : 0;
}
