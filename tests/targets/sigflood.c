/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: every signal that arrives while calltrap attaches, runs
 * injected system calls and detaches must reach the program exactly once,
 * in order, with its siginfo (tests/integration/attach_sigflood.sh).
 *
 *   sigflood rt STOPFILE [MAXSECS]
 *       A child process queues SIGRTMIN to us with sigqueue(), si_value
 *       0, 1, 2, ..., as fast as we take them, up to 4096 queued at a
 *       time (or more after 1 s without progress), until STOPFILE exists.
 *   sigflood std STOPFILE [MAXSECS]
 *       The same with SIGUSR1, a standard signal, which does not queue:
 *       the child sends the next one once the previous one was handled,
 *       or after 1 s, when it was lost.
 *   sigflood blocked STOPFILE [MAXSECS]
 *       No flood.  We block SIGTRAP, SIGSEGV, SIGBUS and SIGRTMIN+1, and
 *       the child queues one of each to us, si_value 1000 + signo, before
 *       we print pid=: all must still be pending at the end, each with its
 *       own siginfo (calltrap unblocks the synchronous ones while it runs
 *       injected code, so they are taken and must be put back).
 *
 * The handler passes each value through got(v), the function to trace;
 * the main thread loops, checking the sum of its own work.  pid=PID is
 * printed once the flood runs (by the child: the flood starves our main
 * loop) or the blocked signals are queued.  The flood ends after MAXSECS
 * (default 30) if STOPFILE never appears.  At the end we print
 *   check count ok|FAIL     as many received as were sent
 *   check order ok|FAIL     the i-th one received had si_value i
 *   check sum ok|FAIL       the si_values add up to sent*(sent-1)/2
 *   check sender ok|FAIL    si_code SI_QUEUE and si_pid the child, each time
 *   check pending-SIG ok|FAIL  (blocked mode) still pending, same siginfo
 * exiting 0 only when every check passed.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))

TRACED long got(long v);
TRACED long never_called(long i);

/* The main loop's work, not traced. */
static long tick(long i)
{
	asm volatile("");
	return i + 1;
}

/* Traced, called by the handler only: its signal is blocked while the
 * handler runs, so no flood signal interrupts this function or the
 * out-of-line copies of its instructions (calltrap unmapping its scratch
 * page under a signal frame that returns into it is another matter). */
long got(long v)
{
	asm volatile("");
	return v;
}

/* A function to trace that is never called: with SIGTRAP blocked, a
 * breakpoint hit would make the kernel reset SIGTRAP to SIG_DFL (blocked);
 * the blocked mode tests what calltrap itself does, not that. */
long never_called(long i)
{
	asm volatile("");
	return i - 1;
}

/* Shared with the sender child. */
struct shared {
	atomic_long received;
	atomic_long sent;
	atomic_int done;
};

static struct shared *sh;
static pid_t sender;
/* written by the handler only (it does not nest: its signal is blocked
 * while it runs), read by main once the flood is over */
static volatile long n_got, sum_got, next_want, bad_order_at = -1, bad_sender;
static volatile long first_got = -1;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pause_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	long v = si->si_value.sival_int;

	(void)sig;
	(void)uc;
	if (v != next_want && bad_order_at < 0) {
		bad_order_at = n_got;
		first_got = v;
	}
	next_want = v + 1;
	if (si->si_code != SI_QUEUE || si->si_pid != sender)
		bad_sender++;
	sum_got += got(v);
	n_got++;
	atomic_store(&sh->received, n_got);
}

/* At most this many of ours queued at once: the kernel's limit on queued
 * signals (RLIMIT_SIGPENDING) is per user, shared with every other process
 * of ours, tests running beside this one included. */
#define MAX_QUEUED 4096

/* The child: queue sig with si_value 0, 1, 2, ... until stopfile exists
 * (the child looks itself: the flood leaves our main loop little time). */
static void flood(pid_t to, int sig, int one_at_a_time, const char *stopfile, double maxsecs)
{
	long limit = one_at_a_time ? 1 : MAX_QUEUED, i = 0;
	double start = now(), t0 = 0;

	for (;;) {
		union sigval v = { .sival_int = (int)i };

		if (i % 256 == 0 && (access(stopfile, F_OK) == 0 || now() - start > maxsecs))
			break;
		/* wait for the handler, but not forever: a tracer that loses
		 * signals must not stop the flood */
		if (i - atomic_load(&sh->received) >= limit) {
			if (!t0)
				t0 = now();
			if (now() - t0 < 1) {
				pause_us(20);
				continue;
			}
		}
		t0 = 0;
		if (sigqueue(to, sig, v) < 0) {
			if (errno != EAGAIN)
				_exit(3);
			pause_us(50); /* the queue is full anyway */
			continue;
		}
		i++;
		/* the flood runs: say so for main, whose loop it starves */
		if (i == 200) {
			while (atomic_load(&sh->received) < 100)
				pause_us(100);
			printf("pid=%d\n", (int)to);
		}
	}
	atomic_store(&sh->sent, i);
	atomic_store(&sh->done, 1);
	_exit(0);
}

