/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: children that share the parent's memory until they exec.
 *
 * The parent calls work() 20 times, then:
 *  1. vfork(); the child calls the traced in_vfork_child(7) (hitting the
 *     parent's breakpoints: the memory is shared, nothing could be removed)
 *     and execs /bin/true;
 *  2. 20 more work() calls, then posix_spawn(/bin/true) (clone with
 *     CLONE_VM | CLONE_VFORK inside glibc);
 *  3. posix_spawn of this very binary with the argument "child": that image
 *     calls work() 15 times and exits with status 3;
 *  4. 20 more work() calls.
 * The parent checks every child's status.  Its own work() count is 60 with or
 * without -f; with -f the children's events appear under their own pids.
 */
#include "config.h"

#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))

TRACED long work(long x);
TRACED long in_vfork_child(long x);

extern char **environ;

long work(long x)
{
	asm volatile("");
	return x + 5;
}

long in_vfork_child(long x)
{
	asm volatile("");
	return x * 2;
}

static int failures;

static void check_status(const char *what, pid_t pid, int want_code)
{
	int status;

	if (waitpid(pid, &status, 0) != pid) {
		printf("check %s FAIL waitpid\n", what);
		failures++;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == want_code) {
		printf("check %s ok\n", what);
	} else {
		printf("check %s FAIL status=0x%x\n", what, status);
		failures++;
	}
}

static long run(long from, long n)
{
	long i, sum = 0;

	for (i = 0; i < n; i++)
		sum += work(from + i);
	return sum;
}

static int spawned_child(void)
{
	pid_t me = getpid();
	long sum = run(2000, 15);

	/* sum over x = 2000 .. 2014 of (x + 5) = 15 * 2005 + 105 = 30180 */
	printf("truth pid=%d role=spawned\n", me);
	printf("truth count pid=%d func=work calls=15\n", me);
	printf("truth exit pid=%d status=3\n", me);
	printf("check spawned-sum %s\n", sum == 30180 ? "ok" : "FAIL");
	return 3;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX];
	char *true_argv[] = { (char *)"true", NULL };
	char *self_argv[] = { argv[0], (char *)"child", NULL };
	pid_t pid = getpid(), vchild, s1, s2;
	long sum;
	ssize_t len;

	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return spawned_child();

	printf("truth pid=%d role=main\n", pid);
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len < 0) {
		perror("readlink");
		return 2;
	}
	self[len] = '\0';

	sum = run(0, 20);
	fflush(stdout);

	vchild = vfork();
	if (vchild < 0) {
		perror("vfork");
		return 2;
	}
	if (vchild == 0) {
		/* Only calls and exec: this child borrows the parent's stack. */
		if (in_vfork_child(7) != 14)
			_exit(9);
		execve("/bin/true", true_argv, environ);
		_exit(127);
	}
	check_status("vfork-child", vchild, 0);

	sum += run(100, 20);
	if (posix_spawn(&s1, "/bin/true", NULL, NULL, true_argv, environ)) {
		printf("check spawn-true FAIL posix_spawn\n");
		return 2;
	}
	check_status("spawn-true", s1, 0);

	fflush(stdout);
	if (posix_spawn(&s2, self, NULL, NULL, self_argv, environ)) {
		printf("check spawn-self FAIL posix_spawn\n");
		return 2;
	}
	check_status("spawn-self", s2, 3);

	sum += run(200, 20);
	/* sum of (x + 5): 3 * 20 * 5 + (0 + 100 + 200) * 20 + 3 * 190 = 300 + 6000 + 570 */
	if (sum == 6870) {
		printf("check parent-sum ok\n");
	} else {
		printf("check parent-sum FAIL got=%ld\n", sum);
		failures++;
	}

	printf("truth count pid=%d func=work calls=60\n", pid);
	printf("truth count pid=%d func=in_vfork_child calls=0\n", pid);
	printf("truth fork pid=%d child=%d vfork=1\n", pid, vchild);
	printf("truth fork pid=%d child=%d vfork=1\n", pid, s1);
	printf("truth fork pid=%d child=%d vfork=1\n", pid, s2);
	printf("truth count pid=%d func=in_vfork_child calls=1\n", vchild);
	printf("truth count pid=%d func=work calls=0\n", vchild);
	printf("truth exec pid=%d count=1\n", vchild);
	printf("truth exec pid=%d count=1\n", s1);
	printf("truth exec pid=%d count=1\n", s2);
	printf("truth exit pid=%d status=0\n", vchild);
	printf("truth exit pid=%d status=0\n", s1);
	printf("truth exit pid=%d status=%d\n", pid, failures ? 1 : 0);
	return failures ? 1 : 0;
}
