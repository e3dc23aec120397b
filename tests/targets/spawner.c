/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target for attaching while threads are being created:
 * `spawner STOPFILE [MAXSECS]`.  The main thread keeps creating short-lived
 * threads, four at a time, each calling piece(i) 50 times and checking the
 * sum it gets back, until STOPFILE exists.  An attach must seize every
 * thread however fast they come and go, and after the detach none may be
 * left traced or stopped; a thread killed or given a wrong return value
 * makes the program fail.  Prints "pid=<pid>" once running, then at the
 * end "check threads ok" and "check sums ok" and exits 0.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))
#define PIECES 50

TRACED long piece(long i);

long piece(long i)
{
	asm volatile("");
	return 3 * i + 2;
}

static atomic_long bad_sums;

static void *worker(void *arg)
{
	long i, sum = 0;

	(void)arg;
	for (i = 0; i < PIECES; i++)
		sum += piece(i);
	/* 3 * (0 + ... + 49) + 2 * 50 = 3775 */
	if (sum != 3775)
		atomic_fetch_add(&bad_sums, 1);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double start = now(), maxsecs;
	long rounds = 0, failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s STOPFILE [MAXSECS]\n", argv[0]);
		return 2;
	}
	maxsecs = argc > 2 ? atof(argv[2]) : 30;
	printf("pid=%d\n", getpid());
	fflush(stdout);
	while (access(argv[1], F_OK) != 0 && now() - start < maxsecs) {
		pthread_t t[4];
		int k;

		for (k = 0; k < 4; k++)
			if (pthread_create(&t[k], NULL, worker, NULL) != 0)
				failed++;
		for (k = 0; k < 4; k++)
			pthread_join(t[k], NULL);
		rounds++;
	}
	printf("rounds %ld\n", rounds);
	printf("check threads %s\n", failed ? "FAIL" : "ok");
	printf("check sums %s\n", atomic_load(&bad_sums) ? "FAIL" : "ok");
	printf("check stopfile %s\n", access(argv[1], F_OK) == 0 ? "ok" : "FAIL timeout");
	return failed || atomic_load(&bad_sums) || access(argv[1], F_OK) != 0;
}
