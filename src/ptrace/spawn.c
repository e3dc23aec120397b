/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Starting a program under ptrace with PTRACE_SEIZE semantics (so group-stops
 * are reported as PTRACE_EVENT_STOP and PTRACE_INTERRUPT/LISTEN work), which
 * PTRACE_TRACEME cannot give.  The child stops itself with SIGSTOP before
 * execvp; we seize it, let it continue, and return once it reaches its
 * PTRACE_EVENT_EXEC stop.  An exec failure comes back through a CLOEXEC pipe.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace/ptrace.h"

#define CT_LOG_DOMAIN "spawn"
#include "util/log.h"

static void child_run(char *const argv[], const sigset_t *mask, int errfd)
{
	int err;

	/* Stop so that the parent can seize us before the new image runs. */
	if (sigprocmask(SIG_SETMASK, mask, NULL) == 0 && raise(SIGSTOP) == 0)
		execvp(argv[0], argv);
	err = errno;
	if (write(errfd, &err, sizeof(err)) != (ssize_t)sizeof(err))
		_exit(126);
	_exit(127);
}

static int child_exec_errno(int rfd)
{
	int err = 0;
	ssize_t n;

	do
		n = read(rfd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(err) && err > 0 ? err : ECHILD;
}

int ct_ptrace_spawn(char *const argv[], const sigset_t *mask, pid_t *pidp)
{
	int pfd[2], status, ret;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return ret;
	}
	if (pid == 0) {
		close(pfd[0]);
		child_run(argv, mask, pfd[1]);
	}
	close(pfd[1]);

	if (waitpid(pid, &status, WSTOPPED) < 0 || !WIFSTOPPED(status)) {
		ret = WIFEXITED(status) ? -child_exec_errno(pfd[0]) : -ECHILD;
		goto fail;
	}
	if (ptrace(PTRACE_SEIZE, pid, 0L,
		   (long)(CT_PTRACE_OPTIONS | PTRACE_O_EXITKILL)) < 0) {
		ret = -errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto fail;
	}
	if (kill(pid, SIGCONT) < 0) {
		ret = -errno;
		goto fail_kill;
	}
	/* Drive it to the exec stop, swallowing the stop/continue of our own
	 * SIGSTOP/SIGCONT. */
	for (;;) {
		if (waitpid(pid, &status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto fail_kill;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			ret = -child_exec_errno(pfd[0]);
			goto fail;
		}
		if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8)))
			break;
		if (status >> 16 == PTRACE_EVENT_STOP) {
			/* group-stop of the raise(SIGSTOP): SIGCONT ends it */
			if (ptrace(PTRACE_CONT, pid, 0L, 0L) < 0) {
				ret = -errno;
				goto fail_kill;
			}
			continue;
		}
		/* signal-delivery-stop: suppress our SIGCONT, keep anything else */
		if (ptrace(PTRACE_CONT, pid, 0L,
			   (long)(WSTOPSIG(status) == SIGCONT || WSTOPSIG(status) == SIGSTOP
					  ? 0 : WSTOPSIG(status))) < 0) {
			ret = -errno;
			goto fail_kill;
		}
	}
	close(pfd[0]);
	*pidp = pid;
	return 0;

fail_kill:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, __WALL);
fail:
	close(pfd[0]);
	return ret;
}
