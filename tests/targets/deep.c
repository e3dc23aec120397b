/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A recursion N frames deep (tests/integration/deep.sh): dive(n) calls
 * dive(n - 1) down to dive(0), so the traced call of dive(k) is at depth
 * N - k + 1 and the deepest, dive(0), at depth N + 1.  It prints the truth
 * ("truth pid=P role=main", "truth deep calls=N+1 depth=N+1") and
 * "check deep ok" when every call returned its own depth below it.
 *
 * usage: deep N
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* not inlined, cloned, or turned into a loop: each level is a real call */
#define NOINLINE __attribute__((noinline, noclone))

NOINLINE static long dive(long n)
{
	long below;

	if (n == 0)
		return 0;
	below = dive(n - 1);
	/* code after the call: no tail call, no accumulator loop */
	__asm__ volatile("" : "+r"(below) : : "memory");
	return below + 1;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
	long got;

	if (n < 0 || n > 100000) {
		fprintf(stderr, "usage: deep N (0 to 100000)\n");
		return 2;
	}
	printf("truth pid=%d role=main\n", (int)getpid());
	printf("truth deep calls=%ld depth=%ld\n", n + 1, n + 1);
	fflush(stdout);
	got = dive(n);
	printf("check deep %s\n", got == n ? "ok" : "FAIL");
	return got == n ? 0 : 1;
}
