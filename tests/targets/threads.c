/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: 16 threads released together by a barrier, thread i calling
 * work(i, j) for j = 0 .. 200 + 37 * i - 1, all at once.  Under
 * `calltrap trace -e work` every thread must show exactly its own calls, in
 * order, each at depth 1 and paired with its return: a lost or misattributed
 * event shows up as a wrong count or a wrong argument.
 *
 * Truth is printed after all threads are joined: per thread, the thread's
 * start (parent = main thread), its count and its full event sequence.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))
#define NTHREADS 16

TRACED long work(long idx, long j);

long work(long idx, long j)
{
	asm volatile("");
	return idx * 100000 + j;
}

struct worker {
	pthread_t thread;
	long idx;
	long calls;
	pid_t tid;
	long sum;
};

static pthread_barrier_t barrier;

static long calls_for(long idx)
{
	return 200 + 37 * idx;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	long j, sum = 0;

	w->tid = gettid();
	pthread_barrier_wait(&barrier);
	for (j = 0; j < w->calls; j++)
		sum += work(w->idx, j);
	w->sum = sum;
	return NULL;
}

int main(void)
{
	struct worker w[NTHREADS];
	pid_t pid = getpid(), main_tid = gettid();
	int i, failures = 0;
	long j;

	printf("truth pid=%d role=main\n", pid);
	if (pthread_barrier_init(&barrier, NULL, NTHREADS + 1))
		return 2;
	for (i = 0; i < NTHREADS; i++) {
		w[i].idx = i;
		w[i].calls = calls_for(i);
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i])) {
			perror("pthread_create");
			return 2;
		}
	}
	pthread_barrier_wait(&barrier);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(w[i].thread, NULL);

	for (i = 0; i < NTHREADS; i++) {
		/* sum over j < n of (idx * 100000 + j) = n * idx * 100000 + n(n-1)/2 */
		long n = w[i].calls, want = n * w[i].idx * 100000 + n * (n - 1) / 2;

		if (w[i].sum == want) {
			printf("check sum-%d ok\n", i);
		} else {
			printf("check sum-%d FAIL got=%ld want=%ld\n", i, w[i].sum, want);
			failures++;
		}
		printf("truth thread pid=%d tid=%d parent=%d\n", pid, w[i].tid, main_tid);
		printf("truth count pid=%d tid=%d func=work calls=%ld\n", pid, w[i].tid, n);
		for (j = 0; j < n; j++) {
			printf("truth ev pid=%d tid=%d type=call func=work depth=1 args=%ld,%ld\n", pid,
			       w[i].tid, w[i].idx, j);
			printf("truth ev pid=%d tid=%d type=return func=work depth=1 ret=%ld\n", pid,
			       w[i].tid, w[i].idx * 100000 + j);
		}
	}
	/* The main thread calls nothing traced. */
	printf("truth count pid=%d tid=%d func=work calls=0\n", pid, main_tid);
	printf("truth exit pid=%d status=%d\n", pid, failures ? 1 : 0);
	return failures ? 1 : 0;
}
