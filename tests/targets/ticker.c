/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target for --duration: `ticker [MAXSECS]`.
 *
 * Every 500 us it calls tick(now), now being CLOCK_MONOTONIC in
 * microseconds, and reads its own TracerPid from /proc/self/status.  When a
 * tracer that was there is gone it prints "truth detached_us=T" (its own
 * clock, the same as tick's argument) and exits 0.  So a trace of tick tells
 * when the breakpoints were in (the argument of the first traced call) and
 * the target tells when the tracer left: the difference is how long the
 * program was really traced.  Prints "ready" first; gives up after MAXSECS
 * (default 30) with "truth detached_us=none", exit 1.
 *
 * It is linked with libstdc++, which it does not use: thousands of symbols
 * that calltrap reads at attach, so that the attach takes a while (20 ms
 * here) before the breakpoints are in.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TRACED __attribute__((noipa, used))

TRACED long tick(long now_us);

long tick(long now_us)
{
	return now_us & 1;
}

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

/* the pid of our tracer, 0 if none, -1 when it cannot be read */
static long tracer_pid(void)
{
	char line[256];
	long pid = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "TracerPid:", 10) == 0) {
			pid = strtol(line + 10, NULL, 10);
			break;
		}
	fclose(f);
	return pid;
}

int main(int argc, char **argv)
{
	long maxsecs = argc > 1 ? atol(argv[1]) : 30, start = now_us(), sum = 0;
	int traced = 0;

	printf("ready\n");
	fflush(stdout);
	while (now_us() - start < maxsecs * 1000000L) {
		struct timespec pause = { 0, 500000 };
		long tp;

		sum += tick(now_us());
		tp = tracer_pid();
		if (tp > 0 && !traced) {
			traced = 1;
			printf("truth attached_us=%ld\n", now_us());
		}
		else if (tp == 0 && traced) {
			printf("truth detached_us=%ld\n", now_us());
			return 0;
		}
		nanosleep(&pause, NULL);
	}
	printf("truth detached_us=none sum=%ld\n", sum);
	return 1;
}
