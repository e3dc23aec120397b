/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: a function part entered by a jump, as gcc's hot/cold
 * splitting makes them (foo -> foo.cold), with a pointer to data where a
 * return address would be.  It is named hot_part: a NAME.cold symbol is
 * never traced (tests/targets/coldparts.cc), and this one must be.
 *
 * hot(x) puts &g where a call would have put its return address ([sp] on
 * x86_64: a push; x30 on aarch64) and jumps to hot_part, which returns
 * x + 1 to hot's caller.  Traced, hot_part's "return address" is &g: a
 * breakpoint written there changes g (g.a = 0x11111111111111cc).  The
 * target checks g after its calls, and prints the events calltrap must
 * report: hot returns at depth 1; hot_part, entered at depth 2 with no
 * return address (and below hot's entry stack pointer: no tail call),
 * ends as an unwind when hot returns.
 *
 * Usage: coldjump [N]   (N calls, default 5)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct pair {
	unsigned long a, b;
};

struct pair g = { 0x1111111111111111ul, 0x2222222222222222ul };

long hot(long x);

#if defined(__x86_64__)
__asm__(".text\n"
	".globl hot\n"
	".type hot, @function\n"
	"hot:\n"
	"	leaq g(%rip), %rax\n"
	"	pushq %rax\n"            /* [sp] = &g */
	"	jmp hot_part\n"
	".size hot, .-hot\n"
	".type hot_part, @function\n"
	"hot_part:\n"
	"	popq %rax\n"
	"	leaq 1(%rdi), %rax\n"
	"	ret\n"
	".size hot_part, .-hot_part\n");
#elif defined(__aarch64__)
__asm__(".text\n"
	".globl hot\n"
	".type hot, %function\n"
	"hot:\n"
	"	stp x29, x30, [sp, #-16]!\n"
	"	mov x29, sp\n"
	"	adrp x30, g\n"           /* x30 = &g */
	"	add x30, x30, :lo12:g\n"
	"	b hot_part\n"
	".size hot, .-hot\n"
	".type hot_part, %function\n"
	"hot_part:\n"
	"	ldp x29, x30, [sp], #16\n"
	"	add x0, x0, #1\n"
	"	ret\n"
	".size hot_part, .-hot_part\n");
#else
#error "coldjump: x86_64 or aarch64 only"
#endif

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 5, i;
	long sum = 0, want = 0;
	pid_t pid = getpid();

	printf("truth pid=%d role=main\n", (int)pid);
	for (i = 0; i < n; i++) {
		sum += hot(i);
		want += i + 1;
		printf("truth ev pid=%d tid=%d type=call func=hot depth=1 args=%d\n", (int)pid,
		       (int)pid, i);
		printf("truth ev pid=%d tid=%d type=call func=hot_part depth=2 args=%d\n", (int)pid,
		       (int)pid, i);
		printf("truth ev pid=%d tid=%d type=unwind func=hot_part depth=2\n", (int)pid,
		       (int)pid);
		printf("truth ev pid=%d tid=%d type=return func=hot depth=1 ret=%d\n", (int)pid,
		       (int)pid, i + 1);
	}
	printf("truth exit pid=%d status=0\n", (int)pid);
	printf("check sum %s\n", sum == want ? "ok" : "FAIL");
	printf("check g.a=%#lx %s\n", g.a, g.a == 0x1111111111111111ul ? "ok" : "FAIL");
	printf("check g.b=%#lx %s\n", g.b, g.b == 0x2222222222222222ul ? "ok" : "FAIL");
	return 0;
}
