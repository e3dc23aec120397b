/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: churn, for calltrap's memory staying flat however long the
 * traced program lives.  One mode, N rounds; each round calls work(round)
 * once, in the process or thread the round makes:
 *
 *	churn exec N       the program execs itself (/proc/self/exe) N times:
 *	                   N + 1 images, one pid, each calling work once
 *	churn fork N       N children forked one at a time, each calling work
 *	                   and exiting; the parent waits for each
 *	churn dlopen N LIB LIB (libplugin.so) dlopen'ed, its plugin_func
 *	                   called, its plugin_jump called (which longjmps
 *	                   back, leaving its frame to be unwound at the next
 *	                   call, of work, after the library is dlclose'd and
 *	                   really unmapped) N times
 *	churn threads N    N threads created and joined one at a time
 *
 * At the end it prints what calltrap must have seen:
 *	truth churn mode=M work=K plugin_func=P plugin_jump=J exec=E fork=F thread=T
 * (K calls of work, P of plugin_func, J calls and as many unwinds of
 * plugin_jump, E exec events, F fork events and T thread_start events),
 * and "check churn ok".
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))

TRACED long work(long x);

long work(long x)
{
	asm volatile("");
	return x * 3 + 1;
}

static void done(const char *mode, long work_calls, long plugin, long execs, long forks,
		 long threads, int ok)
{
	printf("truth churn mode=%s work=%ld plugin_func=%ld plugin_jump=%ld exec=%ld fork=%ld "
	       "thread=%ld\n", mode, work_calls, plugin, plugin, execs, forks, threads);
	printf("check churn %s\n", ok ? "ok" : "FAIL");
}

/* Image `round` of N + 1: argv is "churn exec N round". */
static int do_exec(char *argv0, long n, long round)
{
	char a_n[32], a_round[32];

	if (work(round) != round * 3 + 1)
		return 1;
	if (round == n) {
		done("exec", n + 1, 0, n, 0, 0, 1);
		return 0;
	}
	snprintf(a_n, sizeof(a_n), "%ld", n);
	snprintf(a_round, sizeof(a_round), "%ld", round + 1);
	execl("/proc/self/exe", argv0, "exec", a_n, a_round, (char *)NULL);
	perror("execl");
	return 2;
}

static int do_fork(long n)
{
	int ok = 1, status;
	long i;

	fflush(stdout);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0)
			_exit(work(i) == i * 3 + 1 ? 0 : 1);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			ok = 0;
	}
	done("fork", n, 0, 0, n, 0, ok);
	return ok ? 0 : 1;
}

static jmp_buf env;

/* A frame between do_dlopen and plugin_jump: the longjmp lands above
 * plugin_jump's return address, which no return breakpoint then sees. */
static __attribute__((noipa)) void call_jump(void (*jump)(void *))
{
	jump(env);
}

static int do_dlopen(long n, const char *lib)
{
	void (*jump)(void *);
	long (*fn)(long);
	volatile long i;
	int ok = 1;
	void *h;

	for (i = 0; i < n; i++) {
		h = dlopen(lib, RTLD_NOW);
		if (!h) {
			printf("check dlopen FAIL %s\n", dlerror());
			return 1;
		}
		*(void **)&fn = dlsym(h, "plugin_func");
		*(void **)&jump = dlsym(h, "plugin_jump");
		if (!fn || !jump || fn(i) != i * i + 7) {
			ok = 0;
			break;
		}
		if (!setjmp(env))
			call_jump(jump);
		if (dlclose(h) || dlopen(lib, RTLD_NOW | RTLD_NOLOAD)) {
			printf("check dlclose FAIL\n");
			return 1;
		}
		if (work(i) != i * 3 + 1)
			ok = 0;
	}
	done("dlopen", n, n, 0, 0, 0, ok);
	return ok ? 0 : 1;
}

static void *thread_main(void *arg)
{
	long i = (long)arg;

	return (void *)(work(i) == i * 3 + 1 ? 1L : 0L);
}

static int do_threads(long n)
{
	int ok = 1;
	void *ret;
	long i;

	for (i = 0; i < n; i++) {
		pthread_t th;

		if (pthread_create(&th, NULL, thread_main, (void *)i)) {
			printf("check pthread_create FAIL\n");
			return 1;
		}
		if (pthread_join(th, &ret) || ret != (void *)1L)
			ok = 0;
	}
	done("threads", n, 0, 0, 0, n, ok);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : -1;

	if (argc < 3 || n < 0) {
		fprintf(stderr, "usage: %s exec|fork|dlopen|threads N [LIB]\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "exec"))
		return do_exec(argv[0], n, argc > 3 ? atol(argv[3]) : 0);
	if (!strcmp(argv[1], "fork"))
		return do_fork(n);
	if (!strcmp(argv[1], "dlopen") && argc > 3)
		return do_dlopen(n, argv[3]);
	if (!strcmp(argv[1], "threads"))
		return do_threads(n);
	fprintf(stderr, "%s: unknown mode %s\n", argv[0], argv[1]);
	return 2;
}
