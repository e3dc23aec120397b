/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target for exit status and standard streams: `exitcode MODE [ARG]`.
 *   exit N   print a few lines, call work() 3 times, exit with status N
 *   segv     print, then fault on a null pointer write (SIGSEGV)
 *   abort    print, then abort() (SIGABRT)
 *   echo     copy stdin to stdout line by line as "echo: LINE", calling
 *            line_work(length) once per line, then print the line count
 * Core dumps are disabled here, so a killed run leaves nothing behind.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))

TRACED long work(long x);
TRACED long line_work(long len);

long work(long x)
{
	asm volatile("");
	return x + 1;
}

long line_work(long len)
{
	asm volatile("");
	return len;
}

int main(int argc, char **argv)
{
	struct rlimit nocore = { 0, 0 };
	const char *mode = argc > 1 ? argv[1] : "";
	long i, sum = 0;

	setrlimit(RLIMIT_CORE, &nocore);
	printf("truth pid=%d role=main\n", getpid());
	for (i = 0; i < 3; i++)
		sum += work(i);
	printf("mode %s sum %ld\n", mode, sum);
	fflush(stdout);

	if (strcmp(mode, "exit") == 0 && argc > 2)
		return atoi(argv[2]);
	if (strcmp(mode, "segv") == 0) {
		volatile int *volatile p = NULL;

		*p = 1;
		return 0;
	}
	if (strcmp(mode, "abort") == 0)
		abort();
	if (strcmp(mode, "echo") == 0) {
		char line[4096];
		long n = 0;

		while (fgets(line, sizeof(line), stdin)) {
			size_t len = strcspn(line, "\n");

			line[len] = '\0';
			line_work((long)len);
			printf("echo: %s\n", line);
			n++;
		}
		printf("lines %ld\n", n);
		printf("truth count pid=%d func=line_work calls=%ld\n", getpid(), n);
		return 0;
	}
	fprintf(stderr, "usage: %s exit N | segv | abort | echo\n", argv[0]);
	return 2;
}
