/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Thin wrappers: one place that turns ptrace's -1/errno into -errno. */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "ptrace/ptrace.h"

static int req(enum __ptrace_request r, pid_t tid, unsigned long addr, unsigned long data)
{
	return ptrace(r, tid, addr, data) < 0 ? -errno : 0;
}

int ct_ptrace_seize(pid_t tid, bool interrupt)
{
	int ret = req(PTRACE_SEIZE, tid, 0, CT_PTRACE_OPTIONS);

	if (ret == 0 && interrupt)
		ret = req(PTRACE_INTERRUPT, tid, 0, 0);
	return ret;
}

int ct_ptrace_cont(pid_t tid, int sig)
{
	return req(PTRACE_CONT, tid, 0, (unsigned long)sig);
}

int ct_ptrace_step(pid_t tid, int sig)
{
	return req(PTRACE_SINGLESTEP, tid, 0, (unsigned long)sig);
}

int ct_ptrace_listen(pid_t tid)
{
	return req(PTRACE_LISTEN, tid, 0, 0);
}

int ct_ptrace_interrupt(pid_t tid)
{
	return req(PTRACE_INTERRUPT, tid, 0, 0);
}

int ct_ptrace_detach(pid_t tid, int sig)
{
	return req(PTRACE_DETACH, tid, 0, (unsigned long)sig);
}

int ct_ptrace_geteventmsg(pid_t tid, unsigned long *msg)
{
	return ptrace(PTRACE_GETEVENTMSG, tid, 0L, msg) < 0 ? -errno : 0;
}

int ct_ptrace_sigtrap_pending(pid_t tid)
{
	struct __ptrace_peeksiginfo_args args = { .off = 0, .flags = 0, .nr = 16 };
	siginfo_t si[16];
	long n, i;

	n = ptrace(PTRACE_PEEKSIGINFO, tid, &args, si);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++)
		if (si[i].si_signo == SIGTRAP && ct_siginfo_is_fault(&si[i]))
			return 1;
	return 0;
}

int ct_ptrace_finish_syscall(pid_t tid)
{
	int status, ret = req(PTRACE_SYSCALL, tid, 0, 0);

	while (ret == 0) {
		pid_t r = waitpid(tid, &status, __WALL);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!WIFSTOPPED(status))
			return -ESRCH;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80))
			return 0;
		/* anything else first (a signal): let it wait, go on */
		ret = req(PTRACE_SYSCALL, tid, 0, 0);
	}
	return ret;
}

int ct_regs_get(pid_t tid, const struct ct_arch *arch, struct ct_regs *r)
{
	struct iovec iov = { .iov_base = r->w, .iov_len = arch->regs_size };

	if (arch->getregs_request)
		return req((enum __ptrace_request)arch->getregs_request, tid, 0, (unsigned long)r->w);
	return req(PTRACE_GETREGSET, tid, NT_PRSTATUS, (unsigned long)&iov);
}

int ct_regs_set(pid_t tid, const struct ct_arch *arch, const struct ct_regs *r)
{
	struct iovec iov = { .iov_base = (void *)r->w, .iov_len = arch->regs_size };

	return req(PTRACE_SETREGSET, tid, NT_PRSTATUS, (unsigned long)&iov);
}

int ct_fpregs_get(pid_t tid, const struct ct_arch *arch, void *buf)
{
	struct iovec iov = { .iov_base = buf, .iov_len = arch->fpregs_size };
	int ret = req(PTRACE_GETREGSET, tid, NT_PRFPREG, (unsigned long)&iov);

	/* a shorter regset than the arch table says would leave bytes unset */
	if (ret == 0 && iov.iov_len != arch->fpregs_size)
		ret = -EIO;
	return ret;
}

int ct_syscall_nr_get(pid_t tid, const struct ct_arch *arch, int *nr)
{
	struct iovec iov = { .iov_base = nr, .iov_len = sizeof(*nr) };

	if (!arch->syscall_nr_regset)
		return 0;
	return req(PTRACE_GETREGSET, tid, arch->syscall_nr_regset, (unsigned long)&iov);
}

int ct_syscall_nr_set(pid_t tid, const struct ct_arch *arch, int nr)
{
	struct iovec iov = { .iov_base = &nr, .iov_len = sizeof(nr) };

	if (!arch->syscall_nr_regset)
		return 0;
	return req(PTRACE_SETREGSET, tid, arch->syscall_nr_regset, (unsigned long)&iov);
}

int ct_regs_set_pc(pid_t tid, const struct ct_arch *arch, const struct ct_regs *r)
{
	if (arch->pc_user_offset < 0)
		return ct_regs_set(tid, arch, r);
	return req(PTRACE_POKEUSER, tid, (unsigned long)arch->pc_user_offset, arch->pc(r));
}

int ct_ptrace_exec_break(pid_t tid, const struct ct_arch *arch, uint64_t addr)
{
	unsigned long dr = (unsigned long)arch->debugreg_user_offset;
	int ret;

	if (arch->debugreg_user_offset < 0)
		return -ENOTSUP;
	/* DR7 off first: never enabled with a stale DR0 */
	ret = req(PTRACE_POKEUSER, tid, dr + 7 * sizeof(long), 0);
	if (ret == 0 && addr) {
		ret = req(PTRACE_POKEUSER, tid, dr, addr);
		/* L0: DR0 enabled for this thread; R/W0 = 00 and LEN0 = 00: an
		 * instruction fetch */
		if (ret == 0)
			ret = req(PTRACE_POKEUSER, tid, dr + 7 * sizeof(long), 1);
	}
	return ret;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

pid_t ct_ptrace_wait(pid_t tid, int *status, bool block, unsigned spin_us)
{
	pid_t who = tid > 0 ? tid : -1;
	uint64_t deadline = 0;
	pid_t r;

	/* A spin with sched_yield: when tracer and tracee share a CPU the
	 * yield lets the tracee run; on different CPUs it saves the slow
	 * cross-CPU wakeup of a blocking wait. */
	for (;;) {
		r = waitpid(who, status, __WALL | WNOHANG);
		if (r != 0)
			break;
		if (!spin_us)
			break;
		if (!deadline)
			deadline = now_us() + spin_us;
		else if (now_us() >= deadline)
			break;
		sched_yield();
	}
	if (r == 0 && block)
		r = waitpid(who, status, __WALL);
	return r < 0 ? -errno : r;
}
