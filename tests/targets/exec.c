/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: exec.  Run without arguments, the program calls work() 10
 * times and then execs itself (through /proc/self/exe) with the argument
 * "second"; the new image calls work() 25 times with other arguments.  The
 * pid stays the same, so the events after the "exec" event must come from
 * breakpoints re-resolved in the new image: 10 calls before the exec event,
 * 25 after ("segment" 0 and 1).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))

TRACED long work(long x);

long work(long x)
{
	asm volatile("");
	return x * 7;
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
	pid_t pid = getpid();
	long sum;

	if (argc > 1 && strcmp(argv[1], "second") == 0) {
		/* 7 * (100 + ... + 124) = 7 * (2500 + 300) = 19600 */
		sum = run(100, 25);
		printf("truth count pid=%d func=work segment=1 calls=25\n", pid);
		printf("truth exec pid=%d count=1\n", pid);
		printf("check second-sum %s\n", sum == 19600 ? "ok" : "FAIL");
		printf("truth exit pid=%d status=%d\n", pid, sum == 19600 ? 0 : 1);
		return sum == 19600 ? 0 : 1;
	}

	printf("truth pid=%d role=main\n", pid);
	/* 7 * (0 + ... + 9) = 315 */
	sum = run(0, 10);
	printf("truth count pid=%d func=work segment=0 calls=10\n", pid);
	printf("check first-sum %s\n", sum == 315 ? "ok" : "FAIL");
	fflush(stdout);
	execl("/proc/self/exe", argv[0], "second", (char *)NULL);
	perror("execl");
	return 2;
}
