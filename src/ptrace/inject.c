/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Remote system calls: point a stopped thread at a `syscall; trap` pair,
 * let it run into the trap, read the result, put everything back.  Remote
 * function calls run the same way (ct_remote_run), from registers their
 * caller prepared.
 *
 * The thread may have been stopped inside a system call that the kernel
 * will restart when it resumes.  We cancel the restart for the injected
 * call (gdb amd64_linux_write_pc: orig_rax = -1) and restore the saved
 * registers, orig_rax included, afterwards, so the interrupted call is
 * restarted exactly as if we had never been there.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace/ptrace.h"

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1 /* si_code of a seccomp SECCOMP_RET_TRAP */
#endif

#define CT_LOG_DOMAIN "inject"
#include "util/log.h"

/* Resume `tid` and wait until it traps at `trap_pc`.  The program's
 * signals that arrive meanwhile are kept for it by the guard g. */
static int run_to_trap(pid_t tid, const struct ct_arch *arch, uint64_t trap_pc,
		       struct ct_regs *out, struct ct_sigguard *g)
{
	int status, ret;
	siginfo_t si;

	ret = ct_sigguard_run(tid, g, false, &status, &si);
	if (ret != 0)
		return ret > 0 ? -ESRCH : ret;
	ret = ct_regs_get(tid, arch, out);
	if (ret < 0)
		return ret;
	if (si.si_signo == SIGTRAP && arch->bp_addr(out) == trap_pc)
		return 0;
	/* our code faulted (bad address), or trapped elsewhere: the signal
	 * is ours, suppressed */
	ct_dbg("tid %d: signal %d (code %d) at %#lx", (int)tid, si.si_signo, si.si_code,
	       (unsigned long)arch->pc(out));
	return si.si_signo == SIGSYS && si.si_code == SYS_SECCOMP ? -ECANCELED : -EFAULT;
}

int ct_remote_run(pid_t tid, const struct ct_arch *arch, const struct ct_regs *saved,
		  struct ct_regs *r, uint64_t trap_pc)
{
	struct ct_sigguard g;
	int ret, ret2, saved_nr = -1;

	ret = ct_syscall_nr_get(tid, arch, &saved_nr);
	if (ret < 0)
		return ret;
	ret = ct_sigguard_enter(tid, &g);
	if (ret == 0)
		ret = ct_regs_set(tid, arch, r);
	if (ret == 0)
		ret = ct_syscall_nr_set(tid, arch, -1);
	if (ret == 0)
		ret = run_to_trap(tid, arch, trap_pc, r, &g);
	ret2 = ct_regs_set(tid, arch, saved);
	if (ret2 == 0)
		ret2 = ct_syscall_nr_set(tid, arch, saved_nr);
	if (ret2 == 0)
		ret2 = ct_sigguard_leave(tid, &g);
	return ret ? ret : ret2;
}

int ct_remote_syscall(pid_t tid, const struct ct_arch *arch, struct ct_pmem *mem,
		      const struct ct_regs *saved, uint64_t code, bool write_code, long nr,
		      const uint64_t args[6], long *retp)
{
	uint8_t orig[16], insn[16];
	size_t len = (size_t)arch->syscall_len + arch->bp_len;
	struct ct_regs r = *saved;
	uint32_t verdict;
	int ret, ret2;

	/* the kernel reports the pc after the system call instruction */
	ret = ct_seccomp_check(tid, arch, nr, args, code + arch->syscall_len, &verdict);
	if (ret < 0) {
		ct_dbg("tid %d: syscall %ld not injected: %s", (int)tid, nr, strerror(-ret));
		return ret;
	}
	if (write_code) {
		ret = ct_pmem_read(mem, code, orig, len);
		if (ret < 0)
			return ret;
		memcpy(insn, arch->syscall_insn, arch->syscall_len);
		memcpy(insn + arch->syscall_len, arch->bp_insn, arch->bp_len);
		ret = ct_pmem_write(mem, code, insn, len);
		if (ret < 0)
			return ret;
	}
	arch->set_syscall(&r, nr, args);
	arch->cancel_syscall_restart(&r);
	arch->set_pc(&r, code);
	ret = ct_remote_run(tid, arch, saved, &r, code + arch->syscall_len);
	if (ret == 0)
		*retp = arch->syscall_ret(&r);
	if (write_code) {
		ret2 = ct_pmem_write(mem, code, orig, len);
		if (ret == 0)
			ret = ret2;
	}
	return ret;
}

int ct_remote_mmap(pid_t tid, const struct ct_arch *arch, struct ct_pmem *mem,
		   const struct ct_regs *saved, uint64_t code, bool write_code, uint64_t addr,
		   uint64_t len, int prot, int flags, uint64_t *mapped)
{
	uint64_t args[6] = { addr, len, (uint64_t)prot, (uint64_t)flags, (uint64_t)-1, 0 };
	long ret;
	int err;

	err = ct_remote_syscall(tid, arch, mem, saved, code, write_code, arch->nr_mmap, args,
				&ret);
	if (err < 0)
		return err;
	ct_dbg("tid %d: mmap(%#lx, %#lx) = %#lx", (int)tid, (unsigned long)addr,
	       (unsigned long)len, (unsigned long)ret);
	if (ret < 0 && ret > -4096)
		return (int)ret;
	*mapped = (uint64_t)ret;
	return 0;
}

int ct_remote_munmap(pid_t tid, const struct ct_arch *arch, struct ct_pmem *mem,
		     const struct ct_regs *saved, uint64_t code, bool write_code, uint64_t addr,
		     uint64_t len)
{
	uint64_t args[6] = { addr, len, 0, 0, 0, 0 };
	long ret;
	int err;

	err = ct_remote_syscall(tid, arch, mem, saved, code, write_code, arch->nr_munmap, args,
				&ret);
	if (err < 0)
		return err;
	return ret < 0 ? (int)ret : 0;
}
