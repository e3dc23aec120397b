/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ptrace_floor: the cheapest possible ptrace tracer, as a baseline.
 *
 * Usage: ptrace_floor block|spin PROGRAM [ARGS...]
 *
 * Runs PROGRAM under PTRACE_TRACEME and, for every SIGTRAP stop, resumes it
 * with PTRACE_CONT and the signal suppressed.  It reads no registers and no
 * memory, so the time per stop is only the kernel's stop/wake round trip plus
 * one waitpid and one PTRACE_CONT: what any tracer with one stop per event
 * must pay.  Meant for bench_target built with -DBENCH_INT3.  x86 int3 leaves
 * the pc after the trap, so resuming needs no register write there; aarch64
 * brk leaves the pc at the brk, so there the floor reads the registers and
 * writes them back with the pc 4 bytes on (PTRACE_GETREGSET/SETREGSET of
 * NT_PRSTATUS, arm64 having no POKEUSER), which any tracer must do too.
 *
 * "block" waits in waitpid(); "spin" polls waitpid(WNOHANG) without sleeping.
 * Spinning saves the cross-CPU wakeup of the tracer, which is most of the cost
 * in a VM (DESIGN.md, "Measured facts"), but starves a tracee on the same CPU.
 *
 * Other signals are passed through.  Prints "ptrace_floor: traps=<N>" on
 * stderr, where N excludes the stop after execve, and exits with the
 * program's exit status (128 + signal if it was killed), or 125 on a tracer
 * error.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define FLOOR_ERR_EXIT 125

/* Returns 0 and the status of pid's next state change, or a negative errno. */
static int wait_stop(pid_t pid, bool spin, int *status)
{
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, spin ? WNOHANG : 0);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		/* r == 0: WNOHANG and no change yet; keep spinning. */
	}
}

/* Resume after a breakpoint trap: nothing to do where the trap advances the
 * pc.  0 or -errno. */
static int step_over_trap(pid_t pid)
{
#if defined(__aarch64__)
	struct user_regs_struct regs;
	struct iovec iov = { &regs, sizeof(regs) };

	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &iov) < 0)
		return -errno;
	regs.pc += 4;
	if (ptrace(PTRACE_SETREGSET, pid, (void *)NT_PRSTATUS, &iov) < 0)
		return -errno;
#else
	(void)pid;
#endif
	return 0;
}

static pid_t spawn_traced(char **argv)
{
	pid_t pid;

	pid = fork();
	if (pid != 0)
		return pid;

	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0) {
		fprintf(stderr, "ptrace_floor: PTRACE_TRACEME: %s\n", strerror(errno));
		_exit(127);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "ptrace_floor: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/*
 * Resume pid with sig until it exits.  Returns its exit code, or -1 after
 * printing the error.
 */
static int trace_loop(pid_t pid, bool spin, unsigned long *traps)
{
	int status, sig = 0, err;

	for (;;) {
		/* ESRCH: killed meanwhile; the next wait reports how it ended. */
		if (ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig) < 0 && errno != ESRCH) {
			fprintf(stderr, "ptrace_floor: PTRACE_CONT %d: %s\n", (int)pid,
				strerror(errno));
			return -1;
		}
		err = wait_stop(pid, spin, &status);
		if (err) {
			fprintf(stderr, "ptrace_floor: waitpid %d: %s\n", (int)pid, strerror(-err));
			return -1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return exit_code(status);
		if (!WIFSTOPPED(status))
			continue;
		sig = WSTOPSIG(status);
		if (sig == SIGTRAP) {
			(*traps)++;
			sig = 0;
			err = step_over_trap(pid);
			if (err && err != -ESRCH) {
				fprintf(stderr, "ptrace_floor: moving the pc of %d: %s\n", (int)pid,
					strerror(-err));
				return -1;
			}
		}
	}
}

int main(int argc, char **argv)
{
	unsigned long traps = 0;
	int status, err, code;
	pid_t pid;
	bool spin;

	if (argc < 3 || (strcmp(argv[1], "block") && strcmp(argv[1], "spin"))) {
		fprintf(stderr, "usage: ptrace_floor block|spin PROGRAM [ARGS...]\n");
		return 2;
	}
	spin = !strcmp(argv[1], "spin");

	pid = spawn_traced(argv + 2);
	if (pid < 0) {
		fprintf(stderr, "ptrace_floor: fork: %s\n", strerror(errno));
		return FLOOR_ERR_EXIT;
	}

	/* PTRACE_TRACEME: the child stops with SIGTRAP after execve. */
	err = wait_stop(pid, false, &status);
	if (err) {
		fprintf(stderr, "ptrace_floor: waitpid %d: %s\n", (int)pid, strerror(-err));
		return FLOOR_ERR_EXIT;
	}
	if (!WIFSTOPPED(status)) {
		fprintf(stderr, "ptrace_floor: %s did not start\n", argv[2]);
		return FLOOR_ERR_EXIT;
	}
	/* If we die, the tracee must not run on into its next int3 untraced. */
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)PTRACE_O_EXITKILL) < 0) {
		fprintf(stderr, "ptrace_floor: PTRACE_SETOPTIONS %d: %s\n", (int)pid,
			strerror(errno));
		if (kill(pid, SIGKILL) < 0)
			fprintf(stderr, "ptrace_floor: kill %d: %s\n", (int)pid, strerror(errno));
		return FLOOR_ERR_EXIT;
	}

	code = trace_loop(pid, spin, &traps);
	if (code < 0)
		return FLOOR_ERR_EXIT;
	fprintf(stderr, "ptrace_floor: traps=%lu\n", traps);
	return code;
}
