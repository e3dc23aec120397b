/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ptrace_costs: what the requests a one-stop-per-event tracer must make at
 * each stop cost on this machine, next to a plain syscall.
 *
 * Usage: ptrace_costs [ITERATIONS]
 *
 * Forks a child that stops itself under PTRACE_TRACEME, then times, with the
 * child stopped, ITERATIONS (default 100000) of each request and prints one
 * line:
 *
 *   getregs_ns=G pread_ns=R setpc_ns=P syscall_ns=S
 *
 * getregs: the whole general-purpose register set (x86_64 PTRACE_GETREGS,
 * elsewhere PTRACE_GETREGSET NT_PRSTATUS), which any tracer that reports
 * arguments or return values reads at each stop; pread: 16 bytes of the
 * child's stack from /proc/PID/mem (the return address at a call); setpc:
 * writing the pc back (x86_64 PTRACE_POKEUSER of rip, elsewhere
 * PTRACE_SETREGSET), which resuming out of line needs; syscall: getppid(),
 * the price of entering the kernel at all.  bench/run.sh adds these to the
 * floor to get the least a tracer of calltrap's design can cost per call.
 *
 * Exits 0, or 1 after printing why a request failed.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int get_regs(pid_t pid, struct user_regs_struct *r)
{
#if defined(__x86_64__)
	return (int)ptrace(PTRACE_GETREGS, pid, NULL, r);
#else
	struct iovec iov = { r, sizeof(*r) };

	return (int)ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &iov);
#endif
}

static uint64_t stack_pointer(const struct user_regs_struct *r)
{
#if defined(__x86_64__)
	return r->rsp;
#else
	return r->sp;
#endif
}

static int set_pc(pid_t pid, struct user_regs_struct *r)
{
#if defined(__x86_64__)
	return (int)ptrace(PTRACE_POKEUSER, pid, (void *)offsetof(struct user, regs.rip),
			   (void *)r->rip);
#else
	struct iovec iov = { r, sizeof(*r) };

	return (int)ptrace(PTRACE_SETREGSET, pid, (void *)NT_PRSTATUS, &iov);
#endif
}

static int fail(const char *what)
{
	fprintf(stderr, "ptrace_costs: %s: %s\n", what, strerror(errno));
	return 1;
}

static int measure(pid_t pid, long n)
{
	struct user_regs_struct regs;
	char path[64];
	uint64_t buf[2], t0, t_regs, t_pread, t_pc, t_sys;
	int fd;
	long i;

	if (get_regs(pid, &regs) < 0)
		return fail("reading registers");
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(path);

	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (get_regs(pid, &regs) < 0)
			return fail("reading registers");
	t_regs = now_ns() - t0;

	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (pread(fd, buf, sizeof(buf), (off_t)stack_pointer(&regs)) != sizeof(buf))
			return fail("reading the stack");
	t_pread = now_ns() - t0;

	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (set_pc(pid, &regs) < 0)
			return fail("writing the pc");
	t_pc = now_ns() - t0;

	t0 = now_ns();
	for (i = 0; i < n; i++)
		getppid();
	t_sys = now_ns() - t0;

	close(fd);
	printf("getregs_ns=%llu pread_ns=%llu setpc_ns=%llu syscall_ns=%llu\n",
	       (unsigned long long)(t_regs / (uint64_t)n), (unsigned long long)(t_pread / (uint64_t)n),
	       (unsigned long long)(t_pc / (uint64_t)n), (unsigned long long)(t_sys / (uint64_t)n));
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
	pid_t pid;
	int status, ret;

	if (n <= 0) {
		fprintf(stderr, "usage: ptrace_costs [ITERATIONS]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(127);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		fprintf(stderr, "ptrace_costs: the child did not stop\n");
		kill(pid, SIGKILL);
		return 1;
	}
	ret = measure(pid, n);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return ret;
}
