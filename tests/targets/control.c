/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target of the session's live control (tests/unit/test_session_control.c):
 * `control MODE TRUTHFILE ARGS...`, writing what it did to TRUTHFILE at the
 * end, one "key value" per line, and exiting 0 only when its own checks
 * pass.
 *
 *   calls TRUTH N      main calls mid(i) for i < N, each calling leaf()
 *                      twice, and getppid() (libc) once per even i.
 *                      Truth: "mid N", "leaf 2N", "getppid ceil(N/2)".
 *   threads TRUTH T STOPFILE
 *                      T threads call work(idx, j) for j = 0, 1, ... until
 *                      STOPFILE exists (polled every 64 calls).  Truth per
 *                      thread: "work TID CALLS"; each thread checks the sum
 *                      of what work returned.
 *   block TRUTH STOPFILE K
 *                      outer() calls inner(), which waits until STOPFILE
 *                      exists; then outer() is called K more times.
 *                      inner() returns 7, outer() inner() + 1.  Truth:
 *                      "outer K+1", "inner K+1", "tid MAIN_TID".
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))

TRACED long leaf(long x);
TRACED long mid(long i);
TRACED long work(long idx, long j);
TRACED long inner(void);
TRACED long outer(void);

static const char *stopfile;

long leaf(long x)
{
	asm volatile("");
	return x + 1;
}

long mid(long i)
{
	return leaf(i) + leaf(2 * i);
}

long work(long idx, long j)
{
	asm volatile("");
	return idx * 1000003 + j;
}

long inner(void)
{
	const struct timespec tick = { 0, 1000 * 1000 };

	while (access(stopfile, F_OK) != 0)
		nanosleep(&tick, NULL);
	return 7;
}

long outer(void)
{
	return inner() + 1;
}

static int mode_calls(FILE *truth, long n)
{
	long i, sum = 0, want = 0, ppids = 0;

	for (i = 0; i < n; i++) {
		sum += mid(i);
		want += (i + 1) + (2 * i + 1);
		if (i % 2 == 0) {
			if (getppid() <= 0)
				return 1;
			ppids++;
		}
	}
	fprintf(truth, "mid %ld\nleaf %ld\ngetppid %ld\n", n, 2 * n, ppids);
	return sum == want ? 0 : 1;
}

struct worker {
	pthread_t thread;
	long idx;
	long calls;
	pid_t tid;
	int ok;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	long j = 0, sum = 0, want = 0;

	w->tid = gettid();
	for (;;) {
		sum += work(w->idx, j);
		want += w->idx * 1000003 + j;
		j++;
		if (j % 64 == 0 && access(stopfile, F_OK) == 0)
			break;
	}
	w->calls = j;
	w->ok = sum == want;
	return NULL;
}

static int mode_threads(FILE *truth, long nthreads)
{
	struct worker *w = calloc((size_t)nthreads, sizeof(*w));
	int failures = 0;
	long i;

	if (!w)
		return 2;
	for (i = 0; i < nthreads; i++) {
		w[i].idx = i;
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]))
			return 2;
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].thread, NULL);
		fprintf(truth, "work %d %ld\n", (int)w[i].tid, w[i].calls);
		if (!w[i].ok)
			failures++;
	}
	free(w);
	return failures ? 1 : 0;
}

static int mode_block(FILE *truth, long k)
{
	long i, bad = 0;

	if (outer() != 8)
		bad++;
	for (i = 0; i < k; i++)
		if (outer() != 8)
			bad++;
	fprintf(truth, "outer %ld\ninner %ld\ntid %d\n", k + 1, k + 1, (int)gettid());
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	FILE *truth;
	int ret;

	if (argc < 4) {
		fprintf(stderr, "usage: %s calls|threads|block TRUTHFILE ARGS...\n", argv[0]);
		return 2;
	}
	truth = fopen(argv[2], "w");
	if (!truth)
		return 2;
	if (!strcmp(argv[1], "calls")) {
		ret = mode_calls(truth, atol(argv[3]));
	} else if (!strcmp(argv[1], "threads") && argc == 5) {
		stopfile = argv[4];
		ret = mode_threads(truth, atol(argv[3]));
	} else if (!strcmp(argv[1], "block") && argc == 5) {
		stopfile = argv[3];
		ret = mode_block(truth, atol(argv[4]));
	} else {
		ret = 2;
	}
	fprintf(truth, "status %d\n", ret);
	return fclose(truth) == 0 ? ret : 2;
}
