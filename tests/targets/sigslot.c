/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: signal handlers that interrupt a thread inside calltrap's
 * out-of-line copy of a traced instruction.
 *
 * The main thread calls work() (traced) in a tight loop, so it spends its
 * time stopped at work's breakpoints; a signal that comes then is
 * delivered when it is resumed into the slot of the displaced instruction,
 * and the handler's frame saves a pc inside calltrap's scratch page.
 *
 *   sigslot wait FILE  the SIGUSR1 handler writes "handler started" and
 *                      sleeps until FILE exists, then returns.  The test
 *                      attaches, sends SIGUSR1, detaches while the handler
 *                      sleeps, then creates FILE: the frame must return
 *                      into the program's own code, not into the unmapped
 *                      page.  Prints "ready", and after the handler
 *                      returned and 1000 more calls, its checks.
 *   sigslot flood N    a second thread sends N SIGUSR1 to the main thread,
 *                      one at a time (each waits for the handler, which
 *                      calls traced in_handler()); prints the exact counts
 *                      of work and in_handler calls calltrap must report.
 *
 * The handler reads the interrupted pc from its ucontext when it starts
 * and again when it ends.  In sleep mode, at the end (after the detach) it
 * must lie in this program's text (a pc in a page calltrap unmapped would
 * crash the return anyway).  The note line counts the handlers that
 * started with a pc outside the text (in a slot, while traced).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))

TRACED long work(long x);
TRACED long in_handler(long x);

extern char __executable_start[], etext[];

static volatile sig_atomic_t handled, stop_sending;
static volatile uintptr_t pc_start, pc_end;
static const char *wait_file;
static pid_t main_tid;

long work(long x)
{
	return x * 3 + 1;
}

long in_handler(long x)
{
	return x + 7;
}

static uintptr_t frame_pc(const void *ucv)
{
	const ucontext_t *uc = ucv;

#if defined(__x86_64__)
	return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	return (uintptr_t)uc->uc_mcontext.pc;
#else
#error "sigslot: x86_64 or aarch64 only"
#endif
}

static bool in_text(uintptr_t pc)
{
	return pc >= (uintptr_t)__executable_start && pc < (uintptr_t)etext;
}

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	static const char msg[] = "handler started\n";
	struct timespec ts = { 0, 10 * 1000000 };
	int saved = errno;

	(void)sig;
	(void)si;
	pc_start = frame_pc(uc);
	if (wait_file) {
		if (write(1, msg, sizeof(msg) - 1) < 0)
			_exit(3);
		while (access(wait_file, F_OK) != 0)
			nanosleep(&ts, NULL);
	} else {
		in_handler(handled);
	}
	errno = saved;
	pc_end = frame_pc(uc);
	handled = handled + 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *sender(void *arg)
{
	long n = (long)arg, i;

	for (i = 0; i < n; i++) {
		int before = handled;

		syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
		while (handled == before)
			usleep(100);
	}
	stop_sending = 1;
	return NULL;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	long calls = 0, sum = 0, want = 0, after = -1, n;
	bool text_ok = true, flood;
	int pc_other = 0;
	double t0 = now();
	pthread_t th;

	if (argc != 3 || (strcmp(argv[1], "wait") && strcmp(argv[1], "flood"))) {
		fprintf(stderr, "usage: sigslot wait FILE | flood N\n");
		return 2;
	}
	flood = strcmp(argv[1], "flood") == 0;
	n = flood ? atol(argv[2]) : 1;
	wait_file = flood ? NULL : argv[2];
	main_tid = (pid_t)syscall(SYS_gettid);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		return 2;
	printf("truth pid=%d role=main\n", (int)getpid());
	printf("ready\n");
	fflush(stdout);
	if (flood && pthread_create(&th, NULL, sender, (void *)n) != 0)
		return 2;
	/* until 1000 calls after the (last) handler returned; 60 s at most */
	for (;;) {
		int seen = handled;

		sum += work(calls);
		want += calls * 3 + 1;
		calls++;
		if (handled != seen) {
			if (!in_text(pc_end))
				text_ok = false;
			if (!in_text(pc_start))
				pc_other++;
		}
		if (after < 0 && (flood ? stop_sending && handled == n : handled))
			after = calls;
		if (after >= 0 && calls >= after + 1000)
			break;
		if ((calls & 1023) == 0 && now() - t0 > 60)
			break;
	}
	if (flood)
		pthread_join(th, NULL);
	printf("note signals handled=%d, interrupted outside the program's text=%d\n", (int)handled,
	       pc_other);
	printf("truth count pid=%d func=work calls=%ld\n", (int)getpid(), calls);
	if (flood)
		printf("truth count pid=%d func=in_handler calls=%ld\n", (int)getpid(), n);
	printf("check handled %s\n", handled == n ? "ok" : "FAIL");
	printf("check sum %s\n", sum == want ? "ok" : "FAIL");
	/* while traced, a frame may return into a slot; not once detached */
	if (!flood)
		printf("check frame-pc-in-text %s\n", text_ok ? "ok" : "FAIL");
	return 0;
}
