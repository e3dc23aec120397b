/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Target of bench/guardian.py: `guard_target calm|busy watch|-  [KILLFILE]`.
 *
 * The main thread calls tick() every 50 ms (calm) or in a tight loop
 * (busy), and prints "tick N patched|orig" (every call, or every 50 ms
 * when busy): whether tick's first bytes differed from those read at
 * start-up when it was called.  With "watch", a second thread spins on
 * those bytes and prints, with CLOCK_MONOTONIC nanoseconds,
 *     patched NS    when a breakpoint appears over them
 *     restored NS   when they are back
 * which is when the process itself sees calltrap's guardian finish.
 * KILLFILE, when it exists and names a pid, is removed and that process
 * (calltrap) sent SIGKILL right after the next call made with the
 * breakpoint in place: "killed PID at NS", NS taken just before kill(2).
 * It runs until killed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HEAD 4

__attribute__((noipa, used)) unsigned long tick(unsigned long n)
{
	asm volatile("");
	return 2 * n + 1;
}

static unsigned char orig[HEAD];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int patched(void)
{
	const volatile unsigned char *code = (const volatile unsigned char *)(uintptr_t)&tick;
	int i;

	for (i = 0; i < HEAD; i++)
		if (code[i] != orig[i])
			return 1;
	return 0;
}

static void *watch(void *arg)
{
	(void)arg;
	for (;;) {
		while (!patched())
			;
		printf("patched %llu\n", (unsigned long long)now_ns());
		fflush(stdout);
		while (patched())
			;
		printf("restored %llu\n", (unsigned long long)now_ns());
		fflush(stdout);
	}
	return NULL;
}

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
	int busy = argc > 1 && !strcmp(argv[1], "busy");
	const char *killfile = argc > 3 ? argv[3] : NULL;
	unsigned long n = 0, sum = 0;
	uint64_t next = 0;
	pthread_t th;

	memcpy(orig, (const void *)(uintptr_t)&tick, HEAD);
	if (argc > 2 && !strcmp(argv[2], "watch") && pthread_create(&th, NULL, watch, NULL))
		return 1;
	printf("pid=%d\n", (int)getpid());
	fflush(stdout);
	for (;;) {
		int was = patched();
		uint64_t t;

		sum += tick(++n);
		t = now_ns();
		if (!busy || t >= next) {
			printf("tick %lu %s\n", n, was ? "patched" : "orig");
			fflush(stdout);
			next = t + 50000000u;
			if (was && killfile) {
				pid_t victim = take_pid(killfile);

				if (victim) {
					t = now_ns();
					if (kill(victim, SIGKILL) == 0) {
						printf("killed %d at %llu\n", (int)victim,
						       (unsigned long long)t);
						fflush(stdout);
					}
				}
			}
		}
		if (!busy)
			nanosleep(&(struct timespec){ .tv_nsec = 50000000 }, NULL);
	}
	return sum == 0;
}
