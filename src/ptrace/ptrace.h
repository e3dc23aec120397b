/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ptrace edge: spawning and seizing tasks, the wait loop, registers,
 * remote memory and remote system calls.  Everything returns 0 or a
 * negative errno; -ESRCH means the task vanished, which is an outcome to
 * handle quietly, not an error to report (strace's ptrace_restart).
 */
#ifndef CT_PTRACE_H
#define CT_PTRACE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "arch/arch.h"

/* Options for every task we trace.  EXITKILL only for programs we spawned. */
#define CT_PTRACE_OPTIONS                                                        \
	(PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |        \
	 PTRACE_O_TRACEVFORKDONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESYSGOOD)

/* Start argv[0] (searched in PATH) stopped at its PTRACE_EVENT_EXEC stop,
 * seized with CT_PTRACE_OPTIONS | PTRACE_O_EXITKILL, with signal mask
 * `mask` (the tracer's own may block signals it waits for).  On failure to
 * exec, -errno of the child's execvp (ENOENT, EACCES...). */
int ct_ptrace_spawn(char *const argv[], const sigset_t *mask, pid_t *pid);

/* Seize one task (no EXITKILL) and interrupt it.  -EPERM when we may not
 * trace it or it is already traced. */
int ct_ptrace_seize(pid_t tid, bool interrupt);

/* One pass over /proc/PID/task (attach.c): every task for which
 * want(ctx, tid) is true (asked just before seizing it, so the caller may
 * note its state first) is seized with `options`, interrupted, and given
 * to added(ctx, tid).  A task we may not trace because it has exited (a
 * zombie leader) goes to zombie(ctx, tid) when that is set, and is an
 * -EPERM error otherwise.  Callers repeat passes until one adds nothing
 * (see attach.c for why that is enough).  Returns the number of tasks
 * added, or -errno: -ESRCH when the process is gone, -EPERM when we may
 * not trace it, with *tracer (if not NULL) set to the pid of the process
 * already tracing it, or 0; or what a callback returned. */
struct ct_seize_cb {
	bool (*want)(void *ctx, pid_t tid);
	int (*added)(void *ctx, pid_t tid);
	int (*zombie)(void *ctx, pid_t tid);
	void *ctx;
};
int ct_ptrace_seize_pass(pid_t pid, unsigned long options, const struct ct_seize_cb *cb,
			 pid_t *tracer);
/* The pid tracing tid (its TracerPid), or 0. */
pid_t ct_proc_tracer(pid_t tid);
/* The state letter of a task (R, S, D, T, t, Z...) from
 * /proc/PID/task/TID/stat, or 0 when it is gone. */
char ct_proc_task_state(pid_t pid, pid_t tid);

/* Resume variants; each returns 0 or -errno (-ESRCH when gone). */
int ct_ptrace_cont(pid_t tid, int sig);
int ct_ptrace_step(pid_t tid, int sig);
int ct_ptrace_listen(pid_t tid);
int ct_ptrace_interrupt(pid_t tid);
int ct_ptrace_detach(pid_t tid, int sig);
int ct_ptrace_geteventmsg(pid_t tid, unsigned long *msg);
/* Is a trap's SIGTRAP queued for this (stopped) thread?  A thread that
 * executed a breakpoint just as we interrupted it reports the interrupt
 * first and keeps the SIGTRAP pending (job-control traps precede signals
 * in get_signal); detaching then would kill it.  One sent by someone
 * (kill, sigqueue) is the program's business.  1, 0 or -errno. */
int ct_ptrace_sigtrap_pending(pid_t tid);
/* From a PTRACE_EVENT_EXEC/CLONE/FORK/VFORK stop, which is inside the
 * system call, run to its syscall-exit-stop: only there are the registers
 * final (the kernel writes the call's return value into them on the way
 * out, which would clobber an injected system call's number and lose the
 * real return value). */
int ct_ptrace_finish_syscall(pid_t tid);

/* Is pid a kernel thread (PF_KTHREAD: no user memory, no code to trace)?
 * false also when it cannot be told (gone). */
bool ct_proc_is_kthread(pid_t pid);
/* What every command that refuses a kernel thread says it is. */
#define CT_KTHREAD_WHAT "a kernel thread, which runs no program code"
/* An integer field of /proc/TID/status ("Tgid", "TracerPid"), or -1. */
long ct_proc_status_field(pid_t tid, const char *field);
/* Does the process of tid catch signal sig (a handler: SigCgt)?  1, 0, or
 * -errno (-ESRCH: gone). */
int ct_proc_sig_caught(pid_t tid, int sig);
/* A hexadecimal field of /proc/TID/status ("SigPnd", "ShdPnd").  0, or
 * -ESRCH when the task is gone, -ENOENT when there is no such field. */
int ct_proc_status_hex(pid_t tid, const char *field, uint64_t *val);
/* The value of auxiliary vector entry `type` (AT_HWCAP ...) of pid.
 * 0 or -errno (-ENOENT when the entry is absent). */
int ct_proc_auxv(pid_t pid, uint64_t type, uint64_t *val);

/* NT_PRSTATUS through GETREGSET/SETREGSET. */
int ct_regs_get(pid_t tid, const struct ct_arch *arch, struct ct_regs *r);
int ct_regs_set(pid_t tid, const struct ct_arch *arch, const struct ct_regs *r);
/* NT_PRFPREG (arch->fpregs_size bytes into buf): the vector registers. */
int ct_fpregs_get(pid_t tid, const struct ct_arch *arch, void *buf);
/* The syscall number the kernel's restart logic reads, where it lives in
 * its own regset (arch->syscall_nr_regset, aarch64 NT_ARM_SYSTEM_CALL).
 * Both are no-ops returning 0 when the arch has none. */
int ct_syscall_nr_get(pid_t tid, const struct ct_arch *arch, int *nr);
int ct_syscall_nr_set(pid_t tid, const struct ct_arch *arch, int nr);
/* Write back r where only the pc changed since it was read. */
int ct_regs_set_pc(pid_t tid, const struct ct_arch *arch, const struct ct_regs *r);
/* A hardware instruction breakpoint at addr for thread tid alone (the code
 * stays as it is, so other threads cannot hit it); 0 clears it.  0,
 * -ENOTSUP where the arch has none, or -errno (no debug register free). */
int ct_ptrace_exec_break(pid_t tid, const struct ct_arch *arch, uint64_t addr);

/* Remote memory through /proc/PID/mem (pread/pwrite, which also writes
 * read-only text like PTRACE_POKEDATA does, but byte-exact). */
struct ct_pmem {
	int fd;
	pid_t pid;
};
int ct_pmem_open(struct ct_pmem *m, pid_t pid);
void ct_pmem_close(struct ct_pmem *m);
int ct_pmem_read(const struct ct_pmem *m, uint64_t addr, void *buf, size_t len);
int ct_pmem_write(const struct ct_pmem *m, uint64_t addr, const void *buf, size_t len);
/* Read n 64-bit words at addrs[] in one system call (process_vm_readv);
 * each word that cannot be read is reported in *bad as a bit.  0 or
 * -errno when nothing could be read. */
int ct_pmem_read_words(const struct ct_pmem *m, const uint64_t *addrs, uint64_t *vals,
		       unsigned n, unsigned *bad);
/* As a struct ct_mem for the arch hooks. */
struct ct_mem ct_pmem_as_mem(struct ct_pmem *m);

/* The siginfo of the stop tid is in (PTRACE_GETSIGINFO). */
int ct_ptrace_getsiginfo(pid_t tid, siginfo_t *si);
/* Was this signal raised by an instruction (a synchronous signal with a
 * positive si_code), rather than sent by someone? */
bool ct_siginfo_is_fault(const siginfo_t *si);

/*
 * Signals while calltrap runs a stopped thread for its own purposes
 * (sigguard.c): between ct_sigguard_enter and ct_sigguard_leave the thread
 * has every signal blocked but the synchronous ones, so the program's
 * signals stay queued in the kernel; at each signal-delivery-stop that is
 * not the run's own (!ct_siginfo_is_fault), ct_sigguard_take puts the
 * signal aside and resumes the thread.  ct_sigguard_leave, called in a
 * signal-delivery-stop (where the run ended), puts back what was taken and
 * the thread's mask, and the siginfo of the stop it was in at enter, so a
 * caller that then resumes it with the signal of that stop delivers it
 * exactly.  Each returns 0 or -errno.
 */
#define CT_SIGGUARD_TRAPS 2
struct ct_sigguard {
	uint64_t mask;    /* the thread's own (kernel sigset_t) */
	uint64_t held;    /* signals queued again meanwhile, blocked until leave */
	siginfo_t info;   /* of the signal-delivery-stop it was in, if have_info */
	bool have_info;
	bool active;
	bool stop;        /* a SIGSTOP was taken: sent again at leave */
	unsigned nr_traps;
	siginfo_t traps[CT_SIGGUARD_TRAPS]; /* sent SIGTRAPs taken meanwhile */
};
int ct_sigguard_enter(pid_t tid, struct ct_sigguard *g);
/* In a signal-delivery-stop for si (not a fault of the run): keep the
 * signal for the program and resume the thread (single-step it when
 * `step`). */
int ct_sigguard_take(pid_t tid, struct ct_sigguard *g, const siginfo_t *si, bool step);
/* Resume a guarded thread (continue, or one single-step) and wait for the
 * stop that ends the run: a signal of the fault class (ct_siginfo_is_fault:
 * a breakpoint's or a step's trap among them), its siginfo in *si.  Event
 * and interrupt stops on the way are resumed the same way; the program's
 * signals go to the guard.  0; 1 when the task exited (*status says how);
 * -errno. */
int ct_sigguard_run(pid_t tid, struct ct_sigguard *g, bool step, int *status, siginfo_t *si);
int ct_sigguard_leave(pid_t tid, struct ct_sigguard *g);

/* Wait for the next stop or exit of any traced task.  Spins briefly with
 * WNOHANG before blocking (cross-CPU wakeups are slow; DESIGN.md).  With
 * `tid` > 0 waits for that task only.  Returns the tid, 0 when nothing is
 * pending and `block` is false, -EINTR when a signal interrupted a
 * blocking wait, -ECHILD when no task is left. */
pid_t ct_ptrace_wait(pid_t tid, int *status, bool block, unsigned spin_us);

/* Run one system call in stopped thread `tid`, whose registers are `saved`,
 * using the `syscall; trap` pair found at `code` (which the caller owns:
 * either a dedicated scratch slot or bytes it may overwrite).  When
 * `write_code` is set the pair is written there first and the original
 * bytes restored afterwards.  Restores `saved` afterwards.  *ret is the raw
 * kernel return (-errno on failure).  0, or -errno if the thread could not
 * be driven (it then may have been left in a changed state only if it
 * vanished: -ESRCH).  Nothing is injected that the thread's seccomp filters
 * do not allow (ct_seccomp_check): -ECANCELED when they forbid the call,
 * -EACCES when they cannot be read to tell (see ct_remote_refusal). */
int ct_remote_syscall(pid_t tid, const struct ct_arch *arch, struct ct_pmem *mem,
		      const struct ct_regs *saved, uint64_t code, bool write_code, long nr,
		      const uint64_t args[6], long *ret);

/* Would the seccomp filters of stopped thread tid let system call nr with
 * `args` run, made by the instruction that ends at `ip`?  0 when they would
 * (or there are none); -ECANCELED when they would not (*verdict: the
 * SECCOMP_RET_* value that wins); -EACCES when they cannot be read and
 * calltrap cannot vouch for them (seccomp.c); -ESRCH. */
int ct_seccomp_check(pid_t tid, const struct ct_arch *arch, long nr, const uint64_t args[6],
		     uint64_t ip, uint32_t *verdict);
/* For the errors of an injection that seccomp refused, the start of a
 * sentence to finish with the system call's name ("its seccomp filter
 * forbids" mmap); NULL for any other error. */
const char *ct_remote_refusal(int err);

/* mmap/munmap on top of ct_remote_syscall. */
int ct_remote_mmap(pid_t tid, const struct ct_arch *arch, struct ct_pmem *mem,
		   const struct ct_regs *saved, uint64_t code, bool write_code, uint64_t addr,
		   uint64_t len, int prot, int flags, uint64_t *mapped);
int ct_remote_munmap(pid_t tid, const struct ct_arch *arch, struct ct_pmem *mem,
		     const struct ct_regs *saved, uint64_t code, bool write_code, uint64_t addr,
		     uint64_t len);

/* Run registers `r`, prepared by the caller (its pc redirected, e.g. by
 * arch->setup_call, its syscall restart cancelled), in stopped thread
 * `tid` until the trap at trap_pc (a breakpoint the caller owns); *r then
 * holds the registers there.  Afterwards the thread is put back exactly as
 * `saved` (its restart syscall number too) and any signal that arrived
 * meanwhile is queued again.  -EFAULT when it faulted or stopped anywhere
 * else (nothing is delivered to the tracee then). */
int ct_remote_run(pid_t tid, const struct ct_arch *arch, const struct ct_regs *saved,
		  struct ct_regs *r, uint64_t trap_pc);

#endif
