/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A hung process for `calltrap stacks` (tests/integration/stacks.sh):
 *
 *   left      takes mutex A, then waits for B in left_takes_a_then_b()
 *   right     takes mutex B, then waits for A in right_takes_b_then_a()
 *   reader    read() on a pipe nobody writes to yet, in reader_waits_on_pipe()
 *   sleeper   nanosleep(SECS) in sleeper_naps()
 *   condwait  pthread_cond_wait() on a condition never signalled, in cond_waiter()
 *   main      read() on its stdin, in main_waits_for_input()
 *
 * It prints what `stacks` must find ("truth ..." lines, one per thread with
 * its tid, role, the function it blocks in and the system call), then
 * "ready" once every thread has reached the call it blocks in.  A line on
 * stdin releases main, which writes to the reader's pipe; reader and
 * sleeper then check that their calls were not disturbed (no EINTR, the
 * full sleep) and print "check NAME ok|FAIL"; then the process exits, the
 * deadlocked pair with it.
 *
 * usage: deadlock SECS [EXTRA]   EXTRA more threads blocked in assorted
 * calls (bench/stacks.sh: a process with 100 threads).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noclone))
/* after a call: the call is not a tail call, so its caller keeps a frame */
#define KEEP_FRAME() __asm__ volatile("" ::: "memory")

static pthread_mutex_t mutex_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t mutex_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cond_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t both_hold;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;
static int data_pipe[2];
static int idle_pipe[2]; /* extra threads; never written */
static double sleep_secs;

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void truth(const char *role, const char *func, const char *syscall_name)
{
	pthread_mutex_lock(&print_lock);
	printf("truth tid=%d role=%s func=%s syscall=%s\n", (int)gettid_(), role, func,
	       syscall_name);
	fflush(stdout);
	pthread_mutex_unlock(&print_lock);
}

NOINLINE static void left_takes_a_then_b(void)
{
	pthread_mutex_lock(&mutex_a);
	pthread_barrier_wait(&both_hold);
	pthread_mutex_lock(&mutex_b); /* never returns */
	KEEP_FRAME();
	pthread_mutex_unlock(&mutex_b);
	pthread_mutex_unlock(&mutex_a);
}

NOINLINE static void right_takes_b_then_a(void)
{
	pthread_mutex_lock(&mutex_b);
	pthread_barrier_wait(&both_hold);
	pthread_mutex_lock(&mutex_a); /* never returns */
	KEEP_FRAME();
	pthread_mutex_unlock(&mutex_a);
	pthread_mutex_unlock(&mutex_b);
}

static void *left(void *arg)
{
	(void)arg;
	truth("left", "left_takes_a_then_b", "futex");
	left_takes_a_then_b();
	return NULL;
}

static void *right(void *arg)
{
	(void)arg;
	truth("right", "right_takes_b_then_a", "futex");
	right_takes_b_then_a();
	return NULL;
}

NOINLINE static ssize_t reader_waits_on_pipe(char *buf, size_t n)
{
	ssize_t r = read(data_pipe[0], buf, n);

	KEEP_FRAME();
	return r;
}

static void *reader(void *arg)
{
	char buf[64];
	ssize_t r;

	(void)arg;
	truth("reader", "reader_waits_on_pipe", "read");
	r = reader_waits_on_pipe(buf, sizeof(buf));
	printf("check read %s (%zd%s%s)\n", r > 0 ? "ok" : "FAIL", r, r < 0 ? ": " : "",
	       r < 0 ? strerror(errno) : "");
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

NOINLINE static int sleeper_naps(double secs)
{
	struct timespec ts = { .tv_sec = (time_t)secs,
			       .tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9) };
	int r = nanosleep(&ts, NULL);

	KEEP_FRAME();
	return r;
}

static void *sleeper(void *arg)
{
	double t0 = now(), slept;
	int r;

	(void)arg;
	truth("sleeper", "sleeper_naps", "nanosleep");
	r = sleeper_naps(sleep_secs);
	slept = now() - t0;
	printf("check nanosleep %s (returned %d%s%s after %.2fs of %.2fs)\n",
	       r == 0 && slept >= sleep_secs - 0.01 ? "ok" : "FAIL", r, r ? ": " : "",
	       r ? strerror(errno) : "", slept, sleep_secs);
	return NULL;
}

