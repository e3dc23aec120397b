/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: fork.  The parent calls work() 50 times, forks, then calls it
 * 30 more times; the child calls it 70 times (with other arguments) and
 * checks its results.  The parent waits for the child and reports its exit
 * status, so a child killed by a breakpoint left in its copy of memory
 * (SIGTRAP) shows up as "check child-status FAIL".
 *
 * With argument "clean" (run without -f) the child also checks that its
 * copy of work() starts with no breakpoint byte.
 *
 * Without -f only the parent's 80 calls may appear; with -f the child's 70
 * appear under the child's pid.  Each process prints its own truth lines.
 */
#include "config.h"

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

/* Does code start with the breakpoint instruction calltrap uses? */
static int has_breakpoint(const void *code)
{
#if defined(__x86_64__)
	return *(const volatile unsigned char *)code == 0xcc; /* int3 */
#elif defined(__aarch64__)
	return *(const volatile unsigned int *)code == 0xd4200000u; /* brk #0 */
#else
#error "unsupported architecture"
#endif
}

/* sum over x = from .. from + n - 1 of (3x + 1) */
static long expect_sum(long from, long n)
{
	return 3 * (n * from + n * (n - 1) / 2) + n;
}

static long run(long from, long n)
{
	long i, sum = 0;

	for (i = 0; i < n; i++)
		sum += work(from + i);
	return sum;
}

int main(int argc, char **argv)
{
	int expect_clean = argc > 1 && !strcmp(argv[1], "clean");
	pid_t pid = getpid(), child;
	long sum;
	int status, failures = 0;

	printf("truth pid=%d role=main\n", pid);
	sum = run(0, 50);
	/* Nothing buffered may be inherited by the child. */
	fflush(stdout);

	child = fork();
	if (child < 0) {
		perror("fork");
		return 2;
	}
	if (child == 0) {
		pid_t me = getpid();

		/* calltrap removes its breakpoints from an unfollowed child's
		 * copy of memory before the child runs */
		if (expect_clean && has_breakpoint((const void *)work))
			printf("check child-text FAIL: breakpoint byte in work()\n");
		else if (expect_clean)
			printf("check child-text ok\n");
		sum = run(1000, 70);
		printf("truth pid=%d role=child\n", me);
		printf("truth count pid=%d func=work calls=70\n", me);
		if (sum == expect_sum(1000, 70)) {
			printf("check child-sum ok\n");
			printf("truth exit pid=%d status=0\n", me);
			fflush(stdout);
			_exit(0);
		}
		printf("check child-sum FAIL got=%ld want=%ld\n", sum, expect_sum(1000, 70));
		fflush(stdout);
		_exit(1);
	}

	sum += run(100, 30);
	if (waitpid(child, &status, 0) != child) {
		perror("waitpid");
		return 2;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("check child-status ok\n");
	} else {
		printf("check child-status FAIL status=0x%x\n", status);
		failures++;
	}
	if (sum == expect_sum(0, 50) + expect_sum(100, 30)) {
		printf("check parent-sum ok\n");
	} else {
		printf("check parent-sum FAIL\n");
		failures++;
	}
	printf("truth fork pid=%d child=%d vfork=0\n", pid, child);
	printf("truth count pid=%d func=work calls=80\n", pid);
	printf("truth exit pid=%d status=%d\n", pid, failures ? 1 : 0);
	return failures ? 1 : 0;
}
