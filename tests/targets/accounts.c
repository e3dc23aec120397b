/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Two threads deadlock moving money between bank accounts, for
 * `calltrap stacks` (tests/integration/stacks_inline.sh):
 *
 *   t1        transfer(&accounts[0], &accounts[1]): takes accounts[0].lock,
 *             waits for t2 to hold its own, then blocks on accounts[1].lock
 *   t2        transfer(&accounts[1], &accounts[0]): the other way round
 *   auditor   blocks on audit[AUDITED].lock, which main holds
 *   main      read() on its stdin
 *
 * transfer() is inlined into t1 and t2 when the compiler optimizes
 * (always_inline under __OPTIMIZE__: -O2 has inline frames, -O0 has none,
 * and the test knows which).  accounts is initialized (.data); audit is
 * big and zeroed (.bss, past the pages mapped from the file).
 *
 * It prints the truth, then "ready" once the three threads block:
 *   truth pid=P role=main
 *   truth inlined=0|1
 *   truth symbol=accounts addr=A size=N         (and symbol=audit)
 *   truth tid=T role=t1 func=transfer line=L caller=t1 call_line=C mutex=M
 *       (line L: transfer's call that blocks; C: t1's call of transfer)
 *   truth tid=T role=auditor mutex=M
 * A line on stdin (or its end) ends the process, the deadlocked pair with it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef __OPTIMIZE__
#define TRANSFER_INLINE 1
#define MAYBE_INLINE static inline __attribute__((always_inline))
#else
#define TRANSFER_INLINE 0
#define MAYBE_INLINE static __attribute__((noinline))
#endif

#define AUDITED 700

struct account {
	long balance;
	pthread_mutex_t lock;
};

struct account accounts[2] = {
	{ 100, PTHREAD_MUTEX_INITIALIZER },
	{ 200, PTHREAD_MUTEX_INITIALIZER },
};
struct account audit[1024];

static pthread_barrier_t both_hold;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void truth_blocks(const char *role, int line, int call_line, const void *mutex)
{
	pthread_mutex_lock(&print_lock);
	printf("truth tid=%d role=%s func=transfer line=%d caller=%s call_line=%d mutex=%p\n",
	       (int)gettid_(), role, line, role, call_line, mutex);
	fflush(stdout);
	pthread_mutex_unlock(&print_lock);
}

MAYBE_INLINE void transfer(const char *role, int call_line, struct account *from,
			   struct account *to, long amount)
{
	pthread_mutex_lock(&from->lock);
	pthread_barrier_wait(&both_hold);
	truth_blocks(role, __LINE__ + 1, call_line, &to->lock);
	pthread_mutex_lock(&to->lock); /* never returns: the other holds it */
	from->balance -= amount;
	to->balance += amount;
	pthread_mutex_unlock(&to->lock);
	pthread_mutex_unlock(&from->lock);
}

static void *t1(void *arg)
{
	(void)arg;
	transfer("t1", __LINE__, &accounts[0], &accounts[1], 10);
	return NULL;
}

static void *t2(void *arg)
{
	(void)arg;
	transfer("t2", __LINE__, &accounts[1], &accounts[0], 20);
	return NULL;
}

static void *auditor(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&print_lock);
	printf("truth tid=%d role=auditor mutex=%p\n", (int)gettid_(),
	       (void *)&audit[AUDITED].lock);
	fflush(stdout);
	pthread_mutex_unlock(&print_lock);
	pthread_mutex_lock(&audit[AUDITED].lock); /* main holds it */
	pthread_mutex_unlock(&audit[AUDITED].lock);
	return NULL;
}

/* Is thread tid asleep in a system call (/proc state S, not "running")? */
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

/* Every thread but main blocked, and three of them. */
static void wait_all_blocked(void)
{
	int tries;

	for (tries = 0; tries < 2000; tries++) {
		DIR *d = opendir("/proc/self/task");
		struct dirent *de;
		int all = 1, n = 0;

		if (!d)
			break;
		while ((de = readdir(d))) {
			pid_t tid = (pid_t)atoi(de->d_name);

			if (tid <= 0 || tid == getpid())
				continue;
			n++;
			if (!blocked(tid))
				all = 0;
		}
		closedir(d);
		if (all && n == 3)
			return;
		usleep(10000);
	}
}

int main(void)
{
	pthread_t a, b, c;
	char ch;

	if (pthread_barrier_init(&both_hold, NULL, 2))
		return 1;
	printf("truth pid=%d role=main\n", (int)getpid());
	printf("truth inlined=%d\n", TRANSFER_INLINE);
	printf("truth symbol=accounts addr=%p size=%zu\n", (void *)accounts, sizeof(accounts));
	printf("truth symbol=audit addr=%p size=%zu\n", (void *)audit, sizeof(audit));
	fflush(stdout);
	pthread_mutex_lock(&audit[AUDITED].lock);
	if (pthread_create(&a, NULL, t1, NULL) || pthread_create(&b, NULL, t2, NULL) ||
	    pthread_create(&c, NULL, auditor, NULL))
		return 1;
	wait_all_blocked();
	printf("ready\n");
	fflush(stdout);
	if (read(0, &ch, 1) < 0)
		perror("read");
	_exit(0);
}
