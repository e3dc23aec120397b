/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target for the guardian:
 *     guarded calm|busy STOPFILE [MAXSECS [KILLFILE]]
 *
 * The main thread calls tick(n) for n = 1, 2, 3, ...: every 50 ms (calm)
 * or in a tight loop (busy).  At start-up, before any tracer can be there,
 * it copies the first bytes of tick(); before each call it compares them
 * with the code as it is now, which tells whether a breakpoint covers
 * tick's entry.  It prints, after the call (calm: every call; busy: every
 * 50 ms or so),
 *     tick N patched|orig
 * so a test that reads "patched" knows calltrap had its breakpoint in
 * place, and one that reads "orig" afterwards knows the bytes came back.
 * tick(n) returns 2n + 1; the sum of the results must be N^2 + 2N at the
 * end, so a call skipped or run wrong is seen.  It prints "pid=P" at the
 * start and, when STOPFILE exists (or after MAXSECS, default 30),
 * "check sum ok|FAIL" and exits 0 if the check passed.
 *
 * KILLFILE, when it exists and names a pid, is removed and that process
 * (calltrap) sent SIGKILL right after the next call made with the
 * breakpoint in place ("killed PID" follows its tick line): the kill then
 * lands at a known time, a whole period before the next call, however
 * slowly a loaded machine runs the test's shell.
 */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))
#define HEAD 4 /* covers an int3 and a brk */

TRACED unsigned long tick(unsigned long n);

unsigned long tick(unsigned long n)
{
	asm volatile("");
	return 2 * n + 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const volatile unsigned char *code_of_tick(void)
{
	return (const volatile unsigned char *)(uintptr_t)&tick;
}

static int patched(const unsigned char *orig)
{
	const volatile unsigned char *code = code_of_tick();
	int i;

	for (i = 0; i < HEAD; i++)
		if (code[i] != orig[i])
			return 1;
	return 0;
}

/* The pid in path, removing the file; 0 if there is none. */
static pid_t take_pid(const char *path)
{
	FILE *f = fopen(path, "r");
	int pid = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid > 0)
		unlink(path);
	return pid > 0 ? pid : 0;
}

int main(int argc, char **argv)
{
	const char *killfile = argc > 4 ? argv[4] : NULL;
	unsigned char orig[HEAD];
	unsigned long n = 0, sum = 0, lines = 0;
	uint64_t start, next_line = 0, max_ns;
	int busy, i, ok;

	if (argc < 3 || (strcmp(argv[1], "calm") && strcmp(argv[1], "busy"))) {
		fprintf(stderr, "usage: guarded calm|busy STOPFILE [MAXSECS [KILLFILE]]\n");
		return 2;
	}
	busy = !strcmp(argv[1], "busy");
	max_ns = (uint64_t)(argc > 3 ? atoi(argv[3]) : 30) * 1000000000u;
	for (i = 0; i < HEAD; i++)
		orig[i] = code_of_tick()[i];
	printf("pid=%d\n", (int)getpid());
	fflush(stdout);
	start = now_ns();
	for (;;) {
		int was_patched = patched(orig);
		uint64_t t;

		n++;
		sum += tick(n);
		t = now_ns();
		if (!busy || t >= next_line) {
			printf("tick %lu %s\n", n, was_patched ? "patched" : "orig");
			fflush(stdout);
			if (was_patched && killfile) {
				pid_t victim = take_pid(killfile);

				if (victim && kill(victim, SIGKILL) == 0) {
					printf("killed %d\n", (int)victim);
					fflush(stdout);
				}
			}
			next_line = t + 50000000u;
			/* the stop file is looked for once in a while only */
			if (++lines % 4 == 0 && (access(argv[2], F_OK) == 0 || t - start > max_ns))
				break;
		}
		if (!busy)
			nanosleep(&(struct timespec){ .tv_nsec = 50000000 }, NULL);
	}
	ok = sum == n * n + 2 * n;
	printf("check sum %s (n=%lu)\n", ok ? "ok" : "FAIL", n);
	return ok ? 0 : 1;
}
