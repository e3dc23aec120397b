/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: signal handlers that call a traced function.
 *
 *  - 10 x raise(SIGUSR1) from main: handler_work(10, n) at depth 1.
 *  - 5 x kill(getpid(), SIGUSR2), whose handler runs on an alternate signal
 *    stack (SA_ONSTACK): handler_work(12, n) at depth 1.
 *  - 5 x raiser(k), a traced function that raises SIGUSR1 itself, so the
 *    handler's handler_work runs at depth 2 inside raiser's frame.
 *  - SIGUSR1 blocked, raised 3 times, unblocked: standard signals do not
 *    queue, so exactly one more delivery.
 *  - SIGWINCH set to SIG_IGN and sent twice: the program must survive.
 *
 * Deliveries: SIGUSR1 10 + 5 + 1 = 16, SIGUSR2 5.  Every delivery must be a
 * "signal" event, and the handlers must see exactly what they see untraced.
 * raise() delivers before it returns (the signal is for the calling thread),
 * so the event order below is deterministic.
 */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))
#define ALTSTACK_SIZE (256 * 1024)

TRACED long handler_work(long signo, long n);
TRACED long raiser(long k);

static volatile sig_atomic_t n_usr1, n_usr2, usr2_on_altstack, usr2_off_altstack;
static char *altstack;

long handler_work(long signo, long n)
{
	asm volatile("");
	return signo * 1000 + n;
}

long raiser(long k)
{
	long r = k + 1;

	raise(SIGUSR1);
	asm volatile("" : "+r"(r));
	return r;
}

static void on_usr1(int sig)
{
	n_usr1++;
	handler_work(sig, n_usr1);
}

static void on_usr2(int sig)
{
	char here;
	uintptr_t p = (uintptr_t)&here, lo = (uintptr_t)altstack;

	if (p >= lo && p < lo + ALTSTACK_SIZE)
		usr2_on_altstack++;
	else
		usr2_off_altstack++;
	n_usr2++;
	handler_work(sig, n_usr2);
}

static int failures;

static void check(const char *what, long got, long want)
{
	if (got == want) {
		printf("check %s ok\n", what);
	} else {
		printf("check %s FAIL got=%ld want=%ld\n", what, got, want);
		failures++;
	}
}

static void ev_handler(long signo, long n, int depth)
{
	printf("truth ev pid=%d tid=%d type=call func=handler_work depth=%d args=%ld,%ld\n",
	       getpid(), gettid(), depth, signo, n);
	printf("truth ev pid=%d tid=%d type=return func=handler_work depth=%d ret=%ld\n", getpid(),
	       gettid(), depth, signo * 1000 + n);
}

int main(void)
{
	struct sigaction sa = { 0 };
	stack_t ss = { 0 };
	sigset_t set;
	long i, n1 = 0, n2 = 0;

	printf("truth pid=%d role=main\n", getpid());

	altstack = malloc(ALTSTACK_SIZE);
	if (!altstack)
		return 2;
	ss.ss_sp = altstack;
	ss.ss_size = ALTSTACK_SIZE;
	if (sigaltstack(&ss, NULL))
		return 2;

	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		return 2;
	sa.sa_handler = on_usr2;
	sa.sa_flags = SA_RESTART | SA_ONSTACK;
	if (sigaction(SIGUSR2, &sa, NULL))
		return 2;
	signal(SIGWINCH, SIG_IGN);

	for (i = 0; i < 10; i++)
		raise(SIGUSR1);
	check("usr1-raise", n_usr1, 10);
	for (i = 0; i < 5; i++)
		kill(getpid(), SIGUSR2);
	check("usr2-kill", n_usr2, 5);
	check("usr2-altstack", usr2_on_altstack, 5);
	check("usr2-not-off-altstack", usr2_off_altstack, 0);
	for (i = 0; i < 5; i++)
		check("raiser", raiser(i), i + 1);
	check("usr1-raiser", n_usr1, 15);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < 3; i++)
		raise(SIGUSR1);
	check("usr1-blocked", n_usr1, 15);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	check("usr1-coalesced", n_usr1, 16);

	kill(getpid(), SIGWINCH);
	raise(SIGWINCH);
	check("ignored-survived", 1, 1);

	for (i = 0; i < 10; i++)
		ev_handler(SIGUSR1, ++n1, 1);
	for (i = 0; i < 5; i++)
		ev_handler(SIGUSR2, ++n2, 1);
	for (i = 0; i < 5; i++) {
		printf("truth ev pid=%d tid=%d type=call func=raiser depth=1 args=%ld\n", getpid(),
		       gettid(), i);
		ev_handler(SIGUSR1, ++n1, 2);
		printf("truth ev pid=%d tid=%d type=return func=raiser depth=1 ret=%ld\n", getpid(),
		       gettid(), i + 1);
	}
	ev_handler(SIGUSR1, ++n1, 1);

	printf("truth signal pid=%d signame=SIGUSR1 count=16\n", getpid());
	printf("truth signal pid=%d signame=SIGUSR2 count=5\n", getpid());
	printf("truth exit pid=%d status=%d\n", getpid(), failures ? 1 : 0);
	return failures ? 1 : 0;
}
