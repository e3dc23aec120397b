/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target for attach and detach: `busy STOPFILE [MAXSECS]`.
 *
 * Threads:
 *  - a stepper loops calling step(i) for i = 0, 1, 2, ... and sums the
 *    results; at the end the sum must equal n^2 (step(i) = 2i + 1), so a
 *    corrupted return value or a skipped call is detected;
 *  - a reader blocks in read() on a pipe for the whole run; the main thread
 *    writes to the pipe only when told to stop, so every attach and detach
 *    happens while read() is blocked: it must get its data, never EINTR;
 *  - the main thread blocks SIGUSR2 (in every thread), raises it once, and
 *    at the end checks that it is still pending: a detach must keep pending
 *    signals.
 * The program prints "pid=<pid>" once the threads run, then polls for
 * STOPFILE (created by the test when it is done attaching), or stops after
 * MAXSECS (default 30) so it never outlives a broken test.  It exits 0 only
 * when every check printed "ok".
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))

TRACED unsigned long step(unsigned long i);

unsigned long step(unsigned long i)
{
	asm volatile("");
	return 2 * i + 1;
}

static atomic_int stop;
static int pipefd[2];

struct stepper_result {
	unsigned long n, sum;
};

struct reader_result {
	ssize_t got;
	int err;
	char buf[16];
};

static void *stepper(void *arg)
{
	struct stepper_result *res = arg;
	unsigned long i = 0, sum = 0;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		sum += step(i);
		i++;
	}
	res->n = i;
	res->sum = sum;
	return NULL;
}

static void *reader(void *arg)
{
	struct reader_result *res = arg;

	res->got = read(pipefd[0], res->buf, sizeof(res->buf) - 1);
	res->err = res->got < 0 ? errno : 0;
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct stepper_result sres = { 0 };
	struct reader_result rres = { 0 };
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pthread_t st, rt;
	sigset_t set, pending;
	double start = now(), maxsecs;
	int failures = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s STOPFILE [MAXSECS]\n", argv[0]);
		return 2;
	}
	maxsecs = argc > 2 ? atof(argv[2]) : 30;

	/* Blocked before the threads exist, so none of them can take it. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) || raise(SIGUSR2))
		return 2;
	if (pipe(pipefd))
		return 2;
	if (pthread_create(&st, NULL, stepper, &sres) || pthread_create(&rt, NULL, reader, &rres))
		return 2;

	printf("pid=%d\n", getpid());
	fflush(stdout);

	while (access(argv[1], F_OK) != 0 && now() - start < maxsecs)
		nanosleep(&tick, NULL);
	if (access(argv[1], F_OK) != 0) {
		printf("check stopfile FAIL timeout\n");
		failures++;
	}

	if (write(pipefd[1], "hello", 5) != 5)
		return 2;
	atomic_store(&stop, 1);
	pthread_join(st, NULL);
	pthread_join(rt, NULL);

	if (sres.n > 0 && sres.sum == sres.n * sres.n) {
		printf("check step-sum ok n=%lu\n", sres.n);
	} else {
		printf("check step-sum FAIL n=%lu sum=%lu\n", sres.n, sres.sum);
		failures++;
	}
	if (rres.got == 5 && memcmp(rres.buf, "hello", 5) == 0) {
		printf("check read ok\n");
	} else if (rres.got < 0 && rres.err == EINTR) {
		printf("check read FAIL read EINTR\n");
		failures++;
	} else {
		printf("check read FAIL got=%zd errno=%d\n", rres.got, rres.err);
		failures++;
	}
	if (sigpending(&pending) == 0 && sigismember(&pending, SIGUSR2) == 1) {
		printf("check sigpending ok\n");
	} else {
		printf("check sigpending FAIL SIGUSR2 lost\n");
		failures++;
	}
	return failures ? 1 : 0;
}
