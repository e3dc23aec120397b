/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: functions outside the plain main-executable case.
 *
 *  - rand() in libc.so.6, called 100 times after srand(1): traced with
 *    -e 'libc.so.6:rand' the calls and their return values must match (the
 *    values are whatever glibc gives; they are printed as seen by the caller).
 *  - my_ifunc(), a GNU indirect function defined here: its resolver picks
 *    my_ifunc_fast at load time; traced with -e my_ifunc, the 25 calls must
 *    be reported (under the name my_ifunc or the implementation's), not the
 *    one call of the resolver.
 *  - wcslen(), a GNU indirect function of libc (glibc picks an SSE2/AVX2/
 *    EVEX variant at start-up), called NWCS times: traced with
 *    -e 'libc.so.6:wcslen' every call must be reported at the address of
 *    the implementation this process uses, which the program prints (the
 *    dynamic linker resolves a function pointer to an IFUNC to it).
 */
#include "config.h"

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <wchar.h>

#define TRACED __attribute__((noipa, used))
#define NRAND 100
#define NIFUNC 25
#define NWCS 12

TRACED long my_ifunc_fast(long x);
TRACED long my_ifunc_slow(long x);
long my_ifunc(long x);

static long fast_calls, slow_calls;

long my_ifunc_fast(long x)
{
	fast_calls++;
	return x * 4;
}

long my_ifunc_slow(long x)
{
	slow_calls++;
	return x * 4;
}

/* Runs inside the dynamic linker during relocation: nothing but pure code. */
static long (*resolve_my_ifunc(void))(long)
{
	return my_ifunc_fast;
}

long my_ifunc(long x) __attribute__((ifunc("resolve_my_ifunc")));

int main(void)
{
	int values[NRAND];
	long i, sum = 0;
	int failures = 0;

	printf("truth pid=%d role=main\n", getpid());
	srand(1);
	for (i = 0; i < NRAND; i++)
		values[i] = rand();
	for (i = 0; i < NIFUNC; i++)
		sum += my_ifunc(i);
	{
		/* through a volatile pointer, so the compiler cannot fold it */
		size_t (*volatile wlen)(const wchar_t *) = wcslen;
		static const wchar_t w[] = L"calltrap";
		size_t n = 0;

		for (i = 0; i < NWCS; i++)
			n += wlen(w + i % 8);
		printf("info ifunc func=wcslen impl=%#lx\n", (unsigned long)(uintptr_t)wlen);
		/* 8 + 7 + ... + 1 = 36, then 8 + 7 + 6 + 5 = 26 */
		if (n == 62)
			printf("check wcslen ok\n");
		else
			printf("check wcslen FAIL n=%zu\n", n);
		for (i = 0; i < NWCS; i++) {
			printf("truth ev pid=%d tid=%d type=call func=wcslen depth=1\n", getpid(),
			       gettid());
			printf("truth ev pid=%d tid=%d type=return func=wcslen depth=1 ret=%ld\n",
			       getpid(), gettid(), 8 - i % 8);
		}
		printf("truth count pid=%d func=wcslen calls=%d\n", getpid(), NWCS);
	}

	for (i = 0; i < NRAND; i++) {
		printf("truth ev pid=%d tid=%d type=call func=rand depth=1\n", getpid(), gettid());
		printf("truth ev pid=%d tid=%d type=return func=rand depth=1 ret=%d\n", getpid(),
		       gettid(), values[i]);
	}
	printf("truth count pid=%d func=rand calls=%d\n", getpid(), NRAND);
	printf("truth count pid=%d func=my_ifunc* calls=%d\n", getpid(), NIFUNC);
	/* 4 * (0 + ... + 24) = 1200 */
	if (sum == 1200 && fast_calls == NIFUNC && slow_calls == 0) {
		printf("check ifunc ok\n");
	} else {
		printf("check ifunc FAIL sum=%ld fast=%ld slow=%ld\n", sum, fast_calls, slow_calls);
		failures++;
	}
	printf("truth exit pid=%d status=%d\n", getpid(), failures ? 1 : 0);
	return failures ? 1 : 0;
}
