/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signals while calltrap runs a stopped thread for its own purposes (an
 * injected system call or function call, a single-step out of a slot,
 * taking a pending breakpoint trap).
 *
 * The program must get every signal exactly once, in order, with its
 * siginfo.  Resuming the thread at each signal-delivery-stop with signal 0
 * and sending the last one again with tgkill loses all the others, and
 * si_value, si_pid and si_code with them; and under a flood the thread
 * never gets to our code, as the kernel dequeues the next signal before
 * every return to user mode.  So we do not let the kernel dequeue them:
 *
 *  - PTRACE_SETSIGMASK blocks every signal in the thread for the run but
 *    the synchronous ones (SIGTRAP, SIGSEGV, SIGBUS, SIGILL, SIGFPE,
 *    SIGSYS): those our own code raises are forced, and a forced signal
 *    that is blocked makes the kernel reset the program's handler to
 *    SIG_DFL (force_sig_info_to_task).  Everything else stays queued in
 *    the kernel, siginfo and order intact, for when the program runs.
 *  - The stop the thread was in may hold a signal the caller will deliver
 *    when it resumes the thread (a signal-delivery-stop): resuming it for
 *    the run cancels that delivery, and the caller's PTRACE_CONT(sig) at
 *    the final stop would make the kernel invent a siginfo (SI_USER from
 *    the tracer, ptrace_signal()).  Its siginfo is read at the start and
 *    written back (PTRACE_SETSIGINFO) at the end, so that resume delivers
 *    it exactly.
 *  - A synchronous signal sent by someone (si_code <= 0: kill, sigqueue,
 *    tgkill) or one the program had blocked and pending can still be
 *    dequeued.  At its stop it is blocked for the rest of the run and the
 *    thread resumed with it: the kernel queues a blocked signal again,
 *    siginfo included (ptrace_signal(): "If the (new) signal is now
 *    blocked, requeue it").  SIGTRAP cannot be blocked while our trap may
 *    fire: it is kept here and queued again the same way at the end.
 *    SIGSTOP cannot be blocked at all: it is sent again at the end (it
 *    carries nothing a program can read).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace/ptrace.h"

#define CT_LOG_DOMAIN "sigguard"
#include "util/log.h"

#define BIT(sig) (1ull << ((sig) - 1))
/* the kernel's SYNCHRONOUS_MASK: signals the faulting instruction raises */
#define SYNC_SIGS                                                                  \
	(BIT(SIGSEGV) | BIT(SIGBUS) | BIT(SIGILL) | BIT(SIGTRAP) | BIT(SIGFPE) | BIT(SIGSYS))
#define QUIET_MASK (~SYNC_SIGS)
#define ALL_SIGS (~0ull)

/* The kernel's sigset_t (64 signals on x86_64 and aarch64), which is what
 * PTRACE_GETSIGMASK/SETSIGMASK want, not glibc's 1024-bit one. */
static int get_mask(pid_t tid, uint64_t *mask)
{
	return ptrace(PTRACE_GETSIGMASK, tid, sizeof(*mask), mask) < 0 ? -errno : 0;
}

static int set_mask(pid_t tid, uint64_t mask)
{
	return ptrace(PTRACE_SETSIGMASK, tid, sizeof(mask), &mask) < 0 ? -errno : 0;
}

int ct_ptrace_getsiginfo(pid_t tid, siginfo_t *si)
{
	return ptrace(PTRACE_GETSIGINFO, tid, 0L, si) < 0 ? -errno : 0;
}

static int set_info(pid_t tid, const siginfo_t *si)
{
	return ptrace(PTRACE_SETSIGINFO, tid, 0L, si) < 0 ? -errno : 0;
}

bool ct_siginfo_is_fault(const siginfo_t *si)
{
	/* the kernel's test too (dequeue_synchronous_signal): a synchronous
	 * signal has a positive si_code; a sent one has SI_USER or below */
	return si->si_code > SI_USER && si->si_signo >= 1 && si->si_signo <= 64 &&
	       (BIT(si->si_signo) & SYNC_SIGS);
}

/* A real signal's siginfo, not that of a ptrace notification (an event
 * stop's (event << 8) | SIGTRAP, a syscall stop's SIGTRAP | 0x80). */
static bool is_signal_info(const siginfo_t *si)
{
	return si->si_code <= SI_KERNEL;
}

int ct_sigguard_enter(pid_t tid, struct ct_sigguard *g)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->have_info = ct_ptrace_getsiginfo(tid, &g->info) == 0 && is_signal_info(&g->info);
	ret = get_mask(tid, &g->mask);
	if (ret == 0)
		ret = set_mask(tid, QUIET_MASK);
	if (ret == 0)
		g->active = true;
	return ret;
}

int ct_sigguard_take(pid_t tid, struct ct_sigguard *g, const siginfo_t *si, bool step)
{
	int (*resume)(pid_t, int) = step ? ct_ptrace_step : ct_ptrace_cont;
	int sig = si->si_signo, ret;

	if (sig == SIGSTOP) {
		g->stop = true;
		return resume(tid, 0);
	}
	if (sig == SIGTRAP) {
		/* a standard signal: one per queue (thread, process) can be
		 * pending; more sent within our few microseconds merge */
		if (g->nr_traps < CT_SIGGUARD_TRAPS)
			g->traps[g->nr_traps++] = *si;
		return resume(tid, 0);
	}
	ct_dbg("tid %d: signal %d taken while guarded: queued again", (int)tid, sig);
	g->held |= BIT(sig);
	ret = set_mask(tid, QUIET_MASK | g->held);
	return ret < 0 ? ret : resume(tid, sig);
}