static const int blocked_sigs[] = { SIGTRAP, SIGSEGV, SIGBUS, 0 /* SIGRTMIN+1 */ };
#define NR_BLOCKED (sizeof(blocked_sigs) / sizeof(blocked_sigs[0]))

static int blocked_sig(size_t i)
{
	return blocked_sigs[i] ? blocked_sigs[i] : SIGRTMIN + 1;
}

static int check_blocked(void)
{
	int failures = 0;
	size_t i;

	for (i = 0; i < NR_BLOCKED; i++) {
		int sig = blocked_sig(i);
		struct timespec zero = { 0, 0 };
		siginfo_t si;
		sigset_t one;

		sigemptyset(&one);
		sigaddset(&one, sig);
		memset(&si, 0, sizeof(si));
		if (sigtimedwait(&one, &si, &zero) != sig) {
			printf("check pending-%d FAIL lost\n", sig);
			failures++;
		} else if (si.si_code != SI_QUEUE || si.si_pid != sender ||
			   si.si_value.sival_int != 1000 + sig) {
			printf("check pending-%d FAIL code=%d pid=%d value=%d\n", sig, si.si_code,
			       (int)si.si_pid, si.si_value.sival_int);
			failures++;
		} else if (sigtimedwait(&one, &si, &zero) == sig) {
			printf("check pending-%d FAIL twice\n", sig);
			failures++;
		} else {
			printf("check pending-%d ok\n", sig);
		}
	}
	return failures;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t set, old;
	double start, maxsecs;
	long i = 0, sum = 0, sent;
	int failures = 0, sig = SIGRTMIN, std, blocked, status;
	size_t k;

	if (argc < 3 || (strcmp(argv[1], "rt") && strcmp(argv[1], "std") &&
			 strcmp(argv[1], "blocked"))) {
		fprintf(stderr, "usage: %s rt|std|blocked STOPFILE [MAXSECS]\n", argv[0]);
		return 2;
	}
	std = strcmp(argv[1], "std") == 0;
	blocked = strcmp(argv[1], "blocked") == 0;
	if (std)
		sig = SIGUSR1;
	maxsecs = argc > 3 ? atof(argv[3]) : 30;
	setvbuf(stdout, NULL, _IOLBF, 0);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL))
		return 2;

	/* the handler must know the sender before the first signal */
	sigemptyset(&set);
	sigaddset(&set, sig);
	if (blocked)
		for (k = 0; k < NR_BLOCKED; k++)
			sigaddset(&set, blocked_sig(k));
	sigprocmask(SIG_BLOCK, &set, &old);
	sender = fork();
	if (sender < 0)
		return 2;
	if (sender == 0) {
		if (blocked) {
			for (k = 0; k < NR_BLOCKED; k++) {
				union sigval v = { .sival_int = 1000 + blocked_sig(k) };

				if (sigqueue(getppid(), blocked_sig(k), v))
					_exit(3);
			}
			atomic_store(&sh->done, 1);
			_exit(0);
		}
		flood(getppid(), sig, std, argv[2], maxsecs);
	}
	if (!blocked) {
		sigprocmask(SIG_SETMASK, &old, NULL);
	} else {
		while (!atomic_load(&sh->done))
			pause_us(1000);
		printf("pid=%d\n", getpid());
	}

	start = now();
	while ((blocked ? access(argv[2], F_OK) != 0 : !atomic_load(&sh->done)) &&
	       now() - start < maxsecs) {
		sum += tick(i++);
		if (i % 1024 == 0)
			pause_us(100);
	}
	if (access(argv[2], F_OK) != 0) {
		printf("check stopfile FAIL timeout\n");
		failures++;
	}
	while (waitpid(sender, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("check sender FAIL the sender failed (status %#x)\n", status);
		return 1;
	}
	if (blocked)
		return check_blocked() ? 1 : 0;

	/* what is still queued arrives now */
	sent = atomic_load(&sh->sent);
	start = now();
	while (n_got < sent && now() - start < 20)
		pause_us(1000);
	sigprocmask(SIG_BLOCK, &set, NULL);

	if (n_got == sent) {
		printf("check count ok n=%ld\n", sent);
	} else {
		printf("check count FAIL received %ld of %ld\n", n_got, sent);
		failures++;
	}
	if (bad_order_at < 0) {
		printf("check order ok\n");
	} else {
		printf("check order FAIL signal %ld had value %ld\n", bad_order_at, first_got);
		failures++;
	}
	if (sum_got == sent * (sent - 1) / 2) {
		printf("check sum ok\n");
	} else {
		printf("check sum FAIL %ld, want %ld\n", sum_got, sent * (sent - 1) / 2);
		failures++;
	}
	if (!bad_sender) {
		printf("check sender ok\n");
	} else {
		printf("check sender FAIL %ld with a wrong si_code or si_pid\n", bad_sender);
		failures++;
	}
	if (sum != i * (i + 1) / 2) {
		printf("check tick FAIL\n");
		failures++;
	}
	return failures ? 1 : 0;
}
