/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: functions that gcc splits at -O2 into a hot part and a cold
 * part (NAME.cold), which is entered by a jump, never called.
 *
 *  - cx_catcher(i) calls cx_thrower(i), which throws when i is odd; the
 *    catch is cold code: cx_catcher.cold.
 *  - cx_checked(i) takes an unlikely branch when i is a multiple of 3 and
 *    calls cx_report there, a function declared cold: the branch is moved
 *    to cx_checked.cold, and cx_report is called from it.
 *  - Box::get(i) (a C++ name), the same for cx_report: Box::get(long) [clone .cold].
 *
 * Traced with -e 'cx_*' -e 'Box::*' (a .cold part matches, and must still
 * not be traced), the events must be exactly the "truth ev" lines: each
 * function once per call, its cold part's work nested in it, never a
 * frame of its own.  Usage: coldparts [N]   (N calls each, default 6)
 *
 * coldparts wait: cx_checked(3) only, whose cold part calls cx_report,
 * which prints "ready" and waits for a line on stdin: a backtrace then
 * shows cx_checked's frame running in cx_checked.cold.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRACED __attribute__((noinline, used))

extern "C" {
TRACED long cx_thrower(long x);
TRACED long cx_catcher(long x);
TRACED __attribute__((cold)) long cx_report(long x);
TRACED long cx_checked(long x);
}

struct Box {
	long base;
	TRACED long get(long x);
};

static volatile long sink;
static bool wait_in_report;

long cx_thrower(long x)
{
	sink = x;
	if (x & 1)
		throw x * 10;
	return x + 1;
}

long cx_catcher(long x)
{
	try {
		return cx_thrower(x);
	} catch (long v) {
		sink = v;
		return v + 2;
	}
}

long cx_report(long x)
{
	sink = x;
	fprintf(stderr, "report %ld\n", x);
	if (wait_in_report) {
		printf("ready\n");
		fflush(stdout);
		getchar();
	}
	return x + 1000;
}

long cx_checked(long x)
{
	sink = x;
	if (__builtin_expect(x % 3 == 0, 0))
		return cx_report(x) * 2;
	return x - 1;
}

long Box::get(long x)
{
	sink = x;
	if (__builtin_expect(x % 3 == 0, 0))
		return cx_report(x + base) * 2;
	return x + base;
}

static void ev(const char *type, const char *func, int depth, const char *key, long val)
{
	printf("truth ev pid=%d tid=%d type=%s func=\"%s\" depth=%d", getpid(), gettid(), type,
	       func, depth);
	if (key)
		printf(" %s=%ld", key, val);
	printf("\n");
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 6, failures = 0;
	volatile int i;
	long r;
	Box box = { 7 };

	printf("truth pid=%d role=main\n", getpid());
	if (argc > 1 && !strcmp(argv[1], "wait")) {
		wait_in_report = true;
		r = cx_checked(3);
		printf("check coldparts-wait %s\n", r == 2006 ? "ok" : "FAIL");
		return r == 2006 ? 0 : 1;
	}
	for (i = 0; i < n; i++) {
		r = cx_catcher(i);
		if (r != (i & 1 ? i * 10 + 2 : i + 1))
			failures++;
		ev("call", "cx_catcher", 1, "args", i);
		ev("call", "cx_thrower", 2, "args", i);
		if (i & 1)
			ev("unwind", "cx_thrower", 2, NULL, 0);
		else
			ev("return", "cx_thrower", 2, "ret", i + 1);
		ev("return", "cx_catcher", 1, "ret", r);

		r = cx_checked(i);
		if (r != (i % 3 == 0 ? (i + 1000) * 2 : i - 1))
			failures++;
		ev("call", "cx_checked", 1, "args", i);
		if (i % 3 == 0) {
			ev("call", "cx_report", 2, "args", i);
			ev("return", "cx_report", 2, "ret", i + 1000);
		}
		ev("return", "cx_checked", 1, "ret", r);

		r = box.get(i);
		if (r != (i % 3 == 0 ? (i + 7 + 1000) * 2 : i + 7))
			failures++;
		ev("call", "Box::get(long)", 1, NULL, 0);
		if (i % 3 == 0) {
			ev("call", "cx_report", 2, "args", i + 7);
			ev("return", "cx_report", 2, "ret", i + 7 + 1000);
		}
		ev("return", "Box::get(long)", 1, "ret", r);
	}
	printf("check coldparts %s\n", failures ? "FAIL" : "ok");
	printf("truth exit pid=%d status=%d\n", getpid(), failures ? 1 : 0);
	return failures ? 1 : 0;
}