int ct_sigguard_run(pid_t tid, struct ct_sigguard *g, bool step, int *status, siginfo_t *si)
{
	int (*resume)(pid_t, int) = step ? ct_ptrace_step : ct_ptrace_cont;
	int ret = resume(tid, 0);
	pid_t r;

	while (ret == 0) {
		r = ct_ptrace_wait(tid, status, true, 0);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return r;
		if (WIFEXITED(*status) || WIFSIGNALED(*status))
			return 1;
		if (!WIFSTOPPED(*status))
			continue;
		if ((*status >> 16) != 0) {
			/* an event or a PTRACE_INTERRUPT stop: go on */
			ret = resume(tid, 0);
			continue;
		}
		ret = ct_ptrace_getsiginfo(tid, si);
		if (ret < 0)
			return ret;
		if (ct_siginfo_is_fault(si))
			return 0;
		/* the program's: for it, once the guard is left */
		ret = ct_sigguard_take(tid, g, si, step);
	}
	return ret;
}

/* Wait for the next stop of tid, taking SIGSTOP on the way (nothing else
 * is unblocked where this is used). */
static int wait_stop(pid_t tid, struct ct_sigguard *g, int *status)
{
	siginfo_t si;
	pid_t r;
	int ret;

	for (;;) {
		r = ct_ptrace_wait(tid, status, true, 0);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return r;
		if (!WIFSTOPPED(*status))
			return -ESRCH;
		if ((*status >> 16) != 0 || WSTOPSIG(*status) != SIGSTOP)
			return 0;
		ret = ct_ptrace_getsiginfo(tid, &si);
		if (ret < 0)
			return ret;
		ret = ct_sigguard_take(tid, g, &si, false);
		if (ret < 0)
			return ret;
	}
}

/* From a signal-delivery-stop, put the signal `si` back in the kernel's
 * queue: blocked, the kernel requeues it as it is.  Our PTRACE_INTERRUPT
 * then stops the thread again at once, before it runs anything, in an
 * event stop. */
static int requeue(pid_t tid, struct ct_sigguard *g, const siginfo_t *si)
{
	int ret, status;

	ret = set_mask(tid, ALL_SIGS);
	if (ret == 0)
		ret = set_info(tid, si);
	if (ret == 0)
		ret = ct_ptrace_interrupt(tid);
	if (ret == 0)
		ret = ct_ptrace_cont(tid, si->si_signo);
	if (ret == 0)
		ret = wait_stop(tid, g, &status);
	return ret;
}

/* In an event stop a resume with a signal delivers nothing: bring the
 * thread back into a signal-delivery-stop, the kind the caller may resume
 * with one, by a real-time signal of our own that no queue holds, the
 * only one unblocked.  One of the program's that comes in meanwhile with
 * the same number goes back to the queue. */
static int carrier_stop(pid_t tid, struct ct_sigguard *g)
{
	uint64_t pending = 0, shared = 0;
	siginfo_t si;
	int sig, ret, status;
	long tgid;

	if (ct_proc_status_hex(tid, "SigPnd", &pending) < 0 ||
	    ct_proc_status_hex(tid, "ShdPnd", &shared) < 0)
		return -ESRCH;
	for (sig = SIGRTMAX; sig >= SIGRTMIN; sig--)
		if (!((pending | shared) & BIT(sig)))
			break;
	tgid = ct_proc_status_field(tid, "Tgid");
	if (sig < SIGRTMIN || tgid <= 0)
		return -EAGAIN;
	ret = set_mask(tid, ~BIT(sig));
	if (ret == 0 && syscall(SYS_tgkill, (pid_t)tgid, tid, sig) < 0)
		ret = -errno;
	if (ret == 0)
		ret = ct_ptrace_cont(tid, 0);
	while (ret == 0) {
		ret = wait_stop(tid, g, &status);
		if (ret < 0)
			break;
		if ((status >> 16) != 0) {
			ret = ct_ptrace_cont(tid, 0);
			continue;
		}
		ret = ct_ptrace_getsiginfo(tid, &si);
		if (ret < 0)
			break;
		if (si.si_signo == sig && si.si_code == SI_TKILL && si.si_pid == getpid())
			return 0;
		ret = requeue(tid, g, &si);
		if (ret == 0)
			ret = set_mask(tid, ~BIT(sig));
		if (ret == 0)
			ret = ct_ptrace_cont(tid, 0);
	}
	return ret;
}

int ct_sigguard_leave(pid_t tid, struct ct_sigguard *g)
{
	unsigned i;
	int ret = 0, ret2;
	long tgid;

	if (!g->active)
		return 0;
	g->active = false;
	/* the run ended in a signal-delivery-stop (our trap) */
	for (i = 0; i < g->nr_traps && ret == 0; i++) {
		ret = requeue(tid, g, &g->traps[i]);
		if (ret == 0)
			ret = carrier_stop(tid, g);
	}
	if (ret == 0 && g->have_info)
		ret = set_info(tid, &g->info);
	ret2 = set_mask(tid, g->mask);
	if (ret == 0)
		ret = ret2;
	if (g->stop) {
		tgid = ct_proc_status_field(tid, "Tgid");
		if (tgid > 0 && syscall(SYS_tgkill, (pid_t)tgid, tid, SIGSTOP) < 0 && ret == 0)
			ret = -errno;
	}
	return ret;
}
