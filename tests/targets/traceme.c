/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper for the error tests: a process that is already being traced, by its
 * own parent (PTRACE_TRACEME), so `calltrap trace -p` must refuse it with an
 * error instead of hanging.  Prints "pid=<pid>" and sleeps ARGV[1] seconds
 * (default 20).  It never execs or takes a signal it handles, so it never
 * stops for its tracer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned int secs = argc > 1 ? (unsigned int)atoi(argv[1]) : 20;

	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL)) {
		perror("ptrace(PTRACE_TRACEME)");
		return 2;
	}
	printf("pid=%d\n", getpid());
	fflush(stdout);
	while (secs > 0)
		secs = sleep(secs);
	return 0;
}
