/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: a process that spends most of its time inside vfork(),
 * waiting for a child that shares its memory.
 *
 *   vforkwait MS N   N rounds of: work() (traced) 50 times, then vfork();
 *                    the child sleeps MS milliseconds (nanosleep, a system
 *                    call) and _exits with status 7; the parent checks it.
 *                    MS = stop: the child stops itself (SIGSTOP) instead,
 *                    until someone sends it SIGCONT.
 *
 * Attaching, detaching or ending a trace while a child sleeps must neither
 * hang (the parent cannot stop before its child execs or exits) nor harm
 * either of them.  Prints "ready", then its checks at the end.
 */
#include "config.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))

TRACED long work(long x);

long work(long x)
{
	return x * 2 + 1;
}

int main(int argc, char **argv)
{
	bool stop = argc > 1 && strcmp(argv[1], "stop") == 0;
	long ms = argc > 1 && !stop ? atol(argv[1]) : 300, rounds = argc > 2 ? atol(argv[2]) : 10;
	long sum = 0, want = 0, i, j;
	int bad_status = 0;

	printf("truth pid=%d role=main\n", (int)getpid());
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < rounds; i++) {
		int status;
		pid_t c;

		for (j = 0; j < 50; j++) {
			sum += work(j);
			want += j * 2 + 1;
		}
		c = vfork();
		if (c == 0) {
			struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

			if (stop)
				raise(SIGSTOP);
			else
				nanosleep(&ts, NULL);
			_exit(7);
		}
		if (c < 0 || waitpid(c, &status, 0) != c || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 7)
			bad_status++;
	}
	printf("check sum %s\n", sum == want ? "ok" : "FAIL");
	printf("check children %s\n", bad_status == 0 ? "ok" : "FAIL");
	return 0;
}
