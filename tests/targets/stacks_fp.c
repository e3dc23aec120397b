/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A process whose own functions have no call frame information (built with
 * -fno-asynchronous-unwind-tables -fno-unwind-tables, and frame pointers):
 * `calltrap stacks` must still find fp_outer -> fp_middle -> fp_inner, by
 * the frame-pointer fallback (tests/integration/stacks.sh).  It prints its
 * tid and the functions, then "ready", and blocks in read() on stdin.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noclone))
#define KEEP_FRAME() __asm__ volatile("" ::: "memory")

NOINLINE static void fp_inner(void)
{
	char c;

	if (read(0, &c, 1) < 0)
		perror("read");
	KEEP_FRAME();
}

NOINLINE static void fp_middle(void)
{
	fp_inner();
	KEEP_FRAME();
}

NOINLINE static void fp_outer(void)
{
	fp_middle();
	KEEP_FRAME();
}

int main(void)
{
	printf("truth pid=%d role=main\n", (int)getpid());
	printf("truth tid=%d role=main func=fp_inner,fp_middle,fp_outer,main syscall=read\n",
	       (int)syscall(SYS_gettid));
	printf("ready\n");
	fflush(stdout);
	fp_outer();
	return 0;
}
