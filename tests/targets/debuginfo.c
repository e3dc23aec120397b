/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where `calltrap stacks` finds DWARF (tests/integration/stacks_debuginfo.sh):
 * the test runs copies of this program with their debug info in the binary,
 * in a separate file found by build-id or by .gnu_debuglink, or nowhere, and
 * checks the frames of debuginfo_read and debuginfo_caller against the
 * function, file and line printed here.  It blocks in read() on stdin.
 *
 * debuginfo_read is global and the program is linked with -rdynamic, so its
 * name is in .dynsym too: a fully stripped copy still names it.
 * debuginfo_caller is static: its name is in .symtab only.
 */
#include <stdio.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noclone))
#define KEEP_FRAME() __asm__ volatile("" ::: "memory")

int debuginfo_read(int fd);

NOINLINE int debuginfo_read(int fd)
{
	char c;
	ssize_t n;

	/* the line of the read() call: the frame's line (its return address
	 * is looked up as the call before it) */
	printf("truth func=debuginfo_read file=%s line=%d\n", __FILE__, __LINE__ + 3);
	printf("ready\n");
	fflush(stdout);
	n = read(fd, &c, 1);
	KEEP_FRAME();
	return n == 1 ? c : -1;
}

NOINLINE static int debuginfo_caller(void)
{
	int r;

	printf("truth func=debuginfo_caller file=%s line=%d\n", __FILE__, __LINE__ + 1);
	r = debuginfo_read(0);
	KEEP_FRAME();
	return r;
}

int main(void)
{
	printf("truth pid=%d role=main\n", (int)getpid());
	return debuginfo_caller() < 0;
}