NOINLINE static void cond_waiter(void)
{
	pthread_mutex_lock(&cond_lock);
	pthread_cond_wait(&never, &cond_lock); /* never signalled */
	KEEP_FRAME();
	pthread_mutex_unlock(&cond_lock);
}

static void *condwait(void *arg)
{
	(void)arg;
	truth("condwait", "cond_waiter", "futex");
	cond_waiter();
	return NULL;
}

NOINLINE static ssize_t main_waits_for_input(char *buf, size_t n)
{
	ssize_t r = read(0, buf, n);

	KEEP_FRAME();
	return r;
}

/* The extra threads of the benchmark: blocked in a few kinds of call. */
NOINLINE static void extra_poll(void)
{
	struct pollfd p = { .fd = idle_pipe[0], .events = POLLIN };

	poll(&p, 1, -1);
	KEEP_FRAME();
}

NOINLINE static void extra_sleep(void)
{
	sleep(100000);
	KEEP_FRAME();
}

NOINLINE static void extra_cond(void)
{
	pthread_mutex_lock(&cond_lock);
	pthread_cond_wait(&never, &cond_lock);
	KEEP_FRAME();
	pthread_mutex_unlock(&cond_lock);
}

NOINLINE static void extra_read(void)
{
	char c;

	if (read(idle_pipe[0], &c, 1) < 0)
		perror("read");
	KEEP_FRAME();
}

static void *extra(void *arg)
{
	switch ((long)arg % 4) {
	case 0:
		extra_poll();
		break;
	case 1:
		extra_sleep();
		break;
	case 2:
		extra_cond();
		break;
	default:
		extra_read();
		break;
	}
	return NULL;
}

/* Has thread tid entered a blocking wait?  /proc/self/task/TID/stat state S
 * with a system call in progress (/proc/.../syscall not "running"). */
static int blocked(pid_t tid)
{
	char path[64], buf[512], *p;
	FILE *f;
	int ok = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] == ' ' && p[2] == 'S')
		ok = 1;
	fclose(f);
	if (!ok)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	ok = fgets(buf, sizeof(buf), f) && strncmp(buf, "running", 7) != 0 &&
	     strncmp(buf, "-1", 2) != 0;
	fclose(f);
	return ok;
}

static void wait_all_blocked(void)
{
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		DIR *d = opendir("/proc/self/task");
		struct dirent *de;
		int all = 1;

		if (!d)
			break;
		while ((de = readdir(d))) {
			pid_t tid = (pid_t)atoi(de->d_name);

			/* main is about to block in read(): not checked */
			if (tid > 0 && tid != getpid() && !blocked(tid))
				all = 0;
		}
		closedir(d);
		if (all)
			return;
		usleep(10000);
	}
}

int main(int argc, char **argv)
{
	pthread_t tl, tr, trd, ts, tc;
	char buf[64];
	long i, nextra;
	ssize_t r;

	if (argc < 2) {
		fprintf(stderr, "usage: %s SECS [EXTRA]\n", argv[0]);
		return 2;
	}
	sleep_secs = atof(argv[1]);
	nextra = argc > 2 ? atol(argv[2]) : 0;
	if (pipe(data_pipe) < 0 || pipe(idle_pipe) < 0 || pthread_barrier_init(&both_hold, NULL, 2))
		return 1;
	printf("truth pid=%d role=main\n", (int)getpid());
	printf("truth mutex=A addr=%p\n", (void *)&mutex_a);
	printf("truth mutex=B addr=%p\n", (void *)&mutex_b);
	truth("main", "main_waits_for_input", "read");
	if (pthread_create(&tl, NULL, left, NULL) || pthread_create(&tr, NULL, right, NULL) ||
	    pthread_create(&trd, NULL, reader, NULL) || pthread_create(&ts, NULL, sleeper, NULL) ||
	    pthread_create(&tc, NULL, condwait, NULL))
		return 1;
	for (i = 0; i < nextra; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, extra, (void *)i))
			return 1;
	}
	wait_all_blocked();
	printf("ready\n");
	fflush(stdout);

	r = main_waits_for_input(buf, sizeof(buf));
	printf("check main-read %s (%zd)\n", r > 0 ? "ok" : "FAIL", r);
	if (write(data_pipe[1], "x", 1) != 1)
		printf("check pipe-write FAIL\n");
	pthread_join(trd, NULL);
	pthread_join(ts, NULL);
	printf("done\n");
	fflush(stdout);
	_exit(0);
}
