/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target of `calltrap trace -c` (tests/integration/summary.sh).
 *
 * `summary`: sm_work() calls sm_fast() FAST_CALLS times and sm_slow()
 * (a short sleep) SLOW_CALLS times, and sm_rec() recursing REC_DEPTH deep
 * once, then prints how many times each function was called, as
 * "truth calls func=NAME n=N": the Calls column of the summary.
 *
 * `summary loop STOPFILE [MAXSECS]`: prints "pid=PID", then calls
 * sm_tick() every 2 ms and prints "tick N" after each, until STOPFILE
 * exists (or after MAXSECS, default 30, so it never outlives a broken
 * test); prints "check ticks ok" when every sm_tick() returned its
 * argument plus one, so a detach that broke a call shows.
 *
 * Traced functions are noipa so that -O2 keeps real calls.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))
#define FAST_CALLS 1000
#define SLOW_CALLS 10
#define REC_DEPTH 5

TRACED long sm_fast(long i);
TRACED void sm_slow(void);
TRACED long sm_rec(long n);
TRACED long sm_work(void);
TRACED unsigned long sm_tick(unsigned long i);

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) < 0)
		;
}

static long fast_calls, slow_calls, rec_calls;

long sm_fast(long i)
{
	fast_calls++;
	asm volatile("");
	return i + 1;
}

void sm_slow(void)
{
	slow_calls++;
	sleep_ms(5);
}

long sm_rec(long n)
{
	long r;

	rec_calls++;
	if (n <= 1)
		return 1;
	r = sm_rec(n - 1);
	asm volatile("" : "+r"(r)); /* no tail recursion */
	return r + 1;
}

long sm_work(void)
{
	long i, s = 0;

	for (i = 0; i < FAST_CALLS; i++)
		s += sm_fast(i);
	for (i = 0; i < SLOW_CALLS; i++)
		sm_slow();
	return s + sm_rec(REC_DEPTH);
}

unsigned long sm_tick(unsigned long i)
{
	asm volatile("");
	return i + 1;
}

static int loop(const char *stopfile, long maxsecs)
{
	unsigned long n;
	time_t end = time(NULL) + maxsecs;
	int ok = 1;

	printf("pid=%d\n", (int)getpid());
	fflush(stdout);
	for (n = 0; access(stopfile, F_OK) != 0 && time(NULL) < end; n++) {
		if (sm_tick(n) != n + 1)
			ok = 0;
		printf("tick %lu\n", n + 1);
		fflush(stdout);
		sleep_ms(2);
	}
	printf("check ticks %s\n", ok ? "ok" : "FAIL");
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	long s;

	if (argc >= 3 && !strcmp(argv[1], "loop"))
		return loop(argv[2], argc >= 4 ? atol(argv[3]) : 30);
	s = sm_work();
	printf("truth calls func=sm_work n=1\n");
	printf("truth calls func=sm_fast n=%ld\n", fast_calls);
	printf("truth calls func=sm_slow n=%ld\n", slow_calls);
	printf("truth calls func=sm_rec n=%ld\n", rec_calls);
	printf("check sum %s\n", s == (long)FAST_CALLS * (FAST_CALLS + 1) / 2 + REC_DEPTH ? "ok" : "FAIL");
	return 0;
}
