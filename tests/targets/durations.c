/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: durations.  work() does the same fixed amount of arithmetic
 * on every call (no memory, no system call), so every call of it lasts
 * about as long as every other: the first is no exception.  Each round
 * also calls malloc(64) and free() (a traced libc function whose first
 * call makes calltrap read libc's DWARF, if it has any).  main does ROUNDS
 * rounds, starts a thread that does ROUNDS rounds, then forks a child that
 * does ROUNDS rounds, so the first call of a process, of a thread and of a
 * forked child can each be compared with the others
 * (tests/integration/durations.sh).
 *
 * It prints what work() costs here: "truth work ns first=F median=M" from
 * clock_gettime around each call of the main thread (untraced, the ground
 * truth a tracer's durations approach), and "truth calls pid=P tid=T
 * n=N" per caller.
 *
 * With arguments "stop FILE": it waits until FILE exists (a REPL session
 * holds it stopped at the prompt meanwhile), then does its main thread's
 * rounds only.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))
#define ROUNDS 200
#define SPINS 20000

TRACED unsigned long work(unsigned long x);

unsigned long work(unsigned long x)
{
	unsigned i;

	for (i = 0; i < SPINS; i++) {
		x = x * 6364136223846793005ul + 1442695040888963407ul;
		asm volatile("" : "+r"(x));
	}
	return x;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* ROUNDS calls of work(); with ns, each call's duration as seen here */
static unsigned long rounds(unsigned long seed, uint64_t *ns)
{
	unsigned long acc = 0;
	void *volatile block;
	uint64_t t0;
	unsigned i;

	for (i = 0; i < ROUNDS; i++) {
		t0 = ns ? now_ns() : 0;
		acc ^= work(seed + i);
		if (ns)
			ns[i] = now_ns() - t0;
		block = malloc(64); /* volatile: not optimized away with the free */
		free(block);
	}
	printf("truth calls pid=%d tid=%d n=%d\n", getpid(), gettid(), ROUNDS);
	fflush(stdout);
	return acc;
}

static void *thread_main(void *arg)
{
	static unsigned long acc;

	acc = rounds((unsigned long)(uintptr_t)arg, NULL);
	return &acc;
}

int main(int argc, char **argv)
{
	uint64_t ns[ROUNDS], first;
	bool stop = argc > 2 && !strcmp(argv[1], "stop");
	pthread_t th;
	pid_t child;
	int status;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("truth pid=%d role=main\n", getpid());
	if (stop) {
		printf("waiting for %s\n", argv[2]);
		while (access(argv[2], F_OK) != 0)
			usleep(10000);
	}
	rounds(1, ns);
	first = ns[0];
	qsort(ns, ROUNDS, sizeof(ns[0]), cmp_u64);
	printf("truth work ns first=%llu median=%llu\n", (unsigned long long)first,
	       (unsigned long long)ns[ROUNDS / 2]);
	if (!stop) {
		if (pthread_create(&th, NULL, thread_main, (void *)(uintptr_t)2) != 0 ||
		    pthread_join(th, NULL) != 0) {
			printf("check thread FAIL\n");
			return 1;
		}
		child = fork();
		if (child < 0) {
			printf("check fork FAIL\n");
			return 1;
		}
		if (child == 0) {
			rounds(3, NULL);
			_exit(0);
		}
		if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			printf("check child FAIL\n");
			return 1;
		}
	}
	printf("check durations-ran ok\n");
	return 0;
}
